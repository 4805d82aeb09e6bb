// Talks to the enrollment service over HTTP: connect and total timeouts, capped response, every outcome typed.
import http from "node:http";
import https from "node:https";
import { z } from "zod";

const MAX_RESPONSE_BYTES = 512 * 1024;

export type EnrollmentFailure =
  | { kind: "unreachable"; detail: string }
  | { kind: "timeout"; detail: string }
  | { kind: "rejected"; status: number; reason: string; message: string }
  | { kind: "busy"; status: number; retryAfterSeconds: number | null }
  | { kind: "server_error"; status: number }
  | { kind: "bad_response"; detail: string };

export type EnrollmentResponse = { ok: true; status: number; body: Buffer; contentType: string } | ({ ok: false } & EnrollmentFailure);

export interface HttpOptions {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
}

const errorBodySchema = z.object({ error: z.string().max(100), message: z.string().max(2000) });

function retryAfter(header: string | undefined): number | null {
  if (!header) return null;
  if (/^\d{1,6}$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** One HTTP exchange without keep-alive (a stale pooled socket must never turn into a false "unreachable"). */
export function exchange(
  url: string,
  init: { method: "GET" | "POST"; body?: string; contentType?: string },
  opts: HttpOptions,
): Promise<EnrollmentResponse> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: EnrollmentResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      clearTimeout(connect);
      resolve(result);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ ok: false, kind: "unreachable", detail: `invalid URL ${url}` });
      return;
    }
    const transport = target.protocol === "https:" ? https : http;
    const body = init.body === undefined ? undefined : Buffer.from(init.body, "utf8");
    const request = transport.request(target, {
      method: init.method,
      agent: false,
      headers: {
        Connection: "close",
        Accept: "application/xml, application/json;q=0.9, */*;q=0.1",
        ...(body ? { "Content-Type": init.contentType ?? "application/xml", "Content-Length": String(body.length) } : {}),
      },
    });
    const total = setTimeout(() => {
      finish({ ok: false, kind: "timeout", detail: `no complete answer within ${opts.totalTimeoutMs} ms` });
      request.destroy();
    }, opts.totalTimeoutMs);
    const connect = setTimeout(() => {
      finish({ ok: false, kind: "unreachable", detail: `could not connect within ${opts.connectTimeoutMs} ms` });
      request.destroy();
    }, opts.connectTimeoutMs);
    request.on("socket", (socket) => {
      if (!socket.connecting) clearTimeout(connect);
      else socket.once("connect", () => clearTimeout(connect));
    });
    request.on("error", (error: NodeJS.ErrnoException) => finish({ ok: false, kind: "unreachable", detail: error.code ?? error.message }));
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
        if (status === 429 || status === 503) {
          return finish({ ok: false, kind: "busy", status, retryAfterSeconds: retryAfter(response.headers["retry-after"]) });
        }
        if (status >= 500) return finish({ ok: false, kind: "server_error", status });
        if (status >= 400) {
          let parsed: z.infer<typeof errorBodySchema> | null = null;
          try {
            const result = errorBodySchema.safeParse(JSON.parse(payload.toString("utf8")));
            parsed = result.success ? result.data : null;
          } catch {
            parsed = null;
          }
          return finish({
            ok: false,
            kind: "rejected",
            status,
            reason: parsed?.error ?? `http_${status}`,
            message: parsed?.message ?? `HTTP ${status}`,
          });
        }
        finish({ ok: false, kind: "bad_response", detail: `unexpected HTTP ${status}` });
      });
    });
    request.end(body);
  });
}

/**
 * POSTs a signed renewal request to `<base>/api/enroll`; success means a 200 with an XML body. `validityDays` asks
 * for a shorter SLC (the service caps it by its own policy).
 */
export async function postRenewalRequest(
  baseUrl: string,
  requestXml: string,
  opts: HttpOptions,
  request: { validityDays?: number } = {},
): Promise<EnrollmentResponse> {
  const query = request.validityDays === undefined ? "" : `?validityDays=${request.validityDays}`;
  const result = await exchange(`${baseUrl.replace(/\/+$/, "")}/api/enroll${query}`, { method: "POST", body: requestXml }, opts);
  if (result.ok && !["application/xml", "text/xml"].includes(result.contentType)) {
    return { ok: false, kind: "bad_response", detail: `expected XML, got ${result.contentType || "no content type"}` };
  }
  return result;
}
