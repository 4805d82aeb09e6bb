// Requests the tests make to the services with node:http/https (not fetch: it cannot be given a CA). An https:// URL is
// verified against the CA the caller names — the enrollment service's root from its data folder — and nothing else.
import http from "node:http";
import https from "node:https";

export interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
}

export interface SimpleRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** PEM roots for an https:// URL (required there). */
  ca?: string | string[];
  timeoutMs?: number;
}

export function request(url: string, opts: SimpleRequest = {}): Promise<SimpleResponse> {
  const target = new URL(url);
  const secure = target.protocol === "https:";
  if (secure && !opts.ca) return Promise.reject(new Error(`${url}: an https:// request needs the CA to verify it with`));
  const transport = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(
      target,
      {
        method: opts.method ?? "GET",
        agent: false,
        headers: opts.headers,
        timeout: opts.timeoutMs ?? 10_000,
        ...(secure ? { ca: opts.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("error", reject);
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: () => body.toString("utf8") });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url}: no answer within ${opts.timeoutMs ?? 10_000} ms`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}
