// The HTTP status of a page that refuses or finds nothing, set without throwing. Next 16 renders a notFound() or
// forbidden() thrown while a page renders only in the browser: React's server renderer has no error boundaries, so the
// interrupt escapes the HTML shell and Next answers with an empty `<html id="__next_error__">` whose content exists
// only in the RSC payload — a blank page without JavaScript. The console's layouts therefore render the refusal
// themselves (complete HTML, the same with and without JavaScript) and name its status here; the console's server
// (scripts/console-server.ts) runs each request with a slot and applies the status when the headers go out.
import { AsyncLocalStorage } from "node:async_hooks";
import type http from "node:http";
import { isDocumentRequest, serverErrorPage, styleNonce } from "./server-error-page";

interface StatusSlot {
  status: number | null;
}

// On globalThis: the console server (tsx) and Next's bundles load this module as separate instances.
const holder = globalThis as typeof globalThis & { rmsResponseStatus?: AsyncLocalStorage<StatusSlot> };

function storage(): AsyncLocalStorage<StatusSlot> {
  holder.rmsResponseStatus ??= new AsyncLocalStorage<StatusSlot>();
  return holder.rmsResponseStatus;
}

/**
 * Runs `handle` for one request with a status slot: when a page named a status (setResponseStatus), the response's
 * headers go out with it instead of the 200 the framework chose. Only a 200 is replaced (a redirect or an error stays).
 */
export function withResponseStatus<T>(response: http.ServerResponse, handle: () => T): T {
  const slot: StatusSlot = { status: null };
  const writeHead = response.writeHead;
  const write = response.write;
  const end = response.end;
  const request = response.req as http.IncomingMessage | undefined;
  const document = request !== undefined && isDocumentRequest(request);
  // A page navigation that failed on the server gets the console's own complete page instead of the framework's empty
  // shell (lib/platform/http/server-error-page.ts): its body replaces whatever the framework writes.
  let replacement: Buffer | null = null;
  const failing = (res: http.ServerResponse) => document && !res.headersSent && res.statusCode === 500;
  response.writeHead = function (this: http.ServerResponse, statusCode: number, ...rest: unknown[]) {
    if (statusCode === 500 && document && request) {
      replacement = Buffer.from(serverErrorPage(request, styleNonce(this.getHeader("content-security-policy"))), "utf8");
      for (const name of ["content-length", "content-encoding", "etag", "transfer-encoding", "vary"]) this.removeHeader(name);
      this.setHeader("Content-Type", "text/html; charset=utf-8");
      this.setHeader("Content-Length", replacement.length);
      this.setHeader("Cache-Control", "no-store");
      return (writeHead as (...a: unknown[]) => http.ServerResponse).call(this, 500);
    }
    if (slot.status !== null && statusCode === 200) {
      // A reason phrase given for 200 ("OK") would be wrong for the new status: Node picks the standard one.
      const [first, ...others] = rest;
      const args = typeof first === "string" ? others : rest;
      return (writeHead as (...a: unknown[]) => http.ServerResponse).call(this, slot.status, ...args);
    }
    return (writeHead as (...a: unknown[]) => http.ServerResponse).call(this, statusCode, ...rest);
  } as typeof response.writeHead;
  response.write = function (this: http.ServerResponse, ...args: unknown[]) {
    if (failing(this)) this.writeHead(500);
    if (replacement) return true;
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as typeof response.write;
  response.end = function (this: http.ServerResponse, ...args: unknown[]) {
    if (failing(this)) this.writeHead(500);
    if (replacement) {
      const body = replacement;
      replacement = Buffer.alloc(0);
      const callback = args.find((arg) => typeof arg === "function");
      const chunk = request?.method === "HEAD" ? undefined : body;
      return (end as (...a: unknown[]) => http.ServerResponse).call(this, ...(chunk ? [chunk] : []), ...(callback ? [callback] : []));
    }
    return (end as (...a: unknown[]) => http.ServerResponse).apply(this, args);
  } as typeof response.end;
  return storage().run(slot, handle);
}

/** Called while a page renders: the response is sent with `status` (403, 404). A no-op outside the console's server. */
export function setResponseStatus(status: 403 | 404): void {
  const slot = storage().getStore();
  if (slot) slot.status = status;
}
