// Per-client rate limit for the service's write routes: a token bucket per address (refilled continuously), answering
// with the seconds until the next token. Buckets that are full again are dropped, so memory follows active clients only.

export interface RateLimiter {
  /** 0 when the client may go ahead (a token is taken), else the whole seconds to wait. */
  take(client: string, now?: number): number;
}

export function createRateLimiter(perMinute: number, maxClients = 100_000): RateLimiter {
  const capacity = Math.max(1, perMinute);
  const refillPerMs = perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();

  function sweep(now: number): void {
    for (const [client, bucket] of buckets) {
      if (bucket.tokens + (now - bucket.at) * refillPerMs >= capacity) buckets.delete(client);
    }
  }

  return {
    take(client, now = Date.now()) {
      let bucket = buckets.get(client);
      if (!bucket) {
        if (buckets.size >= maxClients) sweep(now);
        bucket = { tokens: capacity, at: now };
        buckets.set(client, bucket);
      }
      bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * refillPerMs);
      bucket.at = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / refillPerMs / 1000));
    },
  };
}
