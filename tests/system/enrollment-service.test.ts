// The enrollment service as real processes (scripts/enrollment.ts, HTTPS verified with the root it wrote
// to its data folder): hostile element-count requests refused while genuine renewals get their SLC; two replicas on one
// PostgreSQL issue once; a foreign Host gets 421 and openssl verifies the TLS; the events export matches what clients
// saw; slow uploads are cut off by the request deadline; and the console alone starts and serves while the service is
// down. Outcomes are asserted, never timings (latencies are printed for the notes).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { expect as expectPage } from "@playwright/test";
import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type ClusterKeyPair, generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { DatabaseLockedError } from "@/lib/platform/db/client";
import { FormData, fetchTrusting } from "@/tests/support/enrollment-requests";
import { blankPglite } from "../support/databases";
import { freePort, kill9, killAllStarted, type Started, startConsole, startEnrollment, waitForHttpGone } from "../support/processes";
import { createTestTlsPki } from "../support/tls";
import { launchBrowser, signInPage } from "./support/browser";
import { ADMIN, prepareConsoleData, snapshot, withDatabase } from "./support/data";
import {
  type EnrollAnswer,
  enrollmentCli,
  enrollmentCliJson,
  hostileRequests,
  postEnroll,
  type Registered,
  registerCluster,
  renewalOf,
  rootOf,
  type ServiceTarget,
  serviceDataDir,
  signedRequest,
  verifyAnswer,
} from "./support/enrollment";
import { pause, t } from "./support/stack";

const DATABASE_URL = process.env.DATABASE_URL;
const STORM_SECONDS = Number(process.env.SYSTEM_STORM_SECONDS ?? 5);
const IN_FLIGHT = 20;

type Service = Started & ServiceTarget & { dataDir: string };

let dir = "";
let keys: ClusterKeyPair;
let otherKeys: ClusterKeyPair;
/** The service most blocks use: approval policy, so a 200 for a registered cluster is the automatic renewal path. */
let main: Service;
/** The SLC the main service's registered cluster has installed; each genuine renewal replaces it. */
let installed: Registered;

async function startService(name: string, opts: { policy: "open" | "approval"; env?: Record<string, string> }): Promise<Service> {
  const dataDir = path.join(dir, name);
  const proc = await startEnrollment({
    dataDir,
    port: await freePort(),
    policy: opts.policy,
    extraEnv: opts.env,
    blankStore: blankPglite(),
  });
  return { ...proc, dataDir };
}

/** The next genuine renewal of the main service's cluster: 200, a fresh SLC the console would install. */
async function renewGenuinely(): Promise<EnrollAnswer> {
  const renewal = renewalOf(keys, installed);
  const answer = await postEnroll(main, renewal.xml);
  if (answer.status === 200) {
    const verified = verifyAnswer(main, answer.body, renewal.fields, installed.validUntil);
    if (!verified.ok) throw new Error(`the renewed SLC does not verify: ${verified.failed} ${verified.reason} ${verified.detail}`);
    installed = { guid: installed.guid, slcXml: answer.body, serial: answer.serial ?? "", validUntil: verified.slc.validUntil };
  }
  return answer;
}

const submissionList = z.array(z.object({ id: z.string(), requestId: z.string(), state: z.string() }).loose());

async function submissionsOf(service: Service, state: "issued" | "all") {
  return submissionList.parse(await enrollmentCliJson(service.dataDir, ["requests", "list", "--state", state]));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-enrollment-system-"));
  [keys, otherKeys] = await Promise.all([generateClusterKeyPair(), generateClusterKeyPair()]);
  // A rate limit far above the storm's rate, so it is the XML gate that refuses the hostile requests, not the limiter.
  main = await startService("main", { policy: "approval", env: { RMS_ENROLLMENT_RATE_LIMIT: "100000" } });
  installed = await registerCluster(main, main.dataDir, keys);
}, 180_000);

afterAll(() => {
  killAllStarted();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("hostile requests in flight while a genuine renewal is signed", () => {
  it(`${IN_FLIGHT} hostile requests in flight for ${STORM_SECONDS} s: each refused with its reason, and every genuine renewal sent meanwhile gets its SLC`, async () => {
    const hostile = hostileRequests(keys);
    const issuedBefore = (await submissionsOf(main, "issued")).length;
    const deadline = Date.now() + STORM_SECONDS * 1_000;
    let inFlight = 0;
    const refused: Array<{ name: string; status: number; ms: number }> = [];
    const wrong: string[] = [];

    const lane = async (start: number) => {
      for (let i = start; Date.now() < deadline; i += IN_FLIGHT) {
        const item = hostile[i % hostile.length];
        if (!item) throw new Error("no hostile request");
        inFlight += 1;
        try {
          const answer = await postEnroll(main, item.body);
          refused.push({ name: item.name, status: answer.status, ms: answer.ms });
          if (answer.status !== item.expect.status || answer.error !== item.expect.error) {
            wrong.push(`${item.name}: HTTP ${answer.status} ${answer.body.slice(0, 200)}`);
          }
        } catch (error) {
          wrong.push(`${item.name}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          inFlight -= 1;
        }
      }
    };

    const genuine: Array<{ status: number; error: string | null; replayed: boolean; inFlightAtSend: number; ms: number }> = [];
    const renewals = async () => {
      // Pacing: the first renewal goes once the storm is under way, the next ones at intervals while it lasts (checked
      // right before sending: until the deadline no lane has stopped, so all of them have a request in flight).
      for (;;) {
        await pause(500);
        if (genuine.length > 0 && Date.now() >= deadline) break;
        const inFlightAtSend = inFlight;
        const answer = await renewGenuinely();
        genuine.push({ status: answer.status, error: answer.error, replayed: answer.replayed, inFlightAtSend, ms: answer.ms });
      }
    };

    await Promise.all([...Array.from({ length: IN_FLIGHT }, (_, i) => lane(i)), renewals()]);

    const byKind = hostile.map((item) => {
      const times = refused.filter((r) => r.name === item.name).map((r) => r.ms);
      return `${item.name} ×${times.length} p50 ${percentile(times, 50).toFixed(0)} ms max ${Math.max(...times).toFixed(0)} ms`;
    });
    console.log(
      `[system] storm: ${refused.length} hostile requests in ${STORM_SECONDS} s, ${IN_FLIGHT} in flight: ${byKind.join("; ")}. ` +
        `Genuine renewals: ${genuine.map((g) => `HTTP ${g.status} in ${g.ms.toFixed(0)} ms with ${g.inFlightAtSend} hostile in flight`).join(", ")}`,
    );

    expect(wrong).toEqual([]);
    // Every kind was refused, more than once round.
    for (const item of hostile) expect(refused.filter((r) => r.name === item.name).length).toBeGreaterThan(1);
    expect(genuine.length).toBeGreaterThan(0);
    expect(genuine.map((g) => [g.status, g.error, g.replayed])).toEqual(genuine.map(() => [200, null, false]));
    expect(genuine.every((g) => g.inFlightAtSend > 0)).toBe(true);
    // Nothing was stored, let alone issued, for a hostile request: the only new SLCs are the genuine renewals.
    expect((await submissionsOf(main, "issued")).length).toBe(issuedBefore + genuine.length);
    expect((await submissionsOf(main, "all")).length).toBe(issuedBefore + genuine.length);
  }, 180_000);
});

describe("transport: Host allow-list and TLS", () => {
  /** A request with a Host header of our choosing, TLS still verified against the root (SNI localhost, which it covers). */
  function withHost(target: ServiceTarget, route: string, host: string, opts: { method?: string; body?: string } = {}) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request(
        `${target.url}${route}`,
        {
          method: opts.method ?? "GET",
          agent: false,
          ca: rootOf(target),
          servername: "localhost",
          headers: { Host: host, ...(opts.body ? { "Content-Type": "application/xml" } : {}) },
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on("error", reject);
      req.end(opts.body);
    });
  }

  it("a foreign Host header gets 421 (pages, the API, another port), and a post under it leaves nothing behind", async () => {
    const port = new URL(main.url).port;
    for (const [route, host] of [
      ["/healthz", "attacker.example"],
      ["/", `attacker.example:${port}`],
      ["/root.pem", "127.0.0.1:1"],
    ] as const) {
      const answer = await withHost(main, route, host);
      expect(answer.status, `${route} with Host ${host}`).toBe(421);
      expect(answer.body).toContain("Misdirected");
    }
    // DNS rebinding: a page at rebind.example posting a genuine request to the service's address.
    const request = signedRequest(keys);
    const posted = await withHost(main, "/api/enroll", "rebind.example", { method: "POST", body: request.xml });
    expect(posted.status).toBe(421);
    const shown = await enrollmentCli(main.dataDir, ["requests", "show", request.fields.requestId]);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain(`There is no submission or request ${request.fields.requestId}`);
    // The names it serves still work.
    expect((await withHost(main, "/healthz", `127.0.0.1:${port}`)).status).toBe(200);
    expect((await withHost(main, "/healthz", `localhost:${port}`)).status).toBe(200);
  });

  /** `openssl s_client` against the service, asynchronously; its exit code and output. */
  function sClient(target: ServiceTarget, caFile: string): Promise<{ code: number; out: string }> {
    const { port } = new URL(target.url);
    return new Promise((resolve, reject) => {
      const child = execFile(
        "openssl",
        ["s_client", "-connect", `127.0.0.1:${port}`, "-verify_return_error", "-CAfile", caFile, "-verify_ip", "127.0.0.1"],
        { encoding: "utf8", timeout: 30_000 },
        (error, stdout, stderr) => {
          if (error && typeof error.code !== "number") reject(error);
          else resolve({ code: error ? Number(error.code) : 0, out: `${stdout}${stderr}` });
        },
      );
      child.stdin?.end();
    });
  }

  it("openssl s_client -verify_return_error verifies the service's TLS with the root from its data folder, and refuses it with another root", async () => {
    const verified = await sClient(main, main.rootPath);
    expect(verified.out).toMatch(/Verify return code: 0 \(ok\)/);
    expect(verified.code).toBe(0);
    const otherRoot = path.join(dir, "other-root.pem");
    fs.writeFileSync(otherRoot, (await createTestTlsPki({ label: "Other" })).rootPem);
    const refused = await sClient(main, otherRoot);
    expect(refused.code).not.toBe(0);
    expect(refused.out).toMatch(/verify error|Verify return code: [1-9]/);
  });
});

describe("slow uploads (slow-loris)", () => {
  interface Trickle {
    /** Resolves once the TLS connection is up and the request headers are written. */
    started: Promise<void>;
    ended: Promise<{ bodyBytesSent: number; answer: string; cutOff: boolean }>;
    open(): boolean;
  }

  // Within the renewal request's 32 KB cap, so only the deadline can end it (a larger Content-Length is 413 at once).
  const TRICKLE_BYTES = 30_000;
  // The client's own limit, far past the service's 10 s request deadline: reaching it means the service never cut it off.
  const GIVE_UP_MS = 45_000;

  /** A client that sends its headers, then one byte of body every 250 ms (Content-Length or chunked), and never finishes. */
  function trickle(target: ServiceTarget, mode: "content-length" | "chunked"): Trickle {
    const { port } = new URL(target.url);
    let isOpen = true;
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (markStarted = resolve));
    const ended = new Promise<{ bodyBytesSent: number; answer: string; cutOff: boolean }>((resolve) => {
      let sent = 0;
      let answer = "";
      let timer: NodeJS.Timeout | undefined;
      const socket = tls.connect({ host: "127.0.0.1", port: Number(port), ca: rootOf(target) }, () => {
        const framing = mode === "chunked" ? "Transfer-Encoding: chunked" : `Content-Length: ${TRICKLE_BYTES}`;
        socket.write(`POST /api/enroll HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/xml\r\n${framing}\r\n\r\n`, () =>
          markStarted(),
        );
        timer = setInterval(() => {
          if (socket.destroyed || !socket.writable) return;
          socket.write(mode === "chunked" ? "1\r\n<\r\n" : "<");
          sent += 1;
        }, 250);
      });
      let gaveUp = false;
      const giveUp = setTimeout(() => {
        gaveUp = true;
        socket.destroy();
      }, GIVE_UP_MS);
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (answer += chunk));
      socket.on("error", () => undefined); // a reset after the service's answer is part of being cut off
      socket.on("close", () => {
        isOpen = false;
        clearInterval(timer);
        clearTimeout(giveUp);
        markStarted();
        resolve({ bodyBytesSent: sent, answer, cutOff: !gaveUp });
      });
    });
    return { started, ended, open: () => isOpen };
  }

  it("ten clients trickling their bodies are cut off by the request deadline (408), and a genuine renewal sent meanwhile gets its SLC", async () => {
    const issuedBefore = (await submissionsOf(main, "issued")).length;
    const clients = Array.from({ length: 10 }, (_, i) => trickle(main, i % 2 === 0 ? "content-length" : "chunked"));
    await Promise.all(clients.map((c) => c.started));
    const openAtSend = clients.filter((c) => c.open()).length;
    const answer = await renewGenuinely();
    const openAtAnswer = clients.filter((c) => c.open()).length;
    const results = await Promise.all(clients.map((c) => c.ended));
    console.log(
      `[system] slow-loris: genuine renewal HTTP ${answer.status} in ${answer.ms.toFixed(0)} ms with ${openAtSend} trickling clients open ` +
        `(${openAtAnswer} still open at its answer); the trickling clients were cut off after ${results.map((r) => r.bodyBytesSent).join(", ")} body bytes`,
    );
    expect(openAtSend).toBe(clients.length);
    expect(answer.status).toBe(200);
    expect(answer.replayed).toBe(false);
    for (const result of results) {
      expect(result.cutOff).toBe(true);
      expect(result.answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(result.bodyBytesSent).toBeLessThan(TRICKLE_BYTES);
    }
    expect((await submissionsOf(main, "issued")).length).toBe(issuedBefore + 1);
  }, 90_000);
});

const eventSchema = z
  .object({
    id: z.number().int(),
    at: z.iso.datetime(),
    channel: z.enum(["api", "web", "operator", "cli"]),
    outcome: z.enum(["issued", "replayed", "pending_approval", "approved", "rejected", "refused", "registration_revoked"]),
    status: z.number().int().nullable(),
    reason: z.string().nullable(),
    detail: z.string().nullable(),
    bytes: z.number().int().nullable(),
    remoteAddress: z.string().nullable(),
    actor: z.string().nullable(),
    guid: z.string().nullable(),
    requestId: z.string().nullable(),
    submissionId: z.string().nullable(),
    slcSerial: z.string().nullable(),
  })
  .strict();
type ExportedEvent = z.infer<typeof eventSchema>;
/** The event a client's answer must have left: only the fields that client can know. */
type ExpectedEvent = Partial<ExportedEvent>;

/** Removes from `events` the first one with every field of `want`; false when there is none. */
function takeMatching(events: ExportedEvent[], want: ExpectedEvent): boolean {
  const index = events.findIndex((event) => Object.entries(want).every(([key, value]) => event[key as keyof ExportedEvent] === value));
  if (index < 0) return false;
  events.splice(index, 1);
  return true;
}

describe("the events export (npm run enrollment -- submissions export)", () => {
  const RATE_LIMIT = 30;
  let service: Service;
  beforeAll(async () => {
    service = await startService("export", { policy: "approval", env: { RMS_ENROLLMENT_RATE_LIMIT: String(RATE_LIMIT) } });
  }, 120_000);
  afterAll(async () => {
    if (service) await kill9(service);
  });

  it("writes one JSON line per recorded outcome, refusals included, each matching what its client saw", async () => {
    const clients: ExpectedEvent[] = [];
    const operator: ExpectedEvent[] = [];
    const api = "api" as const;

    // A new cluster: held for approval, asked again, approved on the CLI, then its SLC.
    const first = signedRequest(keys);
    const requestId = first.fields.requestId;
    const held = await postEnroll(service, first.xml);
    expect([held.status, held.error]).toEqual([202, null]);
    clients.push({ channel: api, outcome: "pending_approval", status: 202, requestId, submissionId: held.submissionId });
    const heldAgain = await postEnroll(service, first.xml);
    expect([heldAgain.status, heldAgain.submissionId]).toEqual([202, held.submissionId]);
    clients.push({ channel: api, outcome: "replayed", requestId, submissionId: held.submissionId });
    await enrollmentCliJson(service.dataDir, ["requests", "approve", held.submissionId ?? "", "--by", "system-test"]);
    const approved = await postEnroll(service, first.xml);
    expect([approved.status, approved.replayed]).toEqual([200, true]);
    operator.push({ channel: "cli", outcome: "approved", actor: "system-test", requestId, slcSerial: approved.serial });
    clients.push({ channel: api, outcome: "replayed", requestId, submissionId: held.submissionId, slcSerial: approved.serial });
    const verified = verifyAnswer(service, approved.body, first.fields, null);
    if (!verified.ok) throw new Error(`approved SLC: ${verified.failed} ${verified.reason}`);
    let cluster: Registered = {
      guid: first.fields.clusterGuid,
      slcXml: approved.body,
      serial: approved.serial ?? "",
      validUntil: verified.slc.validUntil,
    };

    // Its renewal, issued at once; the same again; its request ID with other content; a foreign key for its GUID.
    const renewal = renewalOf(keys, cluster);
    const renewed = await postEnroll(service, renewal.xml);
    expect([renewed.status, renewed.replayed]).toEqual([200, false]);
    clients.push({ channel: api, outcome: "issued", status: 200, requestId: renewal.fields.requestId, slcSerial: renewed.serial });
    cluster = { ...cluster, slcXml: renewed.body, serial: renewed.serial ?? "" };
    const replayed = await postEnroll(service, renewal.xml);
    expect([replayed.status, replayed.replayed, replayed.serial]).toEqual([200, true, renewed.serial]);
    clients.push({ channel: api, outcome: "replayed", requestId: renewal.fields.requestId, slcSerial: renewed.serial });
    const conflicting = signedRequest(keys, { ...renewal.fields, createdAt: new Date(renewal.fields.createdAt.getTime() + 1_000) });
    const conflict = await postEnroll(service, conflicting.xml);
    expect([conflict.status, conflict.error]).toEqual([409, "request_id_conflict"]);
    clients.push({ channel: api, outcome: "refused", status: 409, reason: "request_id_conflict", requestId: renewal.fields.requestId });
    const foreign = signedRequest(otherKeys, { clusterGuid: cluster.guid });
    const foreignAnswer = await postEnroll(service, foreign.xml);
    expect([foreignAnswer.status, foreignAnswer.error]).toEqual([403, "guid_registered_to_other_key"]);
    clients.push({
      channel: api,
      outcome: "refused",
      status: 403,
      reason: "guid_registered_to_other_key",
      requestId: foreign.fields.requestId,
      guid: cluster.guid,
    });

    // Another new cluster, rejected by the operator: asked again, the answer is the rejection.
    const second = signedRequest(otherKeys);
    const secondHeld = await postEnroll(service, second.xml);
    expect(secondHeld.status).toBe(202);
    clients.push({ channel: api, outcome: "pending_approval", status: 202, requestId: second.fields.requestId });
    await enrollmentCliJson(service.dataDir, [
      "requests",
      "reject",
      secondHeld.submissionId ?? "",
      "--reason",
      "unknown server",
      "--by",
      "system-test",
    ]);
    operator.push({
      channel: "cli",
      outcome: "rejected",
      actor: "system-test",
      reason: "unknown server",
      requestId: second.fields.requestId,
    });
    const rejected = await postEnroll(service, second.xml);
    expect([rejected.status, rejected.error]).toEqual([403, "rejected_by_operator"]);
    clients.push({ channel: api, outcome: "replayed", requestId: second.fields.requestId, submissionId: secondHeld.submissionId });

    // Hostile bodies, a wrong media type, and oversize bodies with and without a Content-Length.
    for (const item of hostileRequests(keys)) {
      const answer = await postEnroll(service, item.body);
      expect([answer.status, answer.error], item.name).toEqual([item.expect.status, item.expect.error]);
      clients.push({ channel: api, outcome: "refused", status: item.expect.status, reason: item.expect.error });
    }
    const plain = await postEnroll(service, renewalOf(keys, cluster).xml, { contentType: "text/plain" });
    expect([plain.status, plain.error]).toEqual([415, "unsupported_media_type"]);
    clients.push({ channel: api, outcome: "refused", status: 415, reason: "unsupported_media_type" });
    for (const chunked of [false, true]) {
      const oversize = await postEnroll(service, `<RenewalRequest>${"x".repeat(300 * 1024)}</RenewalRequest>`, { chunked });
      expect([oversize.status, oversize.error], chunked ? "chunked" : "with Content-Length").toEqual([413, "too_large"]);
      clients.push({ channel: api, outcome: "refused", status: 413, reason: "too_large" });
    }

    // The web site: a renewal uploaded (issued, off to its page), and a hostile file.
    const tfetch = fetchTrusting(rootOf(service));
    const upload = async (xml: string) => {
      const form = new FormData();
      form.append("request", new Blob([xml], { type: "text/xml" }), "RMS01RenewalRequest.xml");
      const response = await tfetch(`${service.url}/submissions`, { method: "POST", body: form, redirect: "manual" });
      await response.arrayBuffer();
      return response;
    };
    const webRenewal = renewalOf(keys, cluster);
    const uploaded = await upload(webRenewal.xml);
    expect(uploaded.status).toBe(303);
    const submissionId = /^\/submissions\/([0-9a-f]{32})$/.exec(uploaded.headers.get("location") ?? "")?.[1];
    expect(submissionId).toBeDefined();
    clients.push({ channel: "web", outcome: "issued", status: 200, requestId: webRenewal.fields.requestId, submissionId });
    const proto = hostileRequests(keys).find((item) => item.expect.error === "reserved_name");
    if (!proto) throw new Error("no __proto__ request");
    expect((await upload(proto.body)).status).toBe(422);
    clients.push({ channel: "web", outcome: "refused", status: 422, reason: "reserved_name" });

    // A burst past the per-address rate limit: whatever each client got, it is on record.
    const burst = await Promise.all(Array.from({ length: 40 }, () => postEnroll(service, proto.body)));
    for (const answer of burst) clients.push({ channel: api, outcome: "refused", status: answer.status, reason: answer.error });
    const limited = burst.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited.every((answer) => answer.error === "rate_limited" && Number(answer.retryAfter) > 0)).toBe(true);
    expect(burst.every((answer) => answer.status === 429 || answer.status === 422)).toBe(true);

    const file = path.join(dir, "events.jsonl");
    const exported = await enrollmentCli(service.dataDir, ["submissions", "export", "--output", file]);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line !== "");
    const events = lines.map((line) => eventSchema.parse(JSON.parse(line)));
    expect(exported.stderr).toContain(`Exported ${events.length} events to ${file}.`);
    // Without --output, the same lines on standard output.
    const toStdout = await enrollmentCli(service.dataDir, ["submissions", "export"]);
    expect(toStdout.stdout.split("\n").filter((line) => line !== "")).toEqual(lines);

    console.log(
      `[system] export: ${events.length} lines for ${clients.length} client answers and ${operator.length} operator decisions ` +
        `(${limited.length} of the burst's 40 rate-limited)`,
    );
    expect(events.map((event) => event.id)).toEqual([...events.map((event) => event.id)].sort((x, y) => x - y));
    expect(events).toHaveLength(clients.length + operator.length);
    const fromClients = events.filter((event) => event.channel === "api" || event.channel === "web");
    expect(fromClients.every((event) => event.remoteAddress !== null)).toBe(true);
    // The most specific expectations first, so a general one never takes the event a specific one needs.
    const bySpecificity = [...clients].sort((x, y) => Object.keys(y).length - Object.keys(x).length);
    expect(bySpecificity.filter((want) => !takeMatching(fromClients, want))).toEqual([]);
    expect(fromClients).toEqual([]);
    const fromOperator = events.filter((event) => event.channel === "cli");
    expect(operator.filter((want) => !takeMatching(fromOperator, want))).toEqual([]);
    expect(fromOperator).toEqual([]);
  }, 180_000);
});

if (!DATABASE_URL) console.log("[system] DATABASE_URL is unset: the two-replica test is skipped (CI sets it).");

describe.skipIf(!DATABASE_URL)("two replicas on one PostgreSQL (skipped unless DATABASE_URL is set; CI sets it)", () => {
  const ROUNDS = 20;
  const schema = `rms_enrollment_sys_${randomBytes(5).toString("hex")}`;
  let a: Service;
  let b: Service;

  beforeAll(async () => {
    const env = {
      RMS_ENROLLMENT_DATABASE_URL: DATABASE_URL ?? "",
      RMS_ENROLLMENT_DATABASE_SCHEMA: schema,
      RMS_ENROLLMENT_RATE_LIMIT: "100000",
    };
    // One after the other: the first start migrates the schema (migrations are not locked across processes).
    a = await startService("replica-a", { policy: "open", env });
    // The same CA in both data folders: both sign with it, and both TLS certificates chain to its root.
    const caOfB = path.join(serviceDataDir(path.join(dir, "replica-b")), "ca");
    fs.mkdirSync(path.dirname(caOfB), { recursive: true, mode: 0o700 });
    fs.cpSync(path.join(serviceDataDir(a.dataDir), "ca"), caOfB, { recursive: true });
    b = await startService("replica-b", { policy: "open", env });
  }, 180_000);

  afterAll(async () => {
    for (const replica of [a, b]) if (replica) await kill9(replica);
    if (!DATABASE_URL) return;
    const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    } finally {
      await pool.end();
    }
  });

  it(`the same request posted to both at the same moment, ${ROUNDS} times: one SLC per request ID, and both answers carry its serial`, async () => {
    expect(fs.readFileSync(b.rootPath, "utf8")).toBe(fs.readFileSync(a.rootPath, "utf8"));
    expect(b.url).not.toBe(a.url);
    const rounds: Array<{ requestId: string; fromA: EnrollAnswer; fromB: EnrollAnswer }> = [];
    for (let i = 0; i < ROUNDS; i++) {
      const request = signedRequest(keys);
      const [fromA, fromB] = await Promise.all([postEnroll(a, request.xml), postEnroll(b, request.xml)]);
      rounds.push({ requestId: request.fields.requestId, fromA, fromB });
    }
    const issuedByA = rounds.filter((r) => r.fromA.status === 200 && !r.fromA.replayed).length;
    console.log(
      `[system] replicas: ${ROUNDS} requests each posted to both at once; issued by A ${issuedByA}, by B ${ROUNDS - issuedByA}; ` +
        `answer times A p50 ${percentile(
          rounds.map((r) => r.fromA.ms),
          50,
        ).toFixed(0)} ms, B p50 ${percentile(
          rounds.map((r) => r.fromB.ms),
          50,
        ).toFixed(0)} ms`,
    );
    for (const { requestId, fromA, fromB } of rounds) {
      expect([fromA.status, fromB.status], requestId).toEqual([200, 200]);
      expect(fromA.serial, requestId).toMatch(/^[0-9A-F]{32}$/);
      expect(fromB.serial, requestId).toBe(fromA.serial);
      expect(fromB.body, requestId).toBe(fromA.body);
      // One replica issued it; the other answered with that same SLC.
      expect(
        [fromA.replayed, fromB.replayed].filter((replayed) => !replayed),
        requestId,
      ).toHaveLength(1);
    }

    const pool = new Pool({ connectionString: DATABASE_URL, max: 1 });
    try {
      const perRequest = await pool.query<{ request_id: string; slcs: number; serial: string | null }>(
        `SELECT s.request_id, count(i.serial)::int AS slcs, min(i.serial) AS serial
           FROM ${schema}.submissions s LEFT JOIN ${schema}.issued_slcs i ON i.submission_id = s.id
          GROUP BY s.request_id`,
      );
      const stored = new Map(perRequest.rows.map((row) => [row.request_id, row]));
      expect(stored.size).toBe(ROUNDS);
      for (const { requestId, fromA } of rounds) {
        expect(stored.get(requestId)?.slcs, requestId).toBe(1);
        expect(stored.get(requestId)?.serial, requestId).toBe(fromA.serial);
      }
      const total = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.issued_slcs`);
      expect(total.rows[0]?.n).toBe(ROUNDS);
      const outcomes = await pool.query<{ outcome: string; n: number }>(
        `SELECT outcome, count(*)::int AS n FROM ${schema}.events GROUP BY outcome ORDER BY outcome`,
      );
      expect(Object.fromEntries(outcomes.rows.map((row) => [row.outcome, row.n]))).toEqual({ issued: ROUNDS, replayed: ROUNDS });
    } finally {
      await pool.end();
    }
  }, 180_000);
});

describe("the console alone (npm run start:console) while the enrollment service is down", () => {
  let consoleDir = "";
  let deadUrl = "";
  let rootPath = "";
  let clusterId = "";
  let before: Awaited<ReturnType<typeof snapshot>>;
  let consoleProc: (Started & { url: string }) | undefined;
  let browser: Awaited<ReturnType<typeof launchBrowser>> | undefined;

  beforeAll(async () => {
    // A console data folder enrolled once (as after its first run), then the service stops: nothing listens there.
    const service = await startService("console-only-service", { policy: "open" });
    consoleDir = path.join(dir, "console-only");
    clusterId = (await prepareConsoleData({ dataDir: consoleDir, enrollmentUrl: service.url, trustRoots: [service.rootPath] })).clusterId;
    before = await withDatabase({ dataDir: consoleDir }, (db) => snapshot(db, clusterId));
    await kill9(service);
    await waitForHttpGone(service.url, 10_000);
    deadUrl = service.url;
    rootPath = service.rootPath;
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    if (consoleProc) await kill9(consoleProc);
  });

  /**
   * The console's database once the killed console has let go of it: start.ts runs `next start` as its child, which
   * holds the PGlite lock and is gone a moment after the script itself.
   */
  async function unlockedSnapshot(): Promise<Awaited<ReturnType<typeof snapshot>>> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await withDatabase({ dataDir: consoleDir }, (db) => snapshot(db, clusterId));
      } catch (error) {
        if (!(error instanceof DatabaseLockedError) || attempt >= 100) throw error;
        await pause(100);
      }
    }
  }

  it("starts (scripts/start.ts --console-only, as npm run start:console), logs one line saying the service cannot be used, and serves /sign-in", async () => {
    consoleProc = await startConsole({
      dataDir: consoleDir,
      port: await freePort(),
      enrollmentUrl: deadUrl,
      trustRoots: [rootPath],
      via: "start-script",
      logName: "console-only.log",
    });
    const log = fs.readFileSync(consoleProc.log, "utf8");
    expect(log).toContain(`Console only: the enrollment service is expected at ${deadUrl}`);
    expect(log.match(/cannot be used right now \(unreachable/g)).toHaveLength(1);
    const signIn = await fetch(`${consoleProc.url}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain("Sign in");
  }, 180_000);

  it("an online renewal then says the service cannot be reached and suggests Offline, and changes nothing", async () => {
    if (!consoleProc) throw new Error("the console did not start");
    const message = t("failure.unreachable", { url: deadUrl });
    expect(message).toContain("Offline");
    browser = await launchBrowser();
    const { page } = await signInPage(browser, consoleProc.url, ADMIN);
    await page.goto(`/clusters/${clusterId}`);
    await page.getByRole("region", { name: "Cluster resources" }).getByRole("button", { name: "Renew", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Renew server licensor certificate" });
    await dialog.getByRole("radio", { name: "Online" }).check();
    await dialog.getByRole("button", { name: "Renew", exact: true }).click();
    await expectPage(dialog.getByText(message)).toBeVisible({ timeout: 30_000 });
    await kill9(consoleProc);
    await waitForHttpGone(consoleProc.url, 10_000);
    consoleProc = undefined;
    const after = await unlockedSnapshot();
    expect(after.activeFingerprints).toEqual(before.activeFingerprints);
    expect(after.certificateCount).toBe(before.certificateCount);
    expect(after.audit.renew_online_failed).toBe((before.audit.renew_online_failed ?? 0) + 1);
    expect(after.audit.renew_online_succeeded ?? 0).toBe(before.audit.renew_online_succeeded ?? 0);
  }, 120_000);
});
