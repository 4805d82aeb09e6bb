// The operator page's sign-in throttle, held like the console's (lib/console/auth/throttle.ts): an attempt is reserved before
// its password is checked, per operator name *and* source (5 in 15 minutes) and per source (20), locked 1 minute at the
// limit and twice as long after each further failure, up to 15. A name is never locked for everyone: an attacker
// elsewhere locks only their own source, so the operator's own browser still signs in. In memory: the service is one
// process per data folder.

interface Bucket {
  failures: number;
  windowStartedAt: number;
  lockedUntil: number;
}

const PER_NAME_AND_SOURCE = 5;
const PER_SOURCE = 20;
const WINDOW_MS = 15 * 60_000;
const BASE_LOCK_MS = 60_000;
const MAX_LOCK_MS = 15 * 60_000;
const MAX_BUCKETS = 100_000;

type OperatorThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export interface OperatorThrottle {
  reserve(name: string, source: string | null, now: number): OperatorThrottleDecision;
  /** A successful sign-in: the name's bucket for this source is cleared, the source gives back its one attempt. */
  release(name: string, source: string | null): void;
}

export function createOperatorThrottle(): OperatorThrottle {
  const buckets = new Map<string, Bucket>();
  const keysOf = (name: string, source: string | null) => [
    { key: `name:${name.normalize("NFKC").toLowerCase()}@${source ?? "-"}`, max: PER_NAME_AND_SOURCE },
    { key: `source:${source ?? "-"}`, max: PER_SOURCE },
  ];

  function sweep(now: number): void {
    for (const [key, bucket] of buckets) {
      if (bucket.windowStartedAt + WINDOW_MS < now && bucket.lockedUntil < now) buckets.delete(key);
    }
  }

  return {
    reserve(name, source, now) {
      const keys = keysOf(name, source);
      for (const { key } of keys) {
        const lockedUntil = buckets.get(key)?.lockedUntil ?? 0;
        if (lockedUntil > now) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((lockedUntil - now) / 1000)) };
      }
      if (buckets.size >= MAX_BUCKETS) sweep(now);
      for (const { key, max } of keys) {
        const bucket = buckets.get(key);
        const stale = !bucket || (bucket.windowStartedAt <= now - WINDOW_MS && bucket.lockedUntil <= now - WINDOW_MS);
        const next: Bucket = stale ? { failures: 1, windowStartedAt: now, lockedUntil: 0 } : { ...bucket, failures: bucket.failures + 1 };
        if (next.failures >= max) {
          next.lockedUntil = now + Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** Math.min(next.failures - max, 16));
        }
        buckets.set(key, next);
      }
      return { allowed: true };
    },
    release(name, source) {
      const [own, shared] = keysOf(name, source);
      if (own) buckets.delete(own.key);
      const bucket = shared ? buckets.get(shared.key) : undefined;
      if (bucket && shared) {
        bucket.failures = Math.max(0, bucket.failures - 1);
        if (bucket.failures < shared.max) bucket.lockedUntil = 0;
      }
    },
  };
}
