// Runs before every request (Node.js runtime, Next 16's default for proxy.ts, so the validated environment is at hand):
// a Host the console does not serve gets 421 (DNS rebinding defence); any state-changing request (a server action with
// or without JavaScript, a route handler) must carry this console's Origin, else 403. Every response gets a
// Content-Security-Policy with a fresh nonce, which Next puts on its own scripts. Body size, the client's address and
// the origin the browser used are settled earlier, by the console's server (lib/platform/http/request-gate.ts). A refused
// cross-site request is logged as one line and answered with what to check (the proxy's Host header, RMS_PUBLIC_URL).
import { type NextRequest, NextResponse } from "next/server";
import { isSameOrigin, requestOriginOf } from "@/lib/console/auth/same-origin";
import { env } from "@/lib/console/env";
import { isAllowedHost, type Origin, originHost, originText, parseOrigin } from "@/lib/platform/http/host-rules";
import { CROSS_SITE_REFUSED } from "@/lib/platform/i18n/error-messages";
import { jsonLogLine, toStdout } from "@/lib/platform/log";

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

/** One log line, and an answer naming what to check; plain `text/plain` so Next's client shows it for a server action. */
function refuseCrossSite(request: NextRequest, own: Origin | null, publicUrl: Origin | null): NextResponse {
  const origin = request.headers.get("origin");
  const expected = publicUrl ?? own;
  toStdout(
    jsonLogLine({
      time: new Date(),
      level: "warning",
      source: "same-origin",
      message: "cross-site request refused",
      origin: origin?.slice(0, 200) ?? null,
      host: request.headers.get("host")?.slice(0, 200) ?? null,
      requestOrigin: own ? originText(own) : null,
      publicUrl: publicUrl ? originText(publicUrl) : null,
      method: request.method,
      path: request.nextUrl.pathname.slice(0, 200),
      client: request.headers.get("x-forwarded-for"),
    }),
  );
  const text =
    `${CROSS_SITE_REFUSED}: the page's origin (${origin?.slice(0, 200) ?? "none"}) is not this console's ` +
    `(${expected ? originText(expected) : "unknown"}). Nothing was changed. Behind a reverse proxy: pass the Host the browser ` +
    "used (nginx: proxy_set_header Host $http_host;) and X-Forwarded-Proto from an address in RMS_TRUSTED_PROXIES, " +
    "or set RMS_PUBLIC_URL to the address in the browser's address bar.";
  const contentType = request.headers.has("next-action") ? "text/plain" : PLAIN_TEXT["content-type"];
  return new NextResponse(text, { status: 403, headers: { "content-type": contentType } });
}

export function proxy(request: NextRequest): NextResponse {
  if (!isAllowedHost(request.headers.get("host"), env().allowedHosts)) {
    return new NextResponse("Misdirected Request: this console does not serve that host name.\n", { status: 421, headers: PLAIN_TEXT });
  }
  // No-JS form posts carry no Next-Action header: the origin is checked for every state-changing request.
  const { publicUrl } = env();
  const stateChanging = !SAFE_METHODS.has(request.method);
  if (stateChanging && !isSameOrigin(request, publicUrl)) return refuseCrossSite(request, requestOriginOf(request.headers), publicUrl);
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString("base64");
  const policy = contentSecurityPolicy(nonce, { dev: process.env.NODE_ENV === "development" });
  // Next reads the nonce from the request's policy header and sets it on the scripts it renders.
  const headers = new Headers(request.headers);
  headers.set("content-security-policy", policy);
  // Next checks a server action's Origin against X-Forwarded-Host itself; the origin was accepted above.
  const accepted = stateChanging ? parseOrigin(request.headers.get("origin")) : null;
  if (accepted) headers.set("x-forwarded-host", originHost(accepted));
  const response = NextResponse.next({ request: { headers } });
  response.headers.set("content-security-policy", policy);
  // The origin the console's server found (the socket, RMS_PUBLIC_URL or a trusted proxy), never the client's word.
  if (requestOriginOf(request.headers)?.scheme === "https") {
    response.headers.set("strict-transport-security", "max-age=31536000");
  }
  return response;
}

// Every path, static assets included: a rebinding page must not read anything from this origin.
export const config = {
  matcher: "/:path*",
};
