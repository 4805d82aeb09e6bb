// The console server's answer to a page that failed (500): the framework's empty shell is replaced by a complete page in
// the reader's language; other statuses, and what is not a page navigation, pass through unchanged.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setResponseStatus, withResponseStatus } from "./response-status";

const SHELL = '<!DOCTYPE html><html id="__next_error__"><head></head><body><div hidden></div></body></html>';
let server: http.Server;
let base = "";

beforeAll(async () => {
  server = http.createServer((request, response) =>
    withResponseStatus(response, () => {
      response.setHeader("Content-Security-Policy", "default-src 'self'; style-src 'self' 'nonce-abc123'");
      if (request.url?.startsWith("/fails")) {
        response.statusCode = 500;
        response.setHeader("Content-Length", Buffer.byteLength(SHELL));
        response.write(SHELL.slice(0, 20));
        response.end(SHELL.slice(20));
        return;
      }
      if (request.url === "/refused") setResponseStatus(403);
      response.end("<html>page</html>");
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("withResponseStatus", () => {
  it("answers a failed page navigation with a complete page, in the cookie's language, styled by the CSP's nonce", async () => {
    const response = await fetch(`${base}/fails?x=1`, { headers: { accept: "text/html", cookie: "rms_locale=sv" } });
    expect(response.status).toBe(500);
    const html = await response.text();
    expect(html).toContain('<html lang="sv">');
    expect(html).toContain("<h1>Serverfel</h1>");
    expect(html).toContain("Något gick fel på servern. Inget ändrades.");
    expect(html).toContain('<a href="/fails?x=1">Försök igen</a>');
    expect(html).toContain('<a href="/">Tillbaka till Global administration</a>');
    expect(html).toContain('<style nonce="abc123">');
    expect(html).not.toContain("__next_error__");
    expect(Number(response.headers.get("content-length"))).toBe(Buffer.byteLength(html));
  });

  it("speaks the browser's language without a cookie", async () => {
    const response = await fetch(`${base}/fails`, { headers: { accept: "text/html", "accept-language": "en-GB" } });
    expect(await response.text()).toContain("<h1>Server error</h1>");
  });

  it("leaves an RSC fetch's 500 and every other status alone", async () => {
    const rsc = await fetch(`${base}/fails`, { headers: { accept: "text/x-component", rsc: "1" } });
    expect(rsc.status).toBe(500);
    expect(await rsc.text()).toBe(SHELL);
    const refused = await fetch(`${base}/refused`, { headers: { accept: "text/html" } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toBe("<html>page</html>");
  });
});
