// The HTTP helpers on their own: body cap while streaming, language choice, origin check, safe download names.
import http, { type IncomingMessage } from "node:http";
import { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachment, isSameOriginOrUnknown, mediaType, readBody, securityHeaders, styleHash } from "./http";

describe("readBody", () => {
  let server: http.Server;
  let url = "";
  const seen: { result: string; bytes: number }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      void readBody(req, 1000).then((result) => {
        seen.push({ result: result.ok ? "ok" : result.reason, bytes: result.ok ? result.body.length : 0 });
        res.shouldKeepAlive = false;
        res.writeHead(result.ok ? 200 : 413, { "content-type": "text/plain" });
        res.end(result.ok ? String(result.body.length) : "too large");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const address = server.address();
    if (typeof address === "object" && address) url = `http://127.0.0.1:${address.port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("returns the whole body when it fits", async () => {
    const res = await fetch(url, { method: "POST", body: "x".repeat(1000) });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("1000");
  });

  it("refuses a declared length over the cap without reading", async () => {
    const res = await fetch(url, { method: "POST", body: "x".repeat(5000) });
    expect(res.status).toBe(413);
  });

  it("stops a chunked body as soon as it passes the cap", async () => {
    const result = await new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: "POST", headers: { "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.write("x".repeat(800));
      req.write("x".repeat(800));
      // Never ends: the server must answer without waiting for the rest.
    });
    expect(result).toBe(413);
  });
});

describe("request inspection", () => {
  const fakeRequest = (headers: Record<string, string>): IncomingMessage => {
    const req = new http.IncomingMessage(new Socket());
    req.headers = headers;
    return req;
  };

  it("reads the media type without parameters", () => {
    expect(mediaType("Application/XML; charset=utf-8")).toBe("application/xml");
    expect(mediaType(undefined)).toBe("");
  });

  it("accepts a post without Origin or from its own origin, refuses another origin", () => {
    expect(isSameOriginOrUnknown(fakeRequest({ host: "127.0.0.1:3001" }))).toBe(true);
    expect(isSameOriginOrUnknown(fakeRequest({ host: "127.0.0.1:3001", origin: "http://127.0.0.1:3001" }))).toBe(true);
    expect(isSameOriginOrUnknown(fakeRequest({ host: "127.0.0.1:3001", origin: "http://evil.example" }))).toBe(false);
    expect(isSameOriginOrUnknown(fakeRequest({ host: "127.0.0.1:3001", origin: "null" }))).toBe(false);
  });

  it("makes a download name safe whatever it holds", () => {
    expect(attachment("RMS01ServerLicensorCertificate.xml")).toBe('attachment; filename="RMS01ServerLicensorCertificate.xml"');
    const hostile = attachment('a"; filename=evil.exe\r\nX-Injected: 1');
    expect(hostile).not.toMatch(/[\r\n]/);
    expect(hostile.split('"')).toHaveLength(3);
    expect(hostile.startsWith('attachment; filename="')).toBe(true);
    expect(attachment("../../etc/passwd")).not.toContain("/");
  });

  it("sends a CSP that allows only the page's own stylesheet and no framing", () => {
    const csp = securityHeaders([styleHash("body{}")])["Content-Security-Policy"];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(securityHeaders()["X-Content-Type-Options"]).toBe("nosniff");
  });
});
