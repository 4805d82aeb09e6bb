// Runs before every request (Node.js runtime, Next 16's default for proxy.ts, so the validated environment is at hand):
// a Host the console does not serve gets 421 (DNS rebinding defence); any state-changing request (a server action with
// or without JavaScript, a route handler) must carry this console's Origin, else 403; an oversize server-action post is
// refused with 413 here, instead of reaching Next's own checks, which answer them with a 500.
import { type NextRequest, NextResponse } from "next/server";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { env } from "@/lib/env";
import { isAllowedHost } from "@/lib/http/allowed-hosts";

/** Must equal experimental.serverActions.bodySizeLimit in next.config.js. */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

const PLAIN_TEXT = { "content-type": "text/plain; charset=utf-8" };
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function proxy(request: NextRequest): NextResponse {
  if (!isAllowedHost(request.headers.get("host"), env().allowedHosts)) {
    return new NextResponse("Misdirected Request: this console does not serve that host name.\n", { status: 421, headers: PLAIN_TEXT });
  }
  if (SAFE_METHODS.has(request.method)) return NextResponse.next();
  // No-JS form posts carry no Next-Action header: the origin is checked for every state-changing request.
  if (!isSameOrigin(request)) return new NextResponse("Cross-site request refused.", { status: 403, headers: PLAIN_TEXT });
  const length = Number(request.headers.get("content-length") ?? "0");
  if (!Number.isFinite(length) || length > ACTION_BODY_LIMIT_BYTES) {
    return new NextResponse("Request too large.", { status: 413 });
  }
  return NextResponse.next();
}

// Every path, static assets included: a rebinding page must not read anything from this origin.
export const config = {
  matcher: "/:path*",
};
