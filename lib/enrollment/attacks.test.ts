// The enrollment service's own doors, each attack reproduced against a real service over HTTPS behind a
// trusted proxy (this process is the proxy: X-Forwarded-For names the client): the online API's rate limit per client
// lane, request IDs bound to their cluster, held submissions capped with bulk reject, the operator sign-in throttled
// per name and source, a refused file remembered, and /api/renewal-info saying only the window.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClusterKeyPair, documentFingerprint, generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { buildRenewalRequest, type RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { seedEnrollmentStore } from "../../tests/support/enrollment";
import { fetchTrusting, requestFieldsFor, type TrustingFetch } from "../../tests/support/enrollment-requests";
import { runAdminCommand } from "./admin";
import { addOperator } from "./operators";
import { type EnrollmentService, startEnrollmentService } from "./server";

let tmp = "";
let service: EnrollmentService;
let keys: ClusterKeyPair;
let otherKeys: ClusterKeyPair;
let tfetch: TrustingFetch;

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "enrollment-attacks-"));
  [keys, otherKeys] = await Promise.all([generateClusterKeyPair(), generateClusterKeyPair()]);
  seedEnrollmentStore(tmp);
  service = await startEnrollmentService({
    host: "127.0.0.1",
    port: 0,
    dataDir: tmp,
    validityDays: 30,
    issuerName: "Attack Test Enrollment Service",
    policy: "approval",
    workers: 1,
    rateLimitPerMinute: 6,
    trustedProxies: ["127.0.0.1"],
    maxPendingPerSource: 2,
    logError: () => undefined,
  });
  tfetch = fetchTrusting(service.rootCertPem);
  await addOperator(service.database.db, "rita", "correct horse battery staple", new Date());
}, 120_000);

afterAll(async () => {
  await service?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

const post = (xml: string, client: string) =>
  tfetch(`${service.url}/api/enroll`, {
    method: "POST",
    headers: { "content-type": "application/xml", "x-forwarded-for": client },
    body: xml,
  });

const sign = (f: RenewalRequestFields, k: ClusterKeyPair = keys) => buildRenewalRequest(f, k.privateKeyPem);

/** Enrolls a new cluster from `client` and has the operator approve it; returns its fields and issued SLC. */
async function registeredCluster(client: string) {
  const f = requestFieldsFor(keys);
  const held = await post(sign(f), client);
  expect(held.status).toBe(202);
  const { submissionId } = (await held.json()) as { submissionId: string };
  expect((await service.desk.approve(submissionId, "rita", "cli")).ok).toBe(true);
  const slcXml = (await service.desk.find({ id: submissionId }))?.slcXml ?? "";
  return { f, slcXml };
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

function operatorPost(pathName: string, fields: Record<string, string>, client: string, cookie = "") {
  return tfetch(`${service.url}${pathName}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: service.url, "x-forwarded-for": client, cookie },
    body: form(fields),
    redirect: "manual",
  });
}

describe("the online API's rate limit is per client lane, not per socket address", () => {
  it("junk from a process sharing the console's address does not rate-limit a registered cluster's renewal", async () => {
    const client = "198.51.100.10";
    const { f, slcXml } = await registeredCluster(client);
    // Another local process floods the service from the same address, with requests for no registered cluster.
    let limited = false;
    for (let i = 0; i < 8 && !limited; i++) {
      limited = (await post(`<RenewalRequest n="${i}"/>`, client)).status === 429;
    }
    expect(limited).toBe(true);
    const renewal = requestFieldsFor(keys, { clusterGuid: f.clusterGuid, installedSlcFingerprint: documentFingerprint(slcXml) });
    const res = await post(sign(renewal), client);
    expect(res.status).toBe(200);
    // The events name the client behind the trusted proxy, not the proxy.
    const events = await service.desk.eventsAfter(0, 10_000);
    expect(events.filter((e) => e.reason === "rate_limited").every((e) => e.remoteAddress === client)).toBe(true);
  });
});

describe("a request ID is bound to its cluster GUID and key", () => {
  it("a re-serialised copy sent first does not burn the genuine request's ID; another key using the ID touches nothing", async () => {
    const f = requestFieldsFor(keys);
    const genuine = sign(f);
    // Same signed content, other bytes: no XML declaration, a space in a tag, a character reference.
    const copy = genuine.replace(/^<\?xml[^>]*\?>\n/, "").replace("<ServerName>RMS01", "<ServerName >RMS&#x30;1");
    expect(copy).not.toBe(genuine);
    const first = await post(copy, "198.51.100.20");
    expect(first.status).toBe(202);
    const second = await post(genuine, "198.51.100.21");
    expect(second.status).toBe(202);
    const a = (await first.json()) as { submissionId: string };
    const b = (await second.json()) as { submissionId: string };
    expect(b.submissionId).toBe(a.submissionId);
    // Someone else's key and cluster with the same request ID: its own submission, not a 409 for the genuine one.
    const squatter = await post(sign(requestFieldsFor(otherKeys, { requestId: f.requestId }), otherKeys), "198.51.100.22");
    expect(squatter.status).toBe(202);
    expect(((await squatter.json()) as { submissionId: string }).submissionId).not.toBe(a.submissionId);
    // The key holder changing the content under the same ID is still a conflict.
    const changed = await post(sign({ ...f, name: "changed" }), "198.51.100.23");
    expect(changed.status).toBe(409);
  });
});

describe("held submissions are capped per source, and an operator rejects a flood at once", () => {
  it("refuses a third held enrollment from one source; bulk reject on the page and the CLI clears them", async () => {
    const flooder = "198.51.100.30";
    for (let i = 0; i < 2; i++) expect((await post(sign(requestFieldsFor(keys)), flooder)).status).toBe(202);
    const third = await post(sign(requestFieldsFor(keys)), flooder);
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ error: "too_many_pending" });
    // Another source is not held back by the flooder.
    expect((await post(sign(requestFieldsFor(keys)), "198.51.100.31")).status).toBe(202);

    const signedIn = await operatorPost("/operator/sign-in", { name: "rita", password: "correct horse battery staple" }, "203.0.113.40");
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const page = await (await tfetch(`${service.url}/operator`, { headers: { cookie } })).text();
    expect(page).toContain(flooder);
    const bulk = await operatorPost("/operator/reject-pending", { source: flooder, reason: "flood" }, "203.0.113.40", cookie);
    expect(bulk.status).toBe(303);
    // Post/redirect/get: the notice rides a cookie the next page consumes, not the address (a reload or the language
    // switch would repeat it).
    expect(bulk.headers.get("location")).toBe("/operator");
    const flash = (bulk.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(flash).toBe("__Host-rms-operator-notice=bulkRejected-2");
    const shown = await tfetch(`${service.url}/operator`, { headers: { cookie: `${cookie}; ${flash}`, "accept-language": "en" } });
    expect(await shown.text()).toContain("Rejected 2 requests.");
    expect(shown.headers.get("set-cookie")).toMatch(/^__Host-rms-operator-notice=;.*Max-Age=0/);
    const again = await (await tfetch(`${service.url}/operator`, { headers: { cookie, "accept-language": "en" } })).text();
    expect(again).not.toContain("Rejected 2 requests.");
    // A forged notice is not shown.
    const forged = await tfetch(`${service.url}/operator`, { headers: { cookie: `${cookie}; __Host-rms-operator-notice=<b>x</b>` } });
    expect(await forged.text()).not.toContain("<b>x</b>");
    expect((await post(sign(requestFieldsFor(keys)), flooder)).status).toBe(202);

    const cli = await runAdminCommand(
      service.desk,
      service.database,
      { command: "requests.rejectPending", actor: "rita", reason: "flood" },
      new Date(),
    );
    expect(cli.ok && (cli.value as { rejected: number }).rejected).toBeGreaterThanOrEqual(2);
    expect(await service.desk.list({ state: "pending_approval" })).toEqual([]);
  });
});

describe("operator sign-in is throttled like the console's", () => {
  it("locks the name for the guessing source only: the operator's own browser elsewhere still signs in", async () => {
    const attacker = "203.0.113.50";
    for (let i = 0; i < 5; i++)
      expect((await operatorPost("/operator/sign-in", { name: "rita", password: `guess-${i}` }, attacker)).status).toBe(401);
    const locked = await operatorPost("/operator/sign-in", { name: "rita", password: "correct horse battery staple" }, attacker);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    const own = await operatorPost("/operator/sign-in", { name: "rita", password: "correct horse battery staple" }, "203.0.113.51");
    expect(own.status).toBe(303);
    const events = await service.desk.eventsAfter(0, 10_000);
    expect(events.at(-1)?.reason).toBe("operator_sign_in_throttled");
  });
});

describe("hostile documents", () => {
  it("remembers a refused document: the same file again is refused without being read", async () => {
    const tampered = sign(requestFieldsFor(keys)).replace("<ServerName>RMS01", "<ServerName>RMS02");
    for (let i = 0; i < 2; i++) {
      const res = await post(tampered, "198.51.100.60");
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ error: "digest_mismatch" });
    }
    const [before, last] = (await service.desk.eventsAfter(0, 10_000)).slice(-2);
    expect(before).toMatchObject({ reason: "digest_mismatch" });
    expect(last).toMatchObject({ reason: "digest_mismatch", detail: "refused before (remembered)" });
  });

  it("refuses a request larger than a request can be (the request's own cap) before reading it", async () => {
    const res = await post(`<RenewalRequest>${"x".repeat(40 * 1024)}</RenewalRequest>`, "198.51.100.61");
    expect(res.status).toBe(413);
  });
});

describe("/api/renewal-info", () => {
  it("answers a malformed path with 400, an unknown GUID with 404, and a cluster only its window (no serial)", async () => {
    expect((await tfetch(`${service.url}/api/renewal-info/%E0%A4%A`)).status).toBe(400);
    expect((await tfetch(`${service.url}/api/renewal-info/%`)).status).toBe(400);
    expect((await tfetch(`${service.url}/api/renewal-info/${encodeURIComponent("{00000000-0000-0000-0000-000000000000}")}`)).status).toBe(
      404,
    );
    const { f } = await registeredCluster("198.51.100.70");
    const res = await tfetch(`${service.url}/api/renewal-info/${encodeURIComponent(f.clusterGuid)}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(["suggestedWindow"]);
  });
});
