// Small node:http helpers for the enrollment service: capped body reading, responses with security headers, language and origin checks.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: "too_large" | "aborted" };

/**
 * Reads the request body, counting bytes as they arrive: a declared or actual size over `limit`
 * stops reading at once, so an oversized upload is never buffered.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = req.headers["content-length"];
  if (declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit) {
    return Promise.resolve({ ok: false, reason: "too_large" });
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("aborted", onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        req.pause();
        finish({ ok: false, reason: "too_large" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onError = () => finish({ ok: false, reason: "aborted" });
    const onAborted = () => finish({ ok: false, reason: "aborted" });
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("aborted", onAborted);
  });
}

/**
 * For an answer sent before the body was read (e.g. 413): the connection closes after the answer,
 * so the rest of an oversized body is never read into memory.
 */
export function closeAfterResponse(res: ServerResponse): void {
  res.shouldKeepAlive = false;
}

// ---------- responses ----------

/** The one inline stylesheet; the CSP allows exactly this text by its hash. */
export function styleHash(css: string): string {
  return `'sha256-${createHash("sha256").update(css, "utf8").digest("base64")}'`;
}

export function securityHeaders(styleSources: string[] = []): Record<string, string> {
  const styleSrc = styleSources.length > 0 ? `style-src ${styleSources.join(" ")}` : "style-src 'none'";
  return {
    "Content-Security-Policy": `default-src 'self'; ${styleSrc}; script-src 'none'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'`,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
  };
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
  styleSources: string[] = [],
): void {
  const payload = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  res.writeHead(status, {
    ...securityHeaders(styleSources),
    "Cache-Control": "no-store",
    "Content-Type": contentType,
    "Content-Length": String(payload.length),
    ...extra,
  });
  res.end(payload);
}

export function sendJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(value), extra);
}

/** The API's error shape: a stable code and an English sentence saying what to do. */
export function sendApiError(
  res: ServerResponse,
  status: number,
  error: string,
  message: string,
  extra: Record<string, string> = {},
): void {
  sendJson(res, status, { error, message }, extra);
}

// ---------- request inspection ----------

/** The media type of a Content-Type header, lower-cased and without parameters ("" when absent). */
export function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/**
 * (Referrer-Policy stays same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on form posts.)
 * A browser form post is accepted only from our own pages: when an Origin header is present it must
 * be this server's origin (as addressed by the Host header), otherwise the post came from another site.
 */
export function isSameOriginOrUnknown(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (!host) return false;
  return origin.toLowerCase() === `http://${host.toLowerCase()}`;
}

/** Content-Disposition for a download; the name is reduced to safe characters whatever it held. */
export function attachment(fileName: string): string {
  const safe =
    fileName
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .replace(/^\.+/, "_")
      .slice(0, 200) || "download";
  return `attachment; filename="${safe}"`;
}

export function remoteAddress(req: IncomingMessage): string | null {
  return req.socket.remoteAddress ?? null;
}
