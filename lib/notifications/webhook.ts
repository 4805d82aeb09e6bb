// Webhook notifications: a JSON POST signed with HMAC-SHA256 over "<timestamp>.<body>" (header X-RMS-Signature:
// sha256=<hex>, with X-RMS-Timestamp, so a receiver can refuse replays), retried with bounded exponential backoff on
// network errors, 429 and 5xx (honouring Retry-After up to a cap); a 4xx other than 429 is final.
import { createHmac, randomUUID } from "node:crypto";

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Plain http:// only to this machine; anything else must be https://. */
export function webhookUrlAllowed(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname));
}

export interface WebhookTarget {
  url: string;
  secret: string;
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
      const response = await fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "rms-administration",
          "x-rms-delivery": delivery,
          "x-rms-timestamp": timestamp,
          "x-rms-signature": webhookSignature(target.secret, timestamp, body),
        },
        body,
        redirect: "error",
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { ok: true, attempts: attempt, status: response.status };
      last = { ok: false, attempts: attempt, status: response.status, error: `HTTP ${response.status}` };
      if (response.status !== 429 && response.status < 500) return last;
      wait = retryAfterMs(response.headers.get("retry-after"), maxDelayMs);
    } catch (error) {
      last = { ok: false, attempts: attempt, status: null, error: error instanceof Error ? error.message : String(error) };
    }
    if (attempt < maxAttempts) await sleep(wait ?? Math.min(baseDelayMs * 2 ** (attempt - 1), maxDelayMs));
  }
  return last;
}
