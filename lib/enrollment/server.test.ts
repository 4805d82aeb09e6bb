// The enrollment service over real HTTP: CA kept across restarts, online API, offline web round trip, rejections and the submissions log.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClusterKeyPair, generateClusterKeyPair, publicKeyBase64, publicKeyFingerprint } from "@/lib/certificates/keys";
import { buildRenewalRequest, type RenewalRequestFields } from "@/lib/certificates/renewal-request";
import { verifySlc } from "@/lib/certificates/verify-slc";
import { type EnrollmentService, type EnrollmentServiceConfig, startEnrollmentService } from "./server";
import { type SubmissionLogEntry, submissionLogEntrySchema } from "./store";

const VALIDITY_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

let tmp = "";
let dataDir = "";
let service: EnrollmentService;
let keys: ClusterKeyPair;
let rootPem = "";
let caCreatedAtFirstStart = false;

function config(overrides: Partial<EnrollmentServiceConfig> = {}): EnrollmentServiceConfig {
  return {
    host: "127.0.0.1",
    port: 0,
    dataDir,
    validityDays: VALIDITY_DAYS,
    issuerName: "Test Enrollment Service",
    logError: () => undefined,
    ...overrides,
  };
}

function requestFields(overrides: Partial<RenewalRequestFields> = {}): RenewalRequestFields {
  return {
    requestId: randomUUID(),
    createdAt: new Date(),
    clusterGuid: "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}",
    serverName: "RMS01",
    clusterUrl: "https://rms01.contoso.example/_wmcs",
    sku: "RMS",
    version: "1.0",
    name: "RMS01 cluster",
    publicKeyBase64: publicKeyBase64(keys.publicKeyPem),
    installedSlcFingerprint: null,
    revocationInformation: "",
    ...overrides,
  };
}

function postXml(body: string, contentType = "application/xml"): Promise<Response> {
  return fetch(`${service.url}/api/enroll`, { method: "POST", headers: { "content-type": contentType }, body });
}

function upload(xml: string, headers: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  form.append("request", new Blob([xml], { type: "text/xml" }), "RMS01RenewalRequest.xml");
  return fetch(`${service.url}/submissions`, { method: "POST", body: form, headers, redirect: "manual" });
}

async function readLog(): Promise<SubmissionLogEntry[]> {
  const text = await fs.readFile(path.join(dataDir, "submissions.jsonl"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => submissionLogEntrySchema.parse(JSON.parse(line)));
}

function expectVerifies(slcXml: string, fields: RenewalRequestFields, trustAnchorPem = rootPem) {
  const result = verifySlc(slcXml, {
    trustAnchorsPem: [trustAnchorPem],
    expect: {
      publicKeyBase64: fields.publicKeyBase64,
      clusterGuid: fields.clusterGuid,
      clusterUrl: fields.clusterUrl,
      pendingRequestId: fields.requestId,
      installedValidUntil: null,
      now: new Date(),
    },
  });
  if (!result.ok) throw new Error(`SLC did not verify: ${result.failed} ${result.reason} ${result.detail}`);
  return result.slc;
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "enrollment-server-"));
  dataDir = path.join(tmp, "enrollment");
  keys = await generateClusterKeyPair();
  service = await startEnrollmentService(config());
  caCreatedAtFirstStart = service.caCreated;
  rootPem = await (await fetch(`${service.url}/root.pem`)).text();
  await fs.writeFile(path.join(tmp, "root.pem"), rootPem);
});

afterAll(async () => {
  await service?.close();
  await fs.rm(tmp, { recursive: true, force: true });
});

describe("CA hierarchy and root certificate", () => {
  it("serves the root certificate as a PEM download that openssl parses", async () => {
    expect(caCreatedAtFirstStart).toBe(true);
    expect(service.serviceCertificateValidUntil.getTime()).toBeGreaterThan(Date.now() + 365 * DAY_MS);
    const res = await fetch(`${service.url}/root.pem`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-pem-file");
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="enrollment-root.pem"');
    const served = await res.text();
    expect(served).toBe(rootPem);
    const file = path.join(tmp, "served-root.pem");
    await fs.writeFile(file, served);
    const subject = execFileSync("openssl", ["x509", "-noout", "-subject", "-in", file], { encoding: "utf8" });
    expect(subject).toMatch(/subject=/);
  });

  it("keeps the same CA across a restart", async () => {
    await service.close();
    service = await startEnrollmentService(config());
    expect(service.caCreated).toBe(false);
    expect(await (await fetch(`${service.url}/root.pem`)).text()).toBe(rootPem);
  });

  it("answers health checks", async () => {
    const res = await fetch(`${service.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", rootFingerprint: service.rootFingerprint });
  });
});

describe("online API", () => {
  it("signs a valid request: the SLC verifies against the root, keeps the GUID and follows the validity policy", async () => {
    const fields = requestFields();
    const before = Date.now();
    const res = await postXml(buildRenewalRequest(fields, keys.privateKeyPem));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/xml/);
    const slcXml = await res.text();
    const slc = expectVerifies(slcXml, fields);
    expect(slc.serverGuid).toBe(fields.clusterGuid);
    expect(slc.requestId).toBe(fields.requestId);
    expect(slc.validUntil.getTime() - slc.validFrom.getTime()).toBe(VALIDITY_DAYS * DAY_MS);
    expect(slc.validFrom.getTime()).toBeGreaterThanOrEqual(before - 1000);

    const slcFile = path.join(tmp, "api-slc.xml");
    await fs.writeFile(slcFile, slcXml);
    const out = execFileSync("xmlsec1", ["--verify", "--trusted-pem", path.join(tmp, "root.pem"), slcFile], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    expect(out).not.toMatch(/FAIL/);

    const logged = (await readLog()).filter((e) => e.requestId === fields.requestId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      channel: "api",
      outcome: "issued",
      status: 200,
      serverName: "RMS01",
      guid: fields.clusterGuid,
      keyFingerprint: publicKeyFingerprint(keys.publicKeyPem),
      slcSerial: slc.serialNumber,
      remoteAddress: expect.stringContaining("127.0.0.1"),
    });
  });

  it("accepts text/xml too", async () => {
    const res = await postXml(buildRenewalRequest(requestFields(), keys.privateKeyPem), "text/xml; charset=utf-8");
    expect(res.status).toBe(200);
  });

  it.each([
    [
      "a tampered request",
      () => buildRenewalRequest(requestFields(), keys.privateKeyPem).replace("<ServerName>RMS01<", "<ServerName>RMS99<"),
      422,
      ["digest_mismatch", "signature_invalid"],
    ],
    ["text that is not XML", () => "this is not xml", 400, ["malformed"]],
    ["an empty body", () => "", 400, ["empty"]],
    ["a DOCTYPE", () => '<?xml version="1.0"?><!DOCTYPE RenewalRequest SYSTEM "file:///etc/passwd"><RenewalRequest/>', 400, ["doctype"]],
    ["an unsigned request", () => '<RenewalRequest version="1.0"><RequestId>x</RequestId></RenewalRequest>', 422, ["no_signature"]],
  ])("rejects %s with a specific reason", async (_name, body, status, reasons) => {
    const before = (await readLog()).length;
    const res = await postXml(body());
    expect(res.status).toBe(status);
    const json = (await res.json()) as { error: string; message: string };
    expect(reasons).toContain(json.error);
    expect(json.message.length).toBeGreaterThan(20);
    const log = await readLog();
    expect(log).toHaveLength(before + 1);
    expect(log.at(-1)).toMatchObject({ channel: "api", outcome: "rejected", status, reason: json.error, serverName: null });
  });

  it("refuses an oversized body with 413 (declared length)", async () => {
    const res = await postXml(`<a>${"x".repeat(300 * 1024)}</a>`);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "too_large" });
    expect((await readLog()).at(-1)).toMatchObject({ status: 413, reason: "too_large" });
  });

  it("answers 413 to a chunked upload as soon as it passes the cap, without waiting for the rest", async () => {
    const url = new URL(`${service.url}/api/enroll`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        url,
        { method: "POST", headers: { "content-type": "application/xml", "transfer-encoding": "chunked" } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on("error", reject);
      const chunk = "x".repeat(64 * 1024);
      for (let i = 0; i < 5; i++) req.write(chunk);
      // The body is never finished: only the cap can produce an answer.
    });
    expect(status).toBe(413);
  });

  it("refuses other content types with 415", async () => {
    const res = await postXml(buildRenewalRequest(requestFields(), keys.privateKeyPem), "application/json");
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: "unsupported_media_type" });
  });

  it("answers 405 to GET on the API, 404 to unknown paths", async () => {
    const get = await fetch(`${service.url}/api/enroll`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect(await get.json()).toMatchObject({ error: "method_not_allowed" });
    const api404 = await fetch(`${service.url}/api/nothing`);
    expect(api404.status).toBe(404);
    expect(await api404.json()).toMatchObject({ error: "not_found" });
    const page404 = await fetch(`${service.url}/nothing`);
    expect(page404.status).toBe(404);
    expect(await page404.text()).toContain("<h1>Page not found</h1>");
  });
});

describe("web site (offline step)", () => {
  it("serves the start page with the form, security headers and language from Accept-Language", async () => {
    const res = await fetch(`${service.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await res.text();
    expect(html).toContain('<label for="request">Request file</label>');
    expect(html).toContain('<a href="/root.pem" download>Download root certificate</a>');

    const sv = await (await fetch(`${service.url}/`, { headers: { "accept-language": "sv-SE,sv;q=0.9" } })).text();
    expect(sv).toContain('<html lang="sv">');
    expect(sv).toContain("Begäransfil");
    expect(sv).toContain(">Skicka</button>");
  });

  it("round trip: upload → 303 → page with the details → certificate download", async () => {
    const fields = requestFields({ serverName: "RMS02" });
    const res = await upload(buildRenewalRequest(fields, keys.privateKeyPem), { origin: service.url });
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    expect(location).toMatch(/^\/submissions\/[0-9a-f]{32}$/);

    const page = await fetch(`${service.url}${location}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const value of ["RMS02", fields.clusterUrl, fields.clusterGuid, fields.requestId, publicKeyFingerprint(keys.publicKeyPem)]) {
      expect(html).toContain(value);
    }
    expect(html).toContain(`href="${location}/certificate"`);
    expect(html).toContain(">Download certificate</a>");

    const download = await fetch(`${service.url}${location}/certificate`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="RMS02ServerLicensorCertificate.xml"');
    const slc = expectVerifies(await download.text(), fields);
    expect(slc.serverName).toBe("RMS02");
    expect(html).toContain(slc.serialNumber);

    const logged = (await readLog()).filter((e) => e.requestId === fields.requestId);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ channel: "web", outcome: "issued", submissionId: location.split("/")[2] });
  });

  it("escapes a hostile server name on the page and in the download name", async () => {
    const fields = requestFields({ serverName: `<script>alert("x")</script>'"&` });
    const res = await upload(buildRenewalRequest(fields, keys.privateKeyPem));
    expect(res.status).toBe(303);
    const location = res.headers.get("location") ?? "";
    const html = await (await fetch(`${service.url}${location}`)).text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;&quot;&amp;");
    const download = await fetch(`${service.url}${location}/certificate`);
    expect(download.headers.get("content-disposition")).toBe('attachment; filename="scriptalertxscriptServerLicensorCertificate.xml"');
  });

  it("re-renders the form with an alert for a rejected upload, in the visitor's language", async () => {
    const tampered = buildRenewalRequest(requestFields(), keys.privateKeyPem).replace("<ServerName>RMS01<", "<ServerName>RMS99<");
    const res = await upload(tampered);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('role="alert"');
    // The console's wording for the reason code (one wording per code).
    expect(html).toMatch(/changed after it was signed|signature does not match/);
    expect(html).toContain('<label for="request">Request file</label>');

    const sv = await upload("not xml", { "accept-language": "sv" });
    expect(sv.status).toBe(400);
    const svHtml = await sv.text();
    expect(svHtml).toContain('role="alert"');
    expect(svHtml).toContain("Filen är inte giltig XML");
  });

  it("asks for a file when none was chosen", async () => {
    const form = new FormData();
    form.append("other", "value");
    const res = await fetch(`${service.url}/submissions`, { method: "POST", body: form });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("No request file was chosen");
    expect((await readLog()).at(-1)).toMatchObject({ channel: "web", outcome: "rejected", reason: "no_file" });
  });

  it("refuses a cross-origin form post and a non-multipart post", async () => {
    const cross = await upload(buildRenewalRequest(requestFields(), keys.privateKeyPem), { origin: "http://evil.example" });
    expect(cross.status).toBe(403);
    expect(await cross.text()).toContain("another web site");
    expect((await readLog()).at(-1)).toMatchObject({ reason: "cross_origin" });

    const plain = await fetch(`${service.url}/submissions`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "request=x",
    });
    expect(plain.status).toBe(415);
  });

  it("refuses an oversized upload with 413 and an alert", async () => {
    const res = await upload(`<a>${"x".repeat(300 * 1024)}</a>`);
    expect(res.status).toBe(413);
    expect(await res.text()).toContain("The file is too large to be a certificate or request.");
  });

  it("answers 404 for an unknown submission", async () => {
    const res = await fetch(`${service.url}/submissions/${"0".repeat(32)}`);
    expect(res.status).toBe(404);
    const cert = await fetch(`${service.url}/submissions/${"0".repeat(32)}/certificate`);
    expect(cert.status).toBe(404);
  });
});

describe("submissions log", () => {
  it("has one well-formed line per submission, rejected ones included", async () => {
    const before = (await readLog()).length;
    const issued = requestFields({ serverName: "LOG01" });
    expect((await postXml(buildRenewalRequest(issued, keys.privateKeyPem))).status).toBe(200);
    expect((await postXml("<RenewalRequest/>")).status).toBeGreaterThanOrEqual(400);
    expect(
      (await upload(buildRenewalRequest(requestFields({ serverName: "LOG02" }), keys.privateKeyPem), { origin: service.url })).status,
    ).toBe(303);
    const added = (await readLog()).slice(before);
    expect(added.map((e) => [e.channel, e.outcome === "issued"])).toEqual([
      ["api", true],
      ["api", false],
      ["web", true],
    ]);
    expect(added[0]).toMatchObject({ requestId: issued.requestId });
  });
});

describe("requested validity", () => {
  // Its own service and data folder, so the submissions counted above stay this file's business.
  it("honours a shorter requested validity, caps a longer one at its policy, and refuses a malformed one", async () => {
    const own = await startEnrollmentService(config({ dataDir: path.join(tmp, "validity") }));
    try {
      const root = await (await fetch(`${own.url}/root.pem`)).text();
      const post = (query: string, fields: RenewalRequestFields) =>
        fetch(`${own.url}/api/enroll${query}`, {
          method: "POST",
          headers: { "content-type": "application/xml" },
          body: buildRenewalRequest(fields, keys.privateKeyPem),
        });
      const validity = async (query: string) => {
        const fields = requestFields();
        const res = await post(query, fields);
        expect(res.status).toBe(200);
        const slc = expectVerifies(await res.text(), fields, root);
        return (slc.validUntil.getTime() - slc.validFrom.getTime()) / DAY_MS;
      };
      expect(await validity("?validityDays=20")).toBe(20);
      expect(await validity(`?validityDays=${VALIDITY_DAYS + 100}`)).toBe(VALIDITY_DAYS);
      for (const bad of ["0", "1.5", "abc", ""]) {
        const res = await post(`?validityDays=${bad}`, requestFields());
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ error: "bad_validity" });
      }
    } finally {
      await own.close();
    }
  });
});

describe("slow clients", () => {
  it("cuts a client that never finishes its request", async () => {
    const slow = await startEnrollmentService(config({ requestTimeoutMs: 500 }));
    try {
      const { port } = new URL(slow.url);
      const started = Date.now();
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(Number(port), "127.0.0.1");
        let received = "";
        socket.on("data", (d: Buffer) => (received += d.toString("latin1")));
        socket.on("close", () => resolve(received));
        socket.on("error", reject);
        socket.write("POST /api/enroll HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n<a>");
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await slow.close();
    }
  });
});
