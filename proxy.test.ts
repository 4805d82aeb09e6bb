// The console's proxy in front of every request: foreign Host → 421; cross-site state-changing requests → 403;
// a Content-Security-Policy with a fresh nonce on everything else.
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { proxy } from "./proxy";

// The defaults (HOST 127.0.0.1, PORT 3000, no RMS_ALLOWED_HOSTS), whatever the shell running the tests has set.
vi.stubEnv("HOST", "127.0.0.1");
vi.stubEnv("PORT", "3000");
vi.stubEnv("RMS_ALLOWED_HOSTS", "");
function request(host: string | null, init: { method?: string; headers?: Record<string, string> } = {}): NextRequest {
  const headers = new Headers(init.headers);
  if (host !== null) headers.set("host", host);
  return new NextRequest("http://127.0.0.1:3000/clusters", { method: init.method ?? "GET", headers });
}

describe("proxy", () => {
  it("passes requests for the console's own loopback names on its port", () => {
    for (const host of ["127.0.0.1:3000", "localhost:3000", "[::1]:3000"]) {
      const response = proxy(request(host));
      expect(response.status, host).toBe(200);
      expect(response.headers.get("x-middleware-next"), host).toBe("1");
    }
  });

  it("answers 421 in plain text for any other Host, before anything else runs", async () => {
    for (const host of ["rebind.attacker.example:3000", "127.0.0.1:3001", "localhost"]) {
      const response = proxy(request(host, { method: "POST", headers: { "next-action": "x", origin: `http://${host}` } }));
      expect(response.status, host).toBe(421);
      expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect(await response.text()).toMatch(/^Misdirected Request/);
    }
  });

  it("refuses a cross-site server-action post and passes a same-origin one", () => {
    const action = (headers: Record<string, string>) =>
      proxy(request("127.0.0.1:3000", { method: "POST", headers: { "next-action": "abc", ...headers } }));
    expect(action({ origin: "http://evil.example" }).status).toBe(403);
    expect(action({ origin: "http://127.0.0.1:3000", "content-length": "10" }).headers.get("x-middleware-next")).toBe("1");
  });

  it("gives every response its own script nonce, passed to Next in the request's policy header", () => {
    const first = proxy(request("127.0.0.1:3000"));
    const second = proxy(request("127.0.0.1:3000"));
    const policy = first.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([A-Za-z0-9+/=]{24})'/.exec(policy)?.[1];
    expect(nonce).toBeDefined();
    expect(policy).toContain("'strict-dynamic'");
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain("unsafe-inline");
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(policy);
    expect(first.headers.get("strict-transport-security")).toBeNull();
    // HSTS follows the origin the console's server found, not a client's X-Forwarded-Proto.
    expect(
      proxy(request("127.0.0.1:3000", { headers: { "x-forwarded-proto": "https" } })).headers.get("strict-transport-security"),
    ).toBeNull();
    const secure = proxy(request("127.0.0.1:3000", { headers: { "x-rms-origin": "https://127.0.0.1:3000" } }));
    expect(secure.headers.get("strict-transport-security")).toBe("max-age=31536000");
  });

  it("checks the origin of every state-changing request, also a no-JS form post without Next-Action", () => {
    const post = (headers: Record<string, string>, method = "POST") => proxy(request("127.0.0.1:3000", { method, headers }));
    expect(post({ "content-type": "multipart/form-data; boundary=x" }).status).toBe(403);
    expect(post({ origin: "http://evil.example", "content-type": "application/x-www-form-urlencoded" }).status).toBe(403);
    expect(post({ origin: "null" }).status).toBe(403);
    expect(post({ origin: "http://127.0.0.1:3000" }, "DELETE").headers.get("x-middleware-next")).toBe("1");
    expect(post({}, "PUT").status).toBe(403);
    expect(
      post({ origin: "http://127.0.0.1:3000", "content-type": "multipart/form-data; boundary=x" }).headers.get("x-middleware-next"),
    ).toBe("1");
  });
});

describe("proxy behind a reverse proxy", () => {
  it("accepts the browser's origin as the console's server found it, and tells Next's own action check that host", () => {
    // Apache without ProxyPreserveHost: Host is the backend's; the gate found https://127.0.0.1:8443 (trusted proxy).
    const response = proxy(
      request("127.0.0.1:3000", {
        method: "POST",
        headers: { "next-action": "abc", origin: "https://127.0.0.1:8443", "x-rms-origin": "https://127.0.0.1:8443" },
      }),
    );
    expect(response.headers.get("x-middleware-next")).toBe("1");
    expect(response.headers.get("x-middleware-request-x-forwarded-host")).toBe("127.0.0.1:8443");
    expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000");
  });

  it("logs a refused cross-site request as one line and answers with what to check, in plain text Next's client shows", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    const refused = proxy(
      request("127.0.0.1:3000", {
        method: "POST",
        headers: { "next-action": "abc", origin: "https://127.0.0.1:8443", "x-forwarded-for": "198.51.100.7" },
      }),
    );
    spy.mockRestore();
    expect(refused.status).toBe(403);
    expect(refused.headers.get("content-type")).toBe("text/plain");
    const text = await refused.text();
    expect(text).toMatch(
      /^Cross-site request refused: the page's origin \(https:\/\/127\.0\.0\.1:8443\) is not this console's \(http:\/\/127\.0\.0\.1:3000\)/,
    );
    expect(text).toContain("RMS_PUBLIC_URL");
    expect(text).toContain("Host");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({
      level: "warning",
      source: "same-origin",
      message: "cross-site request refused",
      origin: "https://127.0.0.1:8443",
      host: "127.0.0.1:3000",
      path: "/clusters",
      client: "198.51.100.7",
    });
  });
});
