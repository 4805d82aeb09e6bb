// CSRF defence shared by proxy.ts (server actions, form posts) and route handlers: a state-changing request must come
// from a page of this console, as the browser reached it (behind a reverse proxy too: lib/platform/http/forwarded.ts).
import { ORIGIN_HEADER } from "@/lib/platform/http/forwarded";
import { isOwnOrigin, type Origin, parseOrigin } from "@/lib/platform/http/host-rules";

/** The request's origin as the console's server found it (lib/platform/http/request-gate.ts); without that server, Host over http. */
export function requestOriginOf(headers: Headers): Origin | null {
  return parseOrigin(headers.get(ORIGIN_HEADER)) ?? parseOrigin(`http://${headers.get("host") ?? ""}`);
}

/** True when the request's Origin is its own origin or the public URL's (RMS_PUBLIC_URL). */
export function isSameOrigin(request: { headers: Headers }, publicUrl: Origin | null): boolean {
  return isOwnOrigin(request.headers.get("origin"), requestOriginOf(request.headers), publicUrl);
}
