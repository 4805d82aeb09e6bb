// The cost of the worst renewal request within the request's own caps (REQUEST_XML_CAPS and
// the schema), against a genuine request, both verified in-process exactly as an issuing worker does (checkRequest:
// the gate, the DOM, the signature profile, the business schema before any signature work, c14n and RSA, the schema
// again on the signed content). CPU time per document, median of many runs after a warm-up. Runs alone:
// `npm run bench -- --only=request-cost`.
import { createPrivateKey, type KeyObject } from "node:crypto";
import { generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { buildRenewalRequest, REQUEST_XML_CAPS, type RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { checkRequest } from "@/lib/enrollment/issue";
import { requestFieldsFor } from "@/tests/support/enrollment-requests";
import { type BenchResult, latency } from "./lib/results";
import { median } from "./lib/stats";

export interface RequestCostOptions {
  quick: boolean;
  log: (message: string) => void;
}

/** The issue's target: the worst document within the caps costs at most 10× a genuine one (ratio ≥ 0.1). */
const WORST_TO_GENUINE_BOUND = 10;

/** CPU milliseconds of one run of `work`, median over `runs` after `runs / 5` warm-up runs. */
function cpuMs(work: () => unknown, runs: number): number {
  for (let i = 0; i < Math.ceil(runs / 5); i++) work();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    work();
    const used = process.cpuUsage(start);
    samples.push((used.user + used.system) / 1000);
  }
  return median(samples);
}

/**
 * The worst request the caps let through that passes every check, so it pays for everything (gate, DOM, schema twice,
 * c14n of the largest body, RSA): every free-text field at its schema maximum with characters that need escaping,
 * signed by `key` (the key of `fields.publicKeyBase64`); the revocation information is cut until the whole fits the byte
 * cap. Returns a builder of copies with other fields (a new request ID and GUID: distinct documents of the same size).
 */
export function worstSignedRequest(fields: RenewalRequestFields, key: KeyObject): (overrides?: Partial<RenewalRequestFields>) => string {
  const hostileText = (n: number) => "<&>\"'é漢".repeat(Math.ceil(n / 7)).slice(0, n);
  const build = (revocation: number, overrides: Partial<RenewalRequestFields>) =>
    buildRenewalRequest(
      {
        ...fields,
        serverName: hostileText(256),
        sku: hostileText(256),
        version: hostileText(64),
        name: hostileText(256),
        clusterUrl: `https://rms01.contoso.example/${"a".repeat(2000)}`,
        revocationInformation: hostileText(revocation),
        ...overrides,
      },
      key,
    );
  let revocation = 8192;
  while (Buffer.byteLength(build(revocation, {})) > REQUEST_XML_CAPS.bytes) revocation -= 256;
  return (overrides = {}) => {
    const xml = build(revocation, overrides);
    if (Buffer.byteLength(xml) > REQUEST_XML_CAPS.bytes) throw new Error(`the worst request is ${Buffer.byteLength(xml)} B, over the cap`);
    return xml;
  };
}

export async function runRequestCostBench(opts: RequestCostOptions): Promise<BenchResult[]> {
  const runs = opts.quick ? 40 : 200;
  const keys = await generateClusterKeyPair();
  const fields = requestFieldsFor(keys, { installedSlcFingerprint: `${"AB:".repeat(31)}CD` });
  const genuine = buildRenewalRequest(fields, keys.privateKeyPem);
  const biggest = worstSignedRequest(fields, createPrivateKey(keys.privateKeyPem))();
  // The same, tampered: refused only after the digest (c14n of the whole body).
  const tampered = biggest.replace("漢", "字");
  // Within the caps but not a request: the most elements, attributes and text the caps allow, refused by the schema.
  const children = Math.min(REQUEST_XML_CAPS.elements, REQUEST_XML_CAPS.distinctNames) - 1;
  const perElement = Math.floor(REQUEST_XML_CAPS.bytes / children) - 40;
  const element = (i: number) =>
    `<E${i}${i < REQUEST_XML_CAPS.attributes ? ' a="v"' : ""}>${"t".repeat(Math.min(perElement, REQUEST_XML_CAPS.textLength))}</E${i}>`;
  let capped = "<RenewalRequest>";
  for (let i = 0; Buffer.byteLength(capped + element(i)) < REQUEST_XML_CAPS.bytes - 32 && i < children; i++) {
    capped += element(i);
  }
  capped += "</RenewalRequest>";
  const now = new Date();
  const documents: Array<[string, string]> = [
    ["every field at its maximum, validly signed", biggest],
    ["every field at its maximum, tampered (digest mismatch)", tampered],
    ["unsigned, filling the byte and text caps", capped],
  ];
  for (const [name, xml] of documents) {
    const outcome = checkRequest(xml, now);
    opts.log(`request-cost: ${name}: ${Buffer.byteLength(xml)} B, ${outcome.ok ? "accepted" : `refused ${outcome.reason}`}`);
  }
  const genuineMs = cpuMs(() => checkRequest(genuine, now), runs);
  const costs = documents.map(([name, xml]) => ({ name, ms: cpuMs(() => checkRequest(xml, now), runs) }));
  const worst = costs.reduce((a, b) => (b.ms > a.ms ? b : a));
  opts.log(`request-cost: genuine ${genuineMs.toFixed(3)} ms; ${costs.map((c) => `${c.name} ${c.ms.toFixed(3)} ms`).join("; ")}`);
  return [
    latency(
      `worst request within the request caps (${worst.name}), CPU per verification`,
      worst.ms,
      "ms",
      `a genuine request's verification ×${WORST_TO_GENUINE_BOUND}`,
      genuineMs * WORST_TO_GENUINE_BOUND,
      1,
      `genuine ${genuineMs.toFixed(3)} ms (${Buffer.byteLength(genuine)} B); ${costs
        .map((c) => `${c.name} ${c.ms.toFixed(3)} ms`)
        .join("; ")}`,
    ),
  ];
}
