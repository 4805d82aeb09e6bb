// Benchmark 4b: the worst hostile request the running enrollment service (`scripts/enrollment.ts serve`, HTTPS) rejects,
// against a genuine request's verification and issuance in the same run; and a genuine renewal while hostile posts go on.
import { documentFingerprint } from "@/lib/core/certificates/keys";
import { buildRenewalRequest } from "@/lib/core/certificates/renewal-request";
import { MAX_XML_BYTES } from "@/lib/core/xml/limits";
import { signEnveloped } from "@/lib/core/xml/xml-signature";
import {
  answerOf,
  buildRequests,
  type ClusterIdentity,
  clusterIdentities,
  type EnrollmentProcess,
  postEnroll,
  requestFields,
  type ServiceReply,
  startEnrollmentProcess,
} from "./lib/enrollment-process";
import { type BenchResult, latency } from "./lib/results";
import { max, median } from "./lib/stats";

export interface HostileRequestOptions {
  quick: boolean;
  log: (message: string) => void;
}

/** The issue's target: the worst hostile rejection takes at most this many times a genuine verification and issuance. */
const WORST_TO_GENUINE_BOUND = 10;
/** Clients posting hostile requests while a genuine renewal runs (four such posts made a renewal time out before). */
const FLOOD_CLIENTS = 4;

interface HostileRequest {
  name: string;
  /** A string goes with Content-Length; chunks go chunked and are never finished (only a counted cap can answer). */
  body: string | string[];
}

function withoutSignature(xml: string): string {
  return xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
}

/** A genuine request with `extra` inside its root, signed again by its own key: it passes the signature check. */
function resigned(genuine: string, identity: ClusterIdentity, extra: string): string {
  const keyValue = /<ds:KeyValue>[\s\S]*<\/ds:KeyValue>/.exec(genuine)?.[0];
  if (!keyValue) throw new Error("the genuine request has no ds:KeyValue");
  const unsigned = withoutSignature(genuine).replace("</RenewalRequest>", `${extra}</RenewalRequest>`);
  return signEnveloped(unsigned, { privateKeyPem: identity.key, keyInfoContent: (prefix) => keyValue.replaceAll("ds:", prefix) });
}

/** The worst inputs a renewal request can carry (huge, deep, wide, entity-laden, tampered), each built around a genuine signed request where that makes it costlier. */
function hostileRequests(identity: ClusterIdentity): HostileRequest[] {
  const genuine = buildRenewalRequest(requestFields(identity, "HOSTILE"), identity.key);
  const body = genuine.replace(/^<\?xml[^>]*\?>\s*/, "");
  const inRoot = (extra: string) => genuine.replace("</RenewalRequest>", `${extra}</RenewalRequest>`);
  const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("");
  const textEnvelope = "<RenewalRequest><a></a></RenewalRequest>";
  // Padding that passes every structural cap (≤ 1,000 elements, text runs ≤ 64 K) and fills the byte cap.
  const padElements = 900;
  const padText = Math.floor((MAX_XML_BYTES - genuine.length - 1_000) / padElements) - "<Pad000></Pad000>".length;
  // Distinct names: repeated siblings are refused before the signature is checked; these reach the digest and RSA.
  const pads = Array.from({ length: padElements }, (_, i) => `<Pad${i}>${"p".repeat(padText)}</Pad${i}>`).join("");
  const padded = resigned(genuine, identity, pads);
  if (Buffer.byteLength(padded) > MAX_XML_BYTES) throw new Error(`the padded request is ${Buffer.byteLength(padded)} B, over the cap`);
  return [
    { name: "5,000 elements", body: inRoot("<a/>".repeat(5_000)) },
    { name: "30,000-deep nesting", body: `<RenewalRequest>${"<a>".repeat(30_000)}${"</a>".repeat(30_000)}</RenewalRequest>` },
    { name: "5,000 attributes on one element", body: inRoot(`<a ${Array.from({ length: 5_000 }, (_, i) => `a${i}="1"`).join(" ")}/>`) },
    {
      name: "5,000 namespace declarations",
      body: inRoot(Array.from({ length: 5_000 }, (_, i) => `<a xmlns:p${i}="urn:p${i}"/>`).join("")),
    },
    { name: "256 KB text node", body: `<RenewalRequest><a>${"x".repeat(MAX_XML_BYTES - textEnvelope.length)}</a></RenewalRequest>` },
    { name: "<__proto__> element", body: inRoot("<__proto__><polluted>1</polluted></__proto__>") },
    {
      name: "DOCTYPE (billion laughs)",
      body: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${lol}]>\n${body.replace("<ServerName>HOSTILE", "<ServerName>&lol9;")}`,
    },
    {
      name: "tampered signature value",
      body: genuine.replace(/<ds:SignatureValue>(.)(.)/, (_m, a: string, b: string) => `<ds:SignatureValue>${a}${b === "A" ? "B" : "A"}`),
    },
    { name: "tampered body", body: genuine.replace("<ServerName>HOSTILE<", "<ServerName>EVIL<") },
    { name: "signature removed", body: withoutSignature(genuine) },
    { name: "signed request padded to the byte cap (900 distinct extra elements)", body: padded },
    { name: "unsigned, 900 distinct element names at the byte cap", body: `<RenewalRequest>${pads}</RenewalRequest>` },
    { name: "300 KB with Content-Length", body: `<RenewalRequest>${"x".repeat(300 * 1024)}</RenewalRequest>` },
    { name: "320 KB chunked, never finished", body: Array.from({ length: 5 }, () => "x".repeat(64 * 1024)) },
  ];
}

/** Posts a hostile request on a new connection; it must be refused by the service's own checks (4xx, not the rate limit). */
async function postHostile(service: EnrollmentProcess, item: HostileRequest): Promise<ServiceReply> {
  const reply = await postEnroll(service.url, service.rootPem, item.body, { endBody: !Array.isArray(item.body), timeoutMs: 30_000 });
  if (reply.status < 400 || reply.status >= 500 || reply.status === 429) {
    throw new Error(`hostile request "${item.name}" answered ${answerOf(reply)}: ${reply.body.slice(0, 200)}`);
  }
  return reply;
}

/** A genuine request on a new connection (one handshake, as a console's renewal): it must be issued, not replayed. */
async function postGenuine(service: EnrollmentProcess, xml: string, what: string): Promise<ServiceReply> {
  const reply = await postEnroll(service.url, service.rootPem, xml, { timeoutMs: 60_000 });
  if (reply.status !== 200 || reply.headers["x-replayed"] === "true") {
    throw new Error(`${what} answered ${answerOf(reply)}${reply.headers["x-replayed"] ? " (replayed)" : ""}: ${reply.body.slice(0, 200)}`);
  }
  return reply;
}

export async function runHostileRequestBench(opts: HostileRequestOptions): Promise<BenchResult[]> {
  const repeats = opts.quick ? 3 : 10;
  const genuineRuns = opts.quick ? 10 : 30;
  const renewals = opts.quick ? 3 : 10;
  const [identity, renewing] = await clusterIdentities(2);
  if (!identity || !renewing) throw new Error("no cluster keys");
  const hostile = hostileRequests(identity);
  opts.log(`hostile requests: building ${genuineRuns + 2} genuine requests (not timed)…`);
  const genuine = buildRequests(genuineRuns + 2, [identity]);

  const service = await startEnrollmentProcess({ label: "hostile", workers: 0 });
  try {
    // Genuine verification and issuance, each request new, sequential (the first two warm the workers up).
    const genuineMs: number[] = [];
    for (const [i, xml] of genuine.entries()) {
      const reply = await postGenuine(service, xml, "a genuine request");
      if (i >= 2) genuineMs.push(reply.ms);
    }
    const genuineP50 = median(genuineMs);

    opts.log(`hostile requests: ${hostile.length} inputs × ${repeats} against the running service…`);
    const worst: Array<{ name: string; ms: number; answer: string }> = [];
    for (const item of hostile) {
      const times: number[] = [];
      let answer = "";
      for (let i = 0; i < repeats; i++) {
        const reply = await postHostile(service, item);
        times.push(reply.ms);
        answer = answerOf(reply);
      }
      worst.push({ name: item.name, ms: max(times), answer });
    }
    worst.sort((a, b) => b.ms - a.ms);
    opts.log(`hostile requests, worst of ${repeats} each: ${worst.map((w) => `${w.name} ${w.ms.toFixed(1)} ms (${w.answer})`).join("; ")}`);
    const top = worst[0] ?? { name: "none", ms: Number.NaN, answer: "" };

    // A registered cluster renews (signed by its key, naming the SLC this service issued it) while hostile posts go on.
    const enrollment = requestFields(renewing, "RENEWING");
    const first = await postGenuine(service, buildRenewalRequest(enrollment, renewing.key), "the first enrollment");
    const installed = documentFingerprint(first.body);
    const renewalBodies = Array.from({ length: renewals }, () =>
      buildRenewalRequest(
        requestFields(renewing, "RENEWING", { clusterGuid: enrollment.clusterGuid, installedSlcFingerprint: installed }),
        renewing.key,
      ),
    );
    let flooding = true;
    const floodAnswers = new Map<string, number>();
    const flood = Array.from({ length: FLOOD_CLIENTS }, async (_, client) => {
      for (let i = client; flooding; i++) {
        const item = hostile[i % hostile.length];
        if (!item) break;
        const reply = await postHostile(service, item);
        const key = answerOf(reply);
        floodAnswers.set(key, (floodAnswers.get(key) ?? 0) + 1);
      }
    });
    const renewalMs: number[] = [];
    try {
      opts.log(`hostile requests: ${renewals} genuine renewals while ${FLOOD_CLIENTS} clients post hostile requests…`);
      await new Promise((r) => setTimeout(r, 500));
      for (const xml of renewalBodies) renewalMs.push((await postGenuine(service, xml, "a genuine renewal under hostile load")).ms);
    } finally {
      flooding = false;
      await Promise.all(flood);
    }
    const floodCount = [...floodAnswers.values()].reduce((s, n) => s + n, 0);
    opts.log(
      `hostile requests: worst "${top.name}" ${top.ms.toFixed(1)} ms (${top.answer}); genuine p50 ${genuineP50.toFixed(1)} ms; renewal under hostile load p50 ${median(renewalMs).toFixed(1)} ms, max ${max(renewalMs).toFixed(1)} ms (${floodCount} hostile answers meanwhile)`,
    );
    return [
      latency(
        `Worst hostile-request rejection by the running enrollment service (${hostile.length} inputs × ${repeats})`,
        top.ms,
        "ms",
        `genuine request verified and issued, p50 of ${genuineRuns} (bound: ${WORST_TO_GENUINE_BOUND}×)`,
        genuineP50,
        1 / WORST_TO_GENUINE_BOUND,
        `each on a new HTTPS connection, as is the genuine reference; slowest: ${worst
          .slice(0, 4)
          .map((w) => `${w.name} ${w.ms.toFixed(1)} ms (${w.answer})`)
          .join("; ")}; rate limit raised so hostile bodies reach the checks`,
      ),
      latency(
        `Genuine renewal while ${FLOOD_CLIENTS} clients post hostile requests (worst of ${renewals})`,
        max(renewalMs),
        "ms",
        "genuine request without hostile load (p50)",
        genuineP50,
        null,
        `report-only: every renewal issued (200, not replayed); p50 ${median(renewalMs).toFixed(1)} ms; ${floodCount} hostile requests answered meanwhile (${[
          ...floodAnswers,
        ]
          .map(([k, n]) => `${n}× ${k}`)
          .join(", ")})`,
      ),
    ];
  } finally {
    await service.stop();
  }
}
