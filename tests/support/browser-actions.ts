// Server actions as the browser sends them: the real page produces the request (captured with request interception and
// not let through), and a test replays it — as is, or altered the way an attacker would (another session, no session,
// a foreign Origin, an oversize body). Nothing here knows React's action encoding; only what a browser put on the wire.
import { expect, type Locator, type Page, type Request } from "@playwright/test";

export interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface ActionReply {
  status: number;
  text: string;
  /** The session cookie the reply set, as `name=value`. */
  cookie: string | null;
  /** The whole Set-Cookie line of that session cookie, attributes included. */
  sessionSetCookie: string | null;
  /** Where the action sent the browser: Next's x-action-redirect for a fetched action (answered 200), else Location. */
  redirect: string | null;
}

/**
 * Waits until React has hydrated `element` (from then on it keeps the element's props under a `__reactProps$…` key).
 * A click before that is the browser's own: a link loads the whole page instead of the client router fetching it, and
 * a form posts as a page instead of as a server action. It reads one of React's internals, in test code only; the
 * alternatives were a delay, or a product change made only for tests.
 */
export async function untilHydrated(element: Locator): Promise<void> {
  const hydrated = () => element.evaluate((node) => Object.keys(node).some((key) => key.startsWith("__reactProps$")));
  // Up to 30 s, as a page load may take on a busy machine (the system tests run outside Playwright's runner, where an
  // expectation waits 5 s by default).
  await expect.poll(hydrated, { timeout: 30_000 }).toBe(true);
}

/** Headers a replay sets itself (or a client cannot choose). */
const OWN_HEADERS = new Set(["host", "content-length", "cookie", "origin", "connection", "accept-encoding"]);

/**
 * Runs `trigger` (clicks in the page) and returns the first POST the page sends to `path` by fetch — a server action;
 * the request is aborted, so it never reaches the server.
 */
export async function captureAction(page: Page, path: string, trigger: () => Promise<void>): Promise<CapturedAction> {
  const target = (url: URL) => url.pathname === path;
  let resolve: (request: Request) => void = () => undefined;
  let reject: (error: Error) => void = () => undefined;
  const seen = new Promise<Request>((r, j) => {
    resolve = r;
    reject = j;
  });
  await page.route(target, async (route) => {
    const request = route.request();
    if (request.method() === "POST" && request.resourceType() === "document") {
      // The form went out as a page: the click came before React had hydrated it. Nothing would ever be captured.
      reject(new Error(`the browser posted ${path} as a page, not as a server action: the page was not hydrated yet`));
      return route.abort();
    }
    if (request.method() !== "POST" || request.resourceType() !== "fetch") return route.fallback();
    resolve(request);
    await route.abort();
  });
  try {
    await trigger();
    const request = await seen;
    const body = request.postDataBuffer();
    if (!body) throw new Error(`the browser's POST to ${path} carried no body the test can replay`);
    return { url: request.url(), headers: await request.allHeaders(), body };
  } finally {
    await page.unroute(target);
  }
}

/** Sends a captured action again, to `baseUrl` if given, with the session and Origin chosen here. */
export async function replayAction(
  captured: CapturedAction,
  opts: {
    cookie: string | null;
    origin?: string | null;
    baseUrl?: string;
    headers?: Record<string, string>;
    body?: Buffer | string;
    /** Send the body chunked, without Content-Length (as a streaming client may). */
    chunked?: boolean;
    signal?: AbortSignal;
  },
): Promise<ActionReply> {
  const url = new URL(captured.url);
  const target = opts.baseUrl ? new URL(url.pathname + url.search, opts.baseUrl) : url;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(captured.headers)) {
    if (!OWN_HEADERS.has(name.toLowerCase()) && !name.startsWith(":")) headers[name] = value;
  }
  const origin = opts.origin === undefined ? target.origin : opts.origin;
  if (origin) headers.origin = origin;
  if (opts.cookie) headers.cookie = opts.cookie;
  const bytes = new Uint8Array(opts.body === undefined ? captured.body : Buffer.from(opts.body));
  const response = await fetch(target, {
    method: "POST",
    headers: { ...headers, ...opts.headers },
    body: opts.chunked ? inChunks(bytes) : bytes,
    redirect: "manual",
    signal: opts.signal,
    ...(opts.chunked ? { duplex: "half" } : {}),
  } as RequestInit);
  const session = response.headers.getSetCookie().find((c) => /^(__Host-)?rms_session=/.test(c)) ?? null;
  return {
    status: response.status,
    text: await response.text(),
    cookie: session ? (session.split(";")[0] ?? null) : null,
    sessionSetCookie: session,
    redirect: response.headers.get("x-action-redirect") ?? response.headers.get("location"),
  };
}

function inChunks(bytes: Uint8Array, size = 64 * 1024): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + size));
      offset += size;
    },
  });
}

/** The body with one text value replaced (e.g. a placeholder typed into the form): text fields travel as plain text. */
export function withText(captured: CapturedAction, placeholder: string, value: string): Buffer {
  const text = captured.body.toString("utf8");
  if (!text.includes(placeholder)) throw new Error(`the captured request does not contain ${placeholder}`);
  return Buffer.from(text.split(placeholder).join(value), "utf8");
}

/** Whether the action's answer carries this user-facing text (as it travels: JSON-escaped). */
export function replySays(reply: ActionReply, message: string): boolean {
  return reply.text.includes(JSON.stringify(message).slice(1, -1));
}

/** Whether the action's answer reports this status value of the dialog's state. */
export function replyStatus(reply: ActionReply, status: string): boolean {
  return reply.text.includes(`"status":${JSON.stringify(status)}`);
}
