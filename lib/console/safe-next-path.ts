// Only same-site paths may be used as a post-sign-in destination (no open redirects).
export function safeNextPath(next: string | null | undefined): string {
  if (!next?.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (/[\u0000-\u001f\u007f]/.test(next)) return "/";
  return next;
}

/** The page a form was posted from, from its Referer (Referrer-Policy is same-origin), when it is on this host; else "/". */
export function refererPath(referer: string | null | undefined, host: string | null | undefined): string {
  if (!referer || !host) return "/";
  try {
    const url = new URL(referer);
    return url.host === host ? safeNextPath(`${url.pathname}${url.search}`) : "/";
  } catch {
    return "/";
  }
}

/** The sign-in page, returning to `path` afterwards. */
export function signInPath(path: string): string {
  const next = safeNextPath(path);
  return next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`;
}
