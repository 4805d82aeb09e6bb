// The console's HTTPS client for the enrollment service, against loopback HTTPS servers with throwaway CAs: verified
// with the right root only, a certificate the anchors do not vouch for reported as "untrusted" with OpenSSL's code,
// and every answer of POST /api/enroll typed (SLC, 202 pending approval, 409, 421, 422, 429, 5xx).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestTlsPki, startTestHttpsServer, type TestHttpsServer, type TestTlsPki } from "@/tests/support/tls";
import { exchange, postRenewalRequest } from "./enrollment-client";

const TIMEOUTS = { connectTimeoutMs: 2_000, totalTimeoutMs: 5_000 };

let pki: TestTlsPki;
let otherPki: TestTlsPki;
let service: TestHttpsServer;
/** What the service answers to POST /api/enroll next. */
let answer: { status: number; headers: Record<string, string>; body: string } = { status: 200, headers: {}, body: "" };

beforeAll(async () => {
  [pki, otherPki] = await Promise.all([createTestTlsPki({ label: "Enrollment" }), createTestTlsPki({ label: "Stranger" })]);
  service = await startTestHttpsServer(pki, (req, res) => {
    if (req.url === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end('{"status":"ok"}');
      return;
    }
    req.resume();
    req.on("end", () => {
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body);
    });
  });
});

afterAll(async () => {
  await service?.close();
});

const trusting = (roots: string[]) => ({ ...TIMEOUTS, ca: roots });

describe("exchange over HTTPS", () => {
  it("verifies the service's chain (leaf + intermediate) against the root alone", async () => {
    const result = await exchange(`${service.url}/healthz`, { method: "GET" }, trusting([pki.rootPem]));
    expect(result).toMatchObject({ ok: true, status: 200, contentType: "application/json" });
  });

  it("trusts a bundle that holds the root among others", async () => {
    const result = await exchange(`${service.url}/healthz`, { method: "GET" }, trusting([otherPki.rootPem, pki.rootPem]));
    expect(result.ok).toBe(true);
  });

  it("reports a certificate from another root as untrusted, with OpenSSL's code, not as unreachable", async () => {
    const result = await exchange(`${service.url}/healthz`, { method: "GET" }, trusting([otherPki.rootPem]));
    expect(result).toMatchObject({ ok: false, kind: "untrusted", code: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" });
  });

  it("reports a certificate for another host name, and an expired one, as untrusted", async () => {
    const [foreign, expired] = await Promise.all([
      createTestTlsPki({ label: "Foreign", hosts: ["enroll.contoso.example"] }),
      createTestTlsPki({
        label: "Expired",
        validFrom: new Date(Date.now() - 3 * 86_400_000),
        validUntil: new Date(Date.now() - 86_400_000),
      }),
    ]);
    for (const [material, code] of [
      [foreign, "ERR_TLS_CERT_ALTNAME_INVALID"],
      [expired, "CERT_HAS_EXPIRED"],
    ] as const) {
      const server = await startTestHttpsServer(material, (_req, res) => res.end("ok"));
      try {
        const result = await exchange(`${server.url}/healthz`, { method: "GET" }, trusting([material.rootPem]));
        expect(result).toMatchObject({ ok: false, kind: "untrusted", code });
      } finally {
        await server.close();
      }
    }
  });

  it("says no TLS session came about when a plain-HTTP server answers at the https:// address", async () => {
    const plain = http.createServer((_req, res) => res.end("plain"));
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    const { port } = plain.address() as AddressInfo;
    try {
      const result = await exchange(`https://127.0.0.1:${port}/healthz`, { method: "GET" }, trusting([pki.rootPem]));
      expect(result).toMatchObject({ ok: false, kind: "tls_failed", detail: "EPROTO: wrong version number" });
    } finally {
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    }
  });

  it("reports a refused connection as unreachable, and refuses http:// and an empty anchor list without connecting", async () => {
    expect(await exchange("https://127.0.0.1:9/healthz", { method: "GET" }, trusting([pki.rootPem]))).toMatchObject({
      ok: false,
      kind: "unreachable",
      detail: "ECONNREFUSED",
    });
    expect(await exchange(`http://127.0.0.1:${service.port}/healthz`, { method: "GET" }, trusting([pki.rootPem]))).toMatchObject({
      ok: false,
      kind: "unreachable",
      detail: expect.stringContaining("not an https:// address"),
    });
    expect(await exchange(`${service.url}/healthz`, { method: "GET" }, trusting([]))).toMatchObject({ ok: false, kind: "untrusted" });
  });
});

describe("postRenewalRequest", () => {
  const post = () => postRenewalRequest(`${service.url}/`, "<RenewalRequest/>", trusting([pki.rootPem]), { validityDays: 20 });
  const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
    answer = { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(body) };
  };

  it("returns the SLC of a 200 XML answer", async () => {
    answer = { status: 200, headers: { "content-type": "application/xml" }, body: "<XrML/>" };
    const result = await post();
    expect(result).toMatchObject({ ok: true, kind: "issued" });
    if (result.ok && result.kind === "issued") expect(result.document.toString("utf8")).toBe("<XrML/>");
  });

  it("reads a 202 as pending approval, with the request and submission IDs", async () => {
    const requestId = "0b6f6a2e-3c1d-4f8e-9a7b-2c5d8e1f4a6b";
    json(202, { status: "pending_approval", submissionId: "a".repeat(32), requestId, message: "Waiting for an operator." });
    expect(await post()).toEqual({
      ok: true,
      kind: "pending_approval",
      requestId,
      submissionId: "a".repeat(32),
      message: "Waiting for an operator.",
    });
  });

  it("refuses a 202 without the documented fields, and a 200 that is not XML", async () => {
    json(202, { status: "pending_approval", submissionId: "not hex", requestId: "x" });
    expect(await post()).toMatchObject({ ok: false, kind: "bad_response" });
    json(200, { ok: true });
    expect(await post()).toMatchObject({ ok: false, kind: "bad_response", detail: "expected XML, got application/json" });
  });

  it("types 409, 421, 422, 429 and 500", async () => {
    json(409, { error: "request_id_conflict", message: "Another request has this ID." });
    expect(await post()).toEqual({ ok: false, kind: "conflict", message: "Another request has this ID." });
    answer = { status: 421, headers: { "content-type": "text/plain" }, body: "Misdirected Request" };
    expect(await post()).toEqual({ ok: false, kind: "misdirected" });
    json(422, { error: "hostile_name", message: "The name __proto__ is not allowed." });
    expect(await post()).toEqual({
      ok: false,
      kind: "rejected",
      status: 422,
      reason: "hostile_name",
      message: "The name __proto__ is not allowed.",
    });
    json(429, { error: "rate_limited", message: "Slow down." }, { "retry-after": "30" });
    expect(await post()).toEqual({ ok: false, kind: "busy", status: 429, retryAfterSeconds: 30 });
    json(500, { error: "internal", message: "boom" });
    expect(await post()).toEqual({ ok: false, kind: "server_error", status: 500 });
  });
});
