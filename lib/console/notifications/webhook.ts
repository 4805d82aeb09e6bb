// Webhook notifications: a JSON POST signed with HMAC-SHA256 over "<timestamp>.<body>" (header X-RMS-Signature:
// sha256=<hex>, with X-RMS-Timestamp, so a receiver can refuse replays), retried with bounded exponential backoff on
// network errors, 429 and 5xx (honouring Retry-After up to a cap); a 4xx other than 429 is final, and so is a redirect
// (never followed) and a target the outbound policy refuses (./outbound.ts). An https:// webhook goes through the
// forward proxy in force (RMS proxy settings, else HTTPS_PROXY), tunnelled, its certificate verified as usual; behind a
// proxy the policy checks the target's name or literal address, and the proxy resolves it.
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import { type ForwardProxy, openTunnel, type ProxyLookup, proxyFor } from "@/lib/platform/http/forward-proxy";
import { guardedLookup, type OutboundPolicy, OutboundRefusedError, refuseLiteral } from "./outbound";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Plain http:// only to this machine; anything else must be https://. */
export function webhookUrlAllowed(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

export interface WebhookTarget {
  url: string;
  secret: string;
  /** Set for a target from the Settings page: where it may connect (checked on every connection). */
  guard?: OutboundPolicy;
  /** The forward proxy in force; none: connect directly. */
  proxy?: ProxyLookup;
}

export interface WebhookDelivery {
  ok: boolean;
  attempts: number;
  status: number | null;
  error?: string;
}

export interface WebhookOptions {
  maxAttempts?: number;
  /** First backoff; doubles per attempt. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  /** Injected so tests record the waits instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

/** The signature a receiver recomputes: HMAC-SHA256(secret, `${timestamp}.${body}`), hex. */
function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

function retryAfterMs(header: string | null, maxDelayMs: number): number | null {
  if (!header) return null;
  const seconds = /^[0-9]{1,6}$/.test(header.trim()) ? Number(header.trim()) : Number.NaN;
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), maxDelayMs) : null;
}

/** One POST; resolves with the status and Retry-After, rejects on network errors, refusals and the timeout. */
function post(
  target: WebhookTarget,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const url = new URL(target.url);
    if (target.guard) refuseLiteral(target.guard, url.hostname);
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.request(
      url,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
        agent: false,
        ...(target.guard ? { lookup: guardedLookup(target.guard) as unknown as typeof import("node:dns").lookup } : {}),
      },
      (response) => {
        response.resume();
        response.on("end", () => {
          const retryAfter = response.headers["retry-after"];
          resolve({ status: response.statusCode ?? 0, retryAfter: typeof retryAfter === "string" ? retryAfter : null });
        });
        response.on("error", reject);
      },
    );
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on("close", () => clearTimeout(deadline));
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
    request.end(body);
  });
}

export async function deliverWebhook(target: WebhookTarget, payload: unknown, opts: WebhookOptions = {}): Promise<WebhookDelivery> {
  const maxAttempts = opts.maxAttempts ?? 5;
  const baseDelayMs = opts.baseDelayMs ?? 1_000;
  const maxDelayMs = opts.maxDelayMs ?? 60_000;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const body = JSON.stringify(payload);
  const delivery = randomUUID();
  let last: WebhookDelivery = { ok: false, attempts: 0, status: null };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const timestamp = String(Math.floor((opts.now?.() ?? new Date()).getTime() / 1000));
    let wait: number | null = null;
    try {
      const headers = {
        "content-type": "application/json",
        "user-agent": "rms-administration",
        "x-rms-delivery": delivery,
        "x-rms-timestamp": timestamp,
        "x-rms-signature": webhookSignature(target.secret, timestamp, body),
      };
      const timeoutMs = opts.timeoutMs ?? 10_000;
      const url = new URL(target.url);
      const proxy = target.proxy ? proxyFor(await target.proxy(), url) : null;
      if (proxy && target.guard) refuseLiteral(target.guard, url.hostname);
      const response = proxy ? await postThroughProxy(proxy, url, headers, body, timeoutMs) : await post(target, headers, body, timeoutMs);
      if (response.status >= 200 && response.status < 300) return { ok: true, attempts: attempt, status: response.status };
      const redirect = response.status >= 300 && response.status < 400;
      last = {
        ok: false,
        attempts: attempt,
        status: response.status,
        error: redirect ? `HTTP ${response.status} (a redirect, which is not followed)` : `HTTP ${response.status}`,
      };
      if (response.status !== 429 && response.status < 500) return last;
      wait = retryAfterMs(response.retryAfter, maxDelayMs);
    } catch (error) {
      last = { ok: false, attempts: attempt, status: null, error: error instanceof Error ? error.message : String(error) };
      if (error instanceof OutboundRefusedError) return last;
    }
    if (attempt < maxAttempts) await sleep(wait ?? Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs));
  }
  return last;
}

/** One POST through a CONNECT tunnel; a proxy failure is thrown with its own wording (the caller retries like any network error). */
async function postThroughProxy(
  proxy: ForwardProxy,
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ status: number; retryAfter: string | null }> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const tunnel = await openTunnel(
    proxy,
    { host, port: Number(url.port || 443) },
    { connectTimeoutMs: timeoutMs, tunnelTimeoutMs: timeoutMs },
  );
  if (!tunnel.ok) throw new Error(`${tunnel.kind} (proxy ${tunnel.proxy}): ${tunnel.detail}`);
  const socket = tls.connect({ socket: tunnel.socket, host, ...(net.isIP(host) ? {} : { servername: host }) });
  return new Promise((resolve, reject) => {
    const request = https.request(url, {
      method: "POST",
      createConnection: () => socket,
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)), connection: "close" },
      timeout: timeoutMs,
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", reject);
    request.on("response", (response) => {
      response.resume();
      response.on("end", () => {
        const retryAfter = response.headers["retry-after"];
        resolve({ status: response.statusCode ?? 0, retryAfter: typeof retryAfter === "string" ? retryAfter : null });
      });
      response.on("error", reject);
    });
    request.end(body);
  });
}
