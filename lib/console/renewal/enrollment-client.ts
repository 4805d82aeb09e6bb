// Talks to the enrollment service over HTTPS verified against the console's trust anchors: connect and total timeouts,
// capped response, every outcome typed (a certificate the anchors do not vouch for is "untrusted", never "unreachable").
import https from "node:https";
import net from "node:net";
import tls, { type TLSSocket } from "node:tls";
import { z } from "zod";
import { consoleMetrics } from "@/lib/console/metrics/registry";
import { openTunnel, type ProxyLookup, type ProxyPolicy, proxyFor, type TunnelFailure } from "@/lib/platform/http/forward-proxy";

const MAX_RESPONSE_BYTES = 512 * 1024;

export type EnrollmentFailure =
  | { kind: "unreachable"; detail: string }
  | { kind: "timeout"; detail: string }
  // The service's TLS certificate does not chain to a trust anchor (or names another host): `code` is OpenSSL's.
  | { kind: "untrusted"; code: string; detail: string }
  // Something answered, but no TLS session came of it (e.g. a plain-HTTP server at an https:// address).
  | { kind: "tls_failed"; detail: string }
  // 421: the service does not serve the host name in the URL.
  | { kind: "misdirected" }
  // 409: the service already holds a different request under this request ID.
  | { kind: "conflict"; message: string }
  | { kind: "rejected"; status: number; reason: string; message: string }
  | { kind: "busy"; status: number; retryAfterSeconds: number | null }
  | { kind: "server_error"; status: number }
  | { kind: "bad_response"; detail: string }
  // The forward proxy: unreachable, 407, CONNECT refused, or no answer to CONNECT in time.
  | TunnelFailure
  // The proxy settings could not be read (e.g. their password was encrypted under another master key).
  | { kind: "proxy_unusable"; detail: string };

export type EnrollmentResponse = { ok: true; status: number; body: Buffer; contentType: string } | ({ ok: false } & EnrollmentFailure);

export interface HttpOptions {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  /** The forward proxy in force (RMS proxy settings, else HTTPS_PROXY/NO_PROXY); none: connect directly. */
  proxy?: ProxyLookup;
}

/** Where and how to reach the service: timeouts, and the PEM roots its TLS certificate must chain to (nothing else is trusted). */
export interface EnrollmentConnection extends HttpOptions {
  ca: readonly string[];
}

// OpenSSL's certificate verification results as Node reports them (err.code), plus Node's own host-name check.
const CERTIFICATE_ERRORS: ReadonlySet<string> = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

const errorBodySchema = z.object({ error: z.string().max(100), message: z.string().max(2000) });

// 202 from POST /api/enroll: the service's policy holds a new enrollment until an operator approves it.
const pendingApprovalSchema = z.object({
  status: z.literal("pending_approval"),
  submissionId: z.string().regex(/^[0-9a-f]{32}$/),
  requestId: z.uuid(),
  message: z.string().max(2000).default(""),
});

function retryAfter(header: string | undefined): number | null {
  if (!header) return null;
  if (/^\d{1,6}$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function parseJson<T>(payload: Buffer, schema: z.ZodType<T>): T | null {
  try {
    const result = schema.safeParse(JSON.parse(payload.toString("utf8")));
    return result.success ? result.data : null;
  } catch {
    return null;
  }
}

/** A non-2xx answer, typed. */
function statusFailure(status: number, headers: Record<string, string | string[] | undefined>, payload: Buffer): EnrollmentFailure {
  if (status === 429 || status === 503) {
    const header = headers["retry-after"];
    return { kind: "busy", status, retryAfterSeconds: retryAfter(Array.isArray(header) ? header[0] : header) };
  }
  if (status >= 500) return { kind: "server_error", status };
  if (status === 421) return { kind: "misdirected" };
  const parsed = parseJson(payload, errorBodySchema);
  if (status === 409) return { kind: "conflict", message: parsed?.message ?? "HTTP 409" };
  if (status >= 400) {
    return { kind: "rejected", status, reason: parsed?.error ?? `http_${status}`, message: parsed?.message ?? `HTTP ${status}` };
  }
  return { kind: "bad_response", detail: `unexpected HTTP ${status}` };
}

/** Why the exchange failed before an answer: no connection, a certificate not vouched for, or no TLS at all. */
function connectionFailure(error: NodeJS.ErrnoException, stage: "connecting" | "handshake" | "secured"): EnrollmentFailure {
  const code = error.code ?? "";
  if (CERTIFICATE_ERRORS.has(code)) return { kind: "untrusted", code, detail: error.message };
  if (stage === "handshake") {
    // OpenSSL's reason ("…:SSL routines:ssl3_get_record:wrong version number:file.c:350:") without the source trace.
    const reason = /error:[0-9A-F]+:[^:]*:[^:]*:([^:]+)/.exec(error.message)?.[1] ?? error.message.split("\n")[0] ?? "";
    return { kind: "tls_failed", detail: [code, reason].filter(Boolean).join(": ") };
  }
  return { kind: "unreachable", detail: code || error.message };
}

/**
 * One HTTPS exchange without keep-alive (a stale pooled socket must never turn into a false "unreachable"). Only
 * https: URLs; the server's certificate must chain to `conn.ca` and name the URL's host.
 */
export async function exchange(
  url: string,
  init: { method: "GET" | "POST"; body?: string; contentType?: string },
  conn: EnrollmentConnection,
): Promise<EnrollmentResponse> {
  if (!conn.proxy || !URL.canParse(url)) return exchangeOver(url, init, conn, null);
  let policy: ProxyPolicy | null;
  try {
    policy = await conn.proxy();
  } catch (error) {
    return { ok: false, kind: "proxy_unusable", detail: error instanceof Error ? error.message : String(error) };
  }
  const target = new URL(url);
  const proxy = proxyFor(policy, target);
  if (!proxy || conn.ca.length === 0) return exchangeOver(url, init, conn, null);
  const host = target.hostname.replace(/^\[|\]$/g, "");
  const tunnel = await openTunnel(
    proxy,
    { host, port: Number(target.port || 443) },
    { connectTimeoutMs: conn.connectTimeoutMs, tunnelTimeoutMs: conn.connectTimeoutMs },
  );
  if (!tunnel.ok) return tunnel;
  // TLS with the service inside the tunnel: the same trust anchors and host-name check as a direct connection.
  const secured = tls.connect({
    socket: tunnel.socket,
    host,
    ...(net.isIP(host) ? {} : { servername: host }),
    ca: [...conn.ca],
    rejectUnauthorized: true,
  });
  return exchangeOver(url, init, conn, secured);
}

function exchangeOver(
  url: string,
  init: { method: "GET" | "POST"; body?: string; contentType?: string },
  conn: EnrollmentConnection,
  tunnelled: TLSSocket | null,
): Promise<EnrollmentResponse> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, kind: "unreachable", detail: `invalid URL ${url}` });
  }
  if (target.protocol !== "https:") {
    return Promise.resolve({ ok: false, kind: "unreachable", detail: `${url} is not an https:// address` });
  }
  if (conn.ca.length === 0) {
    return Promise.resolve({
      ok: false,
      kind: "untrusted",
      code: "NO_TRUST_ANCHORS",
      detail: "no trust anchor to verify the service with",
    });
  }
  return new Promise((resolve) => {
    let settled = false;
    let stage: "connecting" | "handshake" | "secured" = "connecting";
    const finish = (result: EnrollmentResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      clearTimeout(connect);
      resolve(result);
    };
    const body = init.body === undefined ? undefined : Buffer.from(init.body, "utf8");
    const request = https.request(target, {
      method: init.method,
      ...(tunnelled ? { createConnection: () => tunnelled } : { agent: false }),
      ca: [...conn.ca],
      rejectUnauthorized: true,
      headers: {
        Connection: "close",
        Accept: "application/xml, application/json;q=0.9, */*;q=0.1",
        ...(body ? { "Content-Type": init.contentType ?? "application/xml", "Content-Length": String(body.length) } : {}),
      },
    });
    const total = setTimeout(() => {
      finish({ ok: false, kind: "timeout", detail: `no complete answer within ${conn.totalTimeoutMs} ms` });
      request.destroy();
    }, conn.totalTimeoutMs);
    const connect = setTimeout(() => {
      finish({ ok: false, kind: "unreachable", detail: `could not connect within ${conn.connectTimeoutMs} ms` });
      request.destroy();
    }, conn.connectTimeoutMs);
    request.on("socket", (socket: TLSSocket) => {
      const connected = () => {
        clearTimeout(connect);
        stage = "handshake";
      };
      if (!socket.connecting) connected();
      else socket.once("connect", connected);
      socket.once("secureConnect", () => {
        stage = "secured";
      });
    });
    request.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, ...connectionFailure(error, stage) }));
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          finish({ ok: false, kind: "bad_response", detail: `response larger than ${MAX_RESPONSE_BYTES} bytes` });
          request.destroy();
          return;
        }
        chunks.push(chunk);
      });
      response.on("error", () => finish({ ok: false, kind: "bad_response", detail: "response interrupted" }));
      response.on("end", () => {
        const status = response.statusCode ?? 0;
        const payload = Buffer.concat(chunks);
        const contentType =
          String(response.headers["content-type"] ?? "")
            .split(";")[0]
            ?.trim()
            .toLowerCase() ?? "";
        if (status >= 200 && status < 300) return finish({ ok: true, status, body: payload, contentType });
        finish({ ok: false, ...statusFailure(status, response.headers, payload) });
      });
    });
    request.end(body);
  });
}

/** What POST /api/enroll came to: an SLC, a request held for an operator's approval, or a failure. */
export type EnrollOutcome =
  | { ok: true; kind: "issued"; document: Buffer }
  | { ok: true; kind: "pending_approval"; requestId: string; submissionId: string; message: string }
  | ({ ok: false } & EnrollmentFailure);

/**
 * POSTs a signed renewal request to `<base>/api/enroll`: 200 with an XML body is the SLC, 202 with the documented JSON
 * means the service holds it for approval. `validityDays` asks for a shorter SLC (the service caps it by its own policy).
 */
export async function postRenewalRequest(
  baseUrl: string,
  requestXml: string,
  conn: EnrollmentConnection,
  request: { validityDays?: number } = {},
): Promise<EnrollOutcome> {
  const stopTimer = consoleMetrics().enrollmentRequestDuration.startTimer();
  const outcome = await postOnce(baseUrl, requestXml, conn, request);
  stopTimer({ outcome: outcome.kind });
  return outcome;
}

async function postOnce(
  baseUrl: string,
  requestXml: string,
  conn: EnrollmentConnection,
  request: { validityDays?: number },
): Promise<EnrollOutcome> {
  const query = request.validityDays === undefined ? "" : `?validityDays=${request.validityDays}`;
  const result = await exchange(`${baseUrl.replace(/\/+$/, "")}/api/enroll${query}`, { method: "POST", body: requestXml }, conn);
  if (!result.ok) return result;
  if (result.status === 202) {
    const pending = result.contentType === "application/json" ? parseJson(result.body, pendingApprovalSchema) : null;
    if (!pending) return { ok: false, kind: "bad_response", detail: "a 202 answer without the pending-approval fields" };
    return {
      ok: true,
      kind: "pending_approval",
      requestId: pending.requestId,
      submissionId: pending.submissionId,
      message: pending.message,
    };
  }
  if (result.status !== 200) return { ok: false, kind: "bad_response", detail: `unexpected HTTP ${result.status}` };
  if (!["application/xml", "text/xml"].includes(result.contentType)) {
    return { ok: false, kind: "bad_response", detail: `expected XML, got ${result.contentType || "no content type"}` };
  }
  return { ok: true, kind: "issued", document: result.body };
}
