// Runs before every request (Node.js runtime, Next 16's default for proxy.ts, so the validated environment is at hand):
// a Host the console does not serve gets 421 (DNS rebinding defence); any state-changing request (a server action with
// or without JavaScript, a route handler) must carry this console's Origin, else 403. Every response gets a
// Content-Security-Policy with a fresh nonce, which Next puts on its own scripts. Body size and the client's address
// are settled earlier, by the console's server (lib/http/request-gate.ts).
import { type NextRequest, NextResponse } from "next/server";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { env } from "@/lib/env";
import { isAllowedHost } from "@/lib/http/allowed-hosts";

const PLAIN_TEXT = { "content-type": "text/plain; charset=utf-8" };
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The policy for one response: scripts only with this nonce (and what they load), nothing framed, forms post here. */
export function contentSecurityPolicy(nonce: string, opts: { dev: boolean }): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function proxy(request: NextRequest): NextResponse {
  if (!isAllowedHost(request.headers.get("host"), env().allowedHosts)) {
    return new NextResponse("Misdirected Request: this console does not serve that host name.\n", { status: 421, headers: PLAIN_TEXT });
  }
  // No-JS form posts carry no Next-Action header: the origin is checked for every state-changing request.
  if (!SAFE_METHODS.has(request.method) && !isSameOrigin(request)) {
    return new NextResponse("Cross-site request refused.", { status: 403, headers: PLAIN_TEXT });
  }
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const policy = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development" });
  // Next reads the nonce from the request's policy header and sets it on the scripts it renders.
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  // Set by the console's server from the socket or a trusted proxy, never by the client.
  if (request.headers.get("x-forwarded-proto") === "https") {
    response.headers.set("strict-transport-security", "max-age=31536000");
  }
  return response;
}

// Every path, static assets included: a rebinding page must not read anything from this origin.
export const config = {
  matcher: "/:path*",
};
