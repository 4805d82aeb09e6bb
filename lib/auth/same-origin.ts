// CSRF defence shared by proxy.ts (server actions) and route handlers: a state-changing request must come from a page of this console.
export function isSameOrigin(request: { headers: Headers }): boolean {
  const origin = request.headers.get("origin");
  const host = request.headers.get("host");
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
