// Runs before server actions (only requests carrying a Next-Action header match): a cross-site or oversize action
// post is refused with 403/413 here, instead of reaching Next's own checks, which answer them with a 500.
import { type NextRequest, NextResponse } from "next/server";
import { isSameOrigin } from "@/lib/auth/same-origin";

/** Must equal experimental.serverActions.bodySizeLimit in next.config.js. */
export const ACTION_BODY_LIMIT_BYTES = 1024 * 1024;

export function proxy(request: NextRequest): NextResponse {
  if (request.method !== "POST") return NextResponse.next();
  if (!isSameOrigin(request)) return new NextResponse("Cross-site request refused.", { status: 403 });
  const length = Number(request.headers.get("content-length") ?? "0");
  if (!Number.isFinite(length) || length > ACTION_BODY_LIMIT_BYTES) {
    return new NextResponse("Request too large.", { status: 413 });
  }
  return NextResponse.next();
}

export const config = {
  matcher: [{ source: "/:path*", has: [{ type: "header", key: "next-action" }] }],
};
