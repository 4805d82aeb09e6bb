// The console's proxy in front of every request: foreign Host → 421; cross-site state-changing requests → 403;
// oversize server-action posts → 413.
import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { ACTION_BODY_LIMIT_BYTES, proxy } from "./proxy";

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

  it("refuses a cross-site or oversize server-action post and passes a same-origin one", () => {
    const action = (headers: Record<string, string>) =>
      proxy(request("127.0.0.1:3000", { method: "POST", headers: { "next-action": "abc", ...headers } }));
    expect(action({ origin: "http://evil.example" }).status).toBe(403);
    expect(action({ origin: "http://127.0.0.1:3000", "content-length": String(ACTION_BODY_LIMIT_BYTES + 1) }).status).toBe(413);
    expect(action({ origin: "http://127.0.0.1:3000", "content-length": "10" }).headers.get("x-middleware-next")).toBe("1");
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
