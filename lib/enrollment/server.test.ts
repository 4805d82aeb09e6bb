// The enrollment service over real HTTPS: TLS verified against its own root, Host allow-list, the online API and the
// web site, who may get an SLC (registrations, approval), idempotent answers, hostile input, and the event record.
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs/promises";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClusterKeyPair, documentFingerprint, generateClusterKeyPair, publicKeyFingerprint } from "@/lib/core/certificates/keys";
import { buildRenewalRequest, type RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { verifySlc } from "@/lib/core/certificates/verify-slc";
import { seedEnrollmentStore } from "../../tests/support/enrollment";
import { FormData, fetchTrusting, requestFieldsFor, type TrustingFetch } from "../../tests/support/enrollment-requests";
import { addOperator } from "./operators";
import { type EnrollmentService, type EnrollmentServiceConfig, startEnrollmentService } from "./server";

const VALIDITY_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

let tmp = "";
let open: EnrollmentService;
let held: EnrollmentService;
let keys: ClusterKeyPair;
let otherKeys: ClusterKeyPair;
let tfetch: TrustingFetch;
let heldFetch: TrustingFetch;

function config(dataDir: string, overrides: Partial<EnrollmentServiceConfig> = {}): EnrollmentServiceConfig {
  return {
    host: "127.0.0.1",
    port: 0,
    dataDir,
    validityDays: VALIDITY_DAYS,
    issuerName: "Test Enrollment Service",
    policy: "open",
    workers: 1,
    rateLimitPerMinute: 10_000,
    logError: () => undefined,
    ...overrides,
  };
}

/** A service on `dataDir`, its store a copy of the run's new, empty cluster when the folder is new (no initdb). */
function start(dataDir: string, overrides: Partial<EnrollmentServiceConfig> = {}): Promise<EnrollmentService> {
  seedEnrollmentStore(dataDir);
  return startEnrollmentService(config(dataDir, overrides));
}

const fields = (overrides: Partial<RenewalRequestFields> = {}) => requestFieldsFor(keys, overrides);

function post(service: EnrollmentService, body: string, contentType = "application/xml", f = tfetch) {
  return f(`${service.url}/api/enroll`, { method: "POST", headers: { "content-type": contentType }, body });
}

function upload(service: EnrollmentService, xml: string, headers: Record<string, string> = {}, f = tfetch) {
  const form = new FormData();
  form.append("request", new Blob([xml], { type: "text/xml" }), "RMS01RenewalRequest.xml");
  return f(`${service.url}/submissions`, { method: "POST", body: form, headers, redirect: "manual" });
}

function expectVerifies(service: EnrollmentService, slcXml: string, f: RenewalRequestFields) {
  const result = verifySlc(slcXml, {
    trustAnchorsPem: [service.rootCertPem],
    expect: {
      publicKeyBase64: f.publicKeyBase64,
      clusterGuid: f.clusterGuid,
      clusterUrl: f.clusterUrl,
      pendingRequestId: f.requestId,
      installedValidUntil: null,
      now: new Date(),
    },
  });
  if (!result.ok) throw new Error(`SLC did not verify: ${result.failed} ${result.reason} ${result.detail}`);
  return result.slc;
}

async function lastEvent(service: EnrollmentService) {
  const events = await service.desk.eventsAfter(0, 10_000);
  return events.at(-1);
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "enrollment-server-"));
  [keys, otherKeys] = await Promise.all([generateClusterKeyPair(), generateClusterKeyPair()]);
  open = await start(path.join(tmp, "open"));
  held = await start(path.join(tmp, "held"), { policy: "approval" });
  tfetch = fetchTrusting(open.rootCertPem);
  heldFetch = fetchTrusting(held.rootCertPem);
  await fs.writeFile(path.join(tmp, "root.pem"), open.rootCertPem);
}, 120_000);

afterAll(async () => {
  await open?.close();
  await held?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("transport and trust", () => {
  it("serves HTTPS that openssl verifies against the service's own root, and refuses other roots", async () => {
    expect(open.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const port = new URL(open.url).port;
    // Asynchronously: the service answers from this same process.
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile(
        "openssl",
        ["s_client", "-connect", `127.0.0.1:${port}`, "-verify_return_error", "-CAfile", path.join(tmp, "root.pem")],
        { encoding: "utf8", timeout: 20_000 },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
      child.stdin?.end();
    });
    expect(out).toMatch(/Verify return code: 0 \(ok\)/);
    // A client trusting another service's root gets no answer at all.
    await expect(fetchTrusting(held.rootCertPem)(`${open.url}/healthz`)).rejects.toThrow();
  });

  it("answers only the Host names it serves: anything else gets 421", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        `${open.url}/healthz`,
        { ca: open.rootCertPem, servername: "localhost", headers: { host: "attacker.example" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(421);
    expect((await tfetch(`${open.url}/healthz`)).status).toBe(200);
  });

  it("with its own allow-list (RMS_ENROLLMENT_ALLOWED_HOSTS) still answers its loopback names on its port, so the start script's health check passes", async () => {
    const listed = await start(path.join(tmp, "listed"), { allowedHosts: ["signing.contoso.example:3443"] });
    try {
      const status = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = https.request(
            `${listed.url}/healthz`,
            { ca: listed.rootCertPem, servername: "localhost", headers: { host } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on("error", reject);
          req.end();
        });
      const port = new URL(listed.url).port;
      expect(await status(`127.0.0.1:${port}`)).toBe(200);
      expect(await status(`localhost:${port}`)).toBe(200);
      expect(await status("signing.contoso.example:3443")).toBe(200);
      // Loopback on another port, and any other name, still 421.
      expect(await status("127.0.0.1:1")).toBe(421);
      expect(await status("attacker.example")).toBe(421);
    } finally {
      await listed.close();
    }
  });

  it("keeps the same CA and TLS certificate across a restart", async () => {
    const root = open.rootCertPem;
    const tls = open.tlsCertPem;
    await open.close();
    open = await start(path.join(tmp, "open"));
    expect(open.caCreated).toBe(false);
    expect(open.tlsSource).toBe("reused");
    expect(open.rootCertPem).toBe(root);
    expect(open.tlsCertPem).toBe(tls);
    expect(await (await tfetch(`${open.url}/root.pem`)).text()).toBe(root);
  });
});

describe("online API", () => {
  it("issues for a valid request: xmlsec1 and the console's verifier accept it, and the outcome is recorded", async () => {
    const f = fields();
    const res = await post(open, buildRenewalRequest(f, keys.privateKeyPem));
    expect(res.status).toBe(200);
    const slcXml = await res.text();
    const slc = expectVerifies(open, slcXml, f);
    expect(slc.validUntil.getTime() - slc.validFrom.getTime()).toBe(VALIDITY_DAYS * DAY_MS);
    expect(res.headers.get("x-slc-serial")).toBe(slc.serialNumber);
    // The issuer as the console shows it: the configured name once, not "Test Enrollment Service Enrollment Service".
    expect(slc.issuerName).toBe("Test Enrollment Service");
    expect(slc.issuerSubject).toBe("CN=Test Enrollment Service, O=Test");
    const slcFile = path.join(tmp, "api-slc.xml");
    await fs.writeFile(slcFile, slcXml);
    const out = execFileSync("xmlsec1", ["--verify", "--trusted-pem", path.join(tmp, "root.pem"), slcFile], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(out).not.toMatch(/FAIL/);
    expect(await lastEvent(open)).toMatchObject({
      channel: "api",
      outcome: "issued",
      status: 200,
      guid: f.clusterGuid,
      requestId: f.requestId,
      slcSerial: slc.serialNumber,
      remoteAddress: expect.stringContaining("127.0.0.1"),
    });
  });

  it("answers the same request again with the same SLC, and the same request ID with other content with 409", async () => {
    const f = fields();
    const xml = buildRenewalRequest(f, keys.privateKeyPem);
    const first = await post(open, xml);
    const firstXml = await first.text();
    const again = await Promise.all([post(open, xml), post(open, xml)]);
    for (const res of again) {
      expect(res.status).toBe(200);
      expect(res.headers.get("x-replayed")).toBe("true");
      expect(await res.text()).toBe(firstXml);
    }
    const changed = await post(open, buildRenewalRequest({ ...f, serverName: "RMS77" }, keys.privateKeyPem));
    expect(changed.status).toBe(409);
    expect(await changed.json()).toMatchObject({ error: "request_id_conflict" });
    const issued = await open.desk.list({ state: "issued" });
    expect(issued.filter((s) => s.requestId === f.requestId)).toHaveLength(1);
  });

  it("counts submissions by channel and outcome, and times them, at /metrics for this machine", async () => {
    const scrape = async () => {
      const res = await tfetch(`${open.url}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const count = (text: string, outcome: string) =>
      Number(new RegExp(`^rms_enrollment_submissions_total\\{channel="api",outcome="${outcome}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
    const before = await scrape();
    const xml = buildRenewalRequest(fields(), keys.privateKeyPem);
    expect((await post(open, xml)).status).toBe(200);
    expect((await post(open, xml)).status).toBe(200);
    const after = await scrape();
    expect(count(after, "issued")).toBe(count(before, "issued") + 1);
    expect(count(after, "replayed")).toBe(count(before, "replayed") + 1);
    expect(after).toMatch(/^# TYPE rms_enrollment_submission_duration_seconds histogram$/m);
    expect(after).toMatch(/^process_cpu_seconds_total \d/m);
  });

  it.each([
    [
      "a tampered request",
      () => buildRenewalRequest(fields(), keys.privateKeyPem).replace("<ServerName>RMS01<", "<ServerName>RMS99<"),
      422,
      ["digest_mismatch", "signature_invalid"],
    ],
    ["text that is not XML", () => "this is not xml", 400, ["malformed"]],
    ["an empty body", () => "", 400, ["empty"]],
    ["a DOCTYPE", () => '<?xml version="1.0"?><!DOCTYPE RenewalRequest SYSTEM "file:///etc/passwd"><RenewalRequest/>', 400, ["doctype"]],
    ["an unsigned request", () => '<RenewalRequest version="1.0"><RequestId>x</RequestId></RenewalRequest>', 422, ["no_signature"]],
    [
      "a <__proto__> element",
      () => "<RenewalRequest><__proto__><polluted>1</polluted></__proto__></RenewalRequest>",
      422,
      ["reserved_name"],
    ],
    ["a constructor attribute", () => '<RenewalRequest constructor="x"><a/></RenewalRequest>', 422, ["reserved_name"]],
    ["5,000 elements", () => `<RenewalRequest>${"<a/>".repeat(5_000)}</RenewalRequest>`, 413, ["too_large"]],
  ])("refuses %s with its reason, and records it", async (_name, body, status, reasons) => {
    const res = await post(open, body());
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string; message: string };
    expect(reasons).toContain(json.error);
    expect(json.message.length).toBeGreaterThan(20);
    expect(await lastEvent(open)).toMatchObject({ channel: "api", outcome: "refused", status, reason: json.error });
  });

  it("refuses oversized bodies with 413, declared or chunked", async () => {
    const res = await post(open, `<a>${"x".repeat(300 * 1024)}</a>`);
    expect(res.status).toBe(413);
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        `${open.url}/api/enroll`,
        { method: "POST", ca: open.rootCertPem, headers: { "content-type": "application/xml", "transfer-encoding": "chunked" } },
        (r) => {
          r.resume();
          resolve(r.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on("error", reject);
      for (let i = 0; i < 5; i++) req.write("x".repeat(64 * 1024));
      // Never finished: only the counted cap can produce an answer.
    });
    expect(status).toBe(413);
    expect(await lastEvent(open)).toMatchObject({ status: 413, reason: "too_large" });
  });

  it("refuses other content types with 415 and unknown API paths with 404", async () => {
    expect((await post(open, "<x/>", "application/json")).status).toBe(415);
    const missing = await tfetch(`${open.url}/api/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: "not_found" });
  });
});

describe("who may get an SLC (approval policy)", () => {
  it("holds a new cluster's enrollment, issues it once approved, then renews it automatically", async () => {
    const f = requestFieldsFor(keys);
    const xml = buildRenewalRequest(f, keys.privateKeyPem);
    const first = await post(held, xml, "application/xml", heldFetch);
    expect(first.status).toBe(202);
    const pending = (await first.json()) as { status: string; submissionId: string; requestId: string };
    expect(pending).toMatchObject({ status: "pending_approval", requestId: f.requestId });
    expect((await post(held, xml, "application/xml", heldFetch)).status).toBe(202);

    const approved = await held.desk.approve(pending.submissionId, "alice", "cli");
    expect(approved).toMatchObject({ ok: true, submission: { state: "issued", decidedBy: "alice" } });
    const collected = await post(held, xml, "application/xml", heldFetch);
    expect(collected.status).toBe(200);
    const slcXml = await collected.text();
    expectVerifies(held, slcXml, f);

    // A renewal signed by the registered key, naming the SLC this service issued, needs no operator.
    const renewal = requestFieldsFor(keys, { clusterGuid: f.clusterGuid, installedSlcFingerprint: documentFingerprint(slcXml) });
    const renewed = await post(held, buildRenewalRequest(renewal, keys.privateKeyPem), "application/xml", heldFetch);
    expect(renewed.status).toBe(200);
    expectVerifies(held, await renewed.text(), renewal);

    // The same GUID with a foreign key is refused, and logged.
    const foreign = requestFieldsFor(otherKeys, { clusterGuid: f.clusterGuid, installedSlcFingerprint: documentFingerprint(slcXml) });
    const refused = await post(held, buildRenewalRequest(foreign, otherKeys.privateKeyPem), "application/xml", heldFetch);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: "guid_registered_to_other_key" });
    expect(await lastEvent(held)).toMatchObject({
      outcome: "refused",
      status: 403,
      reason: "guid_registered_to_other_key",
      guid: f.clusterGuid,
    });

    // An installed fingerprint this service never issued is a new enrollment again.
    const unknown = requestFieldsFor(keys, { clusterGuid: f.clusterGuid, installedSlcFingerprint: documentFingerprint("<other/>") });
    expect((await post(held, buildRenewalRequest(unknown, keys.privateKeyPem), "application/xml", heldFetch)).status).toBe(202);

    // The installed SLC is recognised by what its signature covers (serial, GUID, key), not the file's bytes: a copy
    // whose line endings changed renews at once; a serial this service never issued to this GUID does not.
    const serial = /<ID type="serial-number">([0-9A-F]+)<\/ID>/.exec(slcXml)?.[1] ?? null;
    const changedCopy = documentFingerprint(slcXml.replace(/\n/g, "\r\n"));
    const bySerial = requestFieldsFor(keys, {
      clusterGuid: f.clusterGuid,
      installedSlcFingerprint: changedCopy,
      installedSlcSerial: serial,
    });
    expect((await post(held, buildRenewalRequest(bySerial, keys.privateKeyPem), "application/xml", heldFetch)).status).toBe(200);
    const otherSerial = requestFieldsFor(keys, {
      clusterGuid: f.clusterGuid,
      installedSlcFingerprint: documentFingerprint(slcXml),
      installedSlcSerial: "AB".repeat(16),
    });
    expect((await post(held, buildRenewalRequest(otherSerial, keys.privateKeyPem), "application/xml", heldFetch)).status).toBe(202);
  });

  it("a rejected request stays rejected, and a revoked registration re-enrolls only with approval", async () => {
    const f = requestFieldsFor(keys);
    const xml = buildRenewalRequest(f, keys.privateKeyPem);
    const pending = (await (await post(held, xml, "application/xml", heldFetch)).json()) as { submissionId: string };
    expect(await held.desk.reject(pending.submissionId, "bob", "cli", "unknown server")).toMatchObject({ ok: true });
    expect(await held.desk.approve(pending.submissionId, "bob", "cli")).toMatchObject({ ok: false, reason: "not_pending" });
    const again = await post(held, xml, "application/xml", heldFetch);
    expect(again.status).toBe(403);
    expect(await again.json()).toMatchObject({ error: "rejected_by_operator" });

    const g = requestFieldsFor(keys);
    const p2 = (await (await post(held, buildRenewalRequest(g, keys.privateKeyPem), "application/xml", heldFetch)).json()) as {
      submissionId: string;
    };
    await held.desk.approve(p2.submissionId, "alice", "cli");
    expect(await held.desk.revokeRegistration(g.clusterGuid, "alice")).toBe(true);
    const after = await post(
      held,
      buildRenewalRequest(requestFieldsFor(keys, { clusterGuid: g.clusterGuid }), keys.privateKeyPem),
      "application/xml",
      heldFetch,
    );
    // Revocation rule (desk.ts review): held for the operator with the review reason, never refused outright.
    expect(after.status).toBe(202);
    const heldAgain = (await after.json()) as { submissionId: string };
    expect((await held.desk.find({ id: heldAgain.submissionId }))?.submission).toMatchObject({
      state: "pending_approval",
      reason: "registration_revoked",
    });
    expect(await held.desk.approve(heldAgain.submissionId, "alice", "cli")).toMatchObject({ ok: true });
    expect((await held.desk.listRegistrations()).find((r) => r.guid === g.clusterGuid)).toMatchObject({ state: "active", revokedAt: null });
  });

  it("the web site tells the submitter the request awaits approval, and finds it again by request ID", async () => {
    const f = requestFieldsFor(keys, { serverName: "RMS05" });
    const res = await upload(held, buildRenewalRequest(f, keys.privateKeyPem), { origin: held.url }, heldFetch);
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    const page = await (await heldFetch(`${held.url}${location}`)).text();
    expect(page).toContain("Awaiting approval");
    expect(page).toContain(f.requestId);
    const lookup = await heldFetch(`${held.url}/requests?requestId=${f.requestId}`, { redirect: "manual" });
    expect(lookup.status).toBe(303);
    expect(lookup.headers.get("location")).toBe(location);
    expect((await heldFetch(`${held.url}/requests?requestId=nonsense`)).status).toBe(400);
  });
});

describe("web site (offline step)", () => {
  it("serves the start page with the form, security headers and language from Accept-Language", async () => {
    const res = await tfetch(`${open.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=UTF-8");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toContain('<label for="request">Request file</label>');
    const sv = await (await tfetch(`${open.url}/`, { headers: { "accept-language": "sv-SE,sv;q=0.9" } })).text();
    expect(sv).toContain('<html lang="sv">');
    expect(sv).toContain(">Skicka</button>");
  });

  it("serves exactly the stylesheet its CSP allows (unescaped), and an icon", async () => {
    const res = await tfetch(`${open.url}/`);
    const csp = res.headers.get("content-security-policy") ?? "";
    const css = /<style>([\s\S]*?)<\/style>/.exec(await res.text())?.[1] ?? "";
    expect(css).toContain('"Segoe UI"');
    expect(csp).toContain(`'sha256-${createHash("sha256").update(css, "utf8").digest("base64")}'`);
    const icon = await tfetch(`${open.url}/favicon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
  });

  it("round trip with the console's identifiers; the same file again is 'already answered' with the same serial", async () => {
    const f = fields({ serverName: "RMS02" });
    const xml = buildRenewalRequest(f, keys.privateKeyPem);
    const res = await upload(open, xml, { origin: open.url });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/submissions\/[0-9a-f]{32}$/);
    const html = await (await tfetch(`${open.url}${location}`)).text();
    const download = await tfetch(`${open.url}${location}/certificate`);
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="RMS02ServerLicensorCertificate.xml"');
    const slcXml = await download.text();
    const slc = expectVerifies(open, slcXml, f);
    for (const [label, value] of [
      ["Request ID", f.requestId],
      ["Public key fingerprint (SHA-256)", publicKeyFingerprint(keys.publicKeyPem)],
      ["SLC serial number", slc.serialNumber],
      ["SLC fingerprint (SHA-256)", documentFingerprint(slcXml)],
    ]) {
      expect(html.replace(/<\/?span>|<wbr\/>/g, "")).toContain(`<dt>${label}</dt><dd><code>${value}</code></dd>`);
    }
    const again = await upload(open, xml, { origin: open.url });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe(`${location}?replayed=1`);
    const replayed = await (await tfetch(`${open.url}${location}?replayed=1`)).text();
    expect(replayed).toContain("This request was already answered");
    expect(replayed).toContain(slc.serialNumber);
  });

  it("escapes a hostile server name on the page and in the download name", async () => {
    const f = fields({ serverName: `<script>alert("x")</script>'"&` });
    const res = await upload(open, buildRenewalRequest(f, keys.privateKeyPem));
    const location = res.headers.get("location") ?? "";
    const html = await (await tfetch(`${open.url}${location}`)).text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;");
    const download = await tfetch(`${open.url}${location}/certificate`);
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="scriptalertxscriptServerLicensorCertificate.xml"');
  });

  it("re-renders the form with an alert for a refused upload, a missing file, a cross-origin post", async () => {
    const tampered = buildRenewalRequest(fields(), keys.privateKeyPem).replace("<ServerName>RMS01<", "<ServerName>RMS99<");
    const res = await upload(open, tampered);
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('role="alert"');
    const form = new FormData();
    form.append("other", "value");
    const none = await tfetch(`${open.url}/submissions`, { method: "POST", body: form });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain("No request file was chosen");
    const cross = await upload(open, buildRenewalRequest(fields(), keys.privateKeyPem), { origin: "https://evil.example" });
    expect(cross.status).toBe(403);
    expect(await lastEvent(open)).toMatchObject({ channel: "web", outcome: "refused", reason: "cross_origin" });
  });
});

describe("rate limit", () => {
  it("answers 429 with Retry-After once a client passes its rate, and records it", async () => {
    const limited = await start(path.join(tmp, "limited"), { rateLimitPerMinute: 2 });
    try {
      const f = fetchTrusting(limited.rootCertPem);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(limited, "not xml", "application/xml", f)).status);
      expect(statuses).toEqual([400, 400, 429]);
      const res = await post(limited, "not xml", "application/xml", f);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await lastEvent(limited)).toMatchObject({ outcome: "refused", status: 429, reason: "rate_limited" });
      expect((await f(`${limited.url}/healthz`)).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe("operator page", () => {
  it("needs its own sign-in; Reject needs a reason, which the submitter then sees", async () => {
    await addOperator(held.database.db, "rita", "correct horse battery staple", new Date());
    const denied = await heldFetch(`${held.url}/operator`, { redirect: "manual" });
    expect(denied.status).toBe(303);
    expect(denied.headers.get("location")).toBe("/operator/sign-in");
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const formHeaders = { "content-type": "application/x-www-form-urlencoded", origin: held.url };
    const wrong = await heldFetch(`${held.url}/operator/sign-in`, {
      method: "POST",
      headers: formHeaders,
      body: form({ name: "rita", password: "nope" }),
    });
    expect(wrong.status).toBe(401);
    const signedIn = await heldFetch(`${held.url}/operator/sign-in`, {
      method: "POST",
      headers: formHeaders,
      body: form({ name: "rita", password: "correct horse battery staple" }),
      redirect: "manual",
    });
    expect(signedIn.status).toBe(303);
    const cookie = (signedIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(cookie).toMatch(/^__Host-rms-operator=/);
    expect(signedIn.headers.get("set-cookie")).toMatch(/Secure/);

    const f = requestFieldsFor(keys, { serverName: "RMS09" });
    const pending = (await (await post(held, buildRenewalRequest(f, keys.privateKeyPem), "application/xml", heldFetch)).json()) as {
      submissionId: string;
    };
    const list = await (await heldFetch(`${held.url}/operator`, { headers: { cookie } })).text();
    expect(list).toContain("RMS09");
    const reject = (body: string, origin = held.url) =>
      heldFetch(`${held.url}/operator/submissions/${pending.submissionId}/reject`, {
        method: "POST",
        headers: { ...formHeaders, origin, cookie },
        body,
        redirect: "manual",
      });
    expect((await reject(form({ reason: " " }))).status).toBe(400);
    expect((await reject(form({ reason: "unknown server" }), "https://evil.example")).headers.get("location")).toBe("/operator/sign-in");
    expect((await held.desk.find({ id: pending.submissionId }))?.submission.state).toBe("pending_approval");
    expect((await reject(form({ reason: "unknown server" }))).status).toBe(303);
    const page = await (await heldFetch(`${held.url}/submissions/${pending.submissionId}`)).text();
    expect(page).toContain("The operator rejected this request");
    expect(page).toContain("unknown server");
    expect(await lastEvent(held)).toMatchObject({ channel: "operator", outcome: "rejected", actor: "rita", reason: "unknown server" });
  });
});
