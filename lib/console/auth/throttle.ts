// Sign-in throttling per user name *and* source address, per address and per trusted device, kept in the database so
// every console process shares it. An attempt is *reserved* (counted) before its password is checked, in one
// transaction per attempt, so parallel attempts can never all be evaluated: once a key reaches its limit, the attempts
// after it are refused unheard. The transaction waits at most LOCK_TIMEOUT for a contended row, then refuses (a burst
// never holds the connection pool). Why name and source, not name alone: a lock on the name alone lets anyone lock the
// administrator out of every new browser with one wrong password per lock period; keyed on name and source, guessing
// locks only the guesser's own address, while a distributed guesser is held by the per-address limit at each address
// and by the scrypt cost of every attempt. The user name is the resolved identity, NFKC-normalised and case-folded, so
// `ａｌｉｃｅ` and `ALICE` count as alice.
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Queryable } from "@/lib/platform/db/client";
import { signInThrottles } from "@/lib/platform/db/schema";

export interface ThrottlePolicy {
  /** Attempts within the window that lock a user name (or a trusted device). */
  userMaxFailures: number;
  /** Attempts within the window that lock an address; higher, since many people may share one (a proxy). */
  addressMaxFailures: number;
  windowMinutes: number;
  /** First lock; each further refused-then-allowed attempt doubles it, up to maxLockMinutes. */
  baseLockMinutes: number;
  maxLockMinutes: number;
}

const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  userMaxFailures: 5,
  addressMaxFailures: 20,
  windowMinutes: 15,
  baseLockMinutes: 1,
  maxLockMinutes: 15,
};

export interface ThrottleKeys {
  userName?: string | null;
  remoteAddress?: string | null;
  /**
   * Hash of a device token this browser got at an earlier successful sign-in of the same user. With it the attempt
   * counts against that device only, so failures from elsewhere (an attacker locking the name) do not lock it out.
   */
  trustedDevice?: string | null;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const MAX_KEY_PART = 128;

function isLoopback(address: string): boolean {
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/**
 * The buckets an attempt counts against. Loopback is not an address bucket: every local process shares it, so it
 * would let one of them lock every user out (the user-name limit still applies).
 */
/** The identity a throttle counts: NFKC (full-width and compatibility forms folded) and case-folded. */
export function throttleIdentity(name: string): string {
  return name.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC").trim();
}

function keysOf(keys: ThrottleKeys, policy: ThrottlePolicy): Array<{ key: string; maxFailures: number }> {
  if (keys.trustedDevice) return [{ key: `device:${keys.trustedDevice.slice(0, MAX_KEY_PART)}`, maxFailures: policy.userMaxFailures }];
  const out: Array<{ key: string; maxFailures: number }> = [];
  const address = keys.remoteAddress?.trim().toLowerCase();
  if (keys.userName) {
    const name = throttleIdentity(keys.userName).slice(0, MAX_KEY_PART);
    out.push({ key: `user:${name}@${(address ?? "-").slice(0, MAX_KEY_PART)}`, maxFailures: policy.userMaxFailures });
  }
  if (address && !isLoopback(address)) {
    out.push({ key: `addr:${address.slice(0, MAX_KEY_PART)}`, maxFailures: policy.addressMaxFailures });
  }
  return out;
}

/** How long the throttle's transaction waits for a row another attempt holds; then the attempt is refused. */
const LOCK_TIMEOUT = "2s";
/** PostgreSQL's lock_not_available (what lock_timeout raises). */
const LOCK_NOT_AVAILABLE = "55P03";

/** Whether the error (or one it wraps: drizzle wraps the driver's) is PostgreSQL's lock timeout. */
function isLockTimeout(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; depth < 5 && typeof e === "object" && e !== null; depth++) {
    if ((e as { code?: unknown }).code === LOCK_NOT_AVAILABLE) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

class Refused extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super("throttled");
  }
}

function lockMinutes(count: number, maxFailures: number, policy: ThrottlePolicy): number {
  return Math.min(policy.maxLockMinutes, policy.baseLockMinutes * 2 ** Math.min(Math.max(0, count - maxFailures), 16));
}

/**
 * Reserves one attempt against every bucket, or refuses it when any bucket is locked (then nothing is counted).
 * The attempt that reaches a bucket's limit is still evaluated and locks the bucket for the ones after it; after a
 * lock ends, one more attempt is evaluated and, if it fails too, the next lock is twice as long.
 */
export async function reserveAttempt(
  db: Queryable,
  keys: ThrottleKeys,
  now: Date,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): Promise<ThrottleDecision> {
  const buckets = keysOf(keys, policy);
  if (buckets.length === 0) return { allowed: true };
  const windowMs = policy.windowMinutes * 60_000;
  const t = signInThrottles;
  try {
    await db.transaction(async (tx) => {
      // PostgreSQL 15 and PGlite both take SET LOCAL; it ends with the transaction.
      await tx.execute(sql.raw(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`));
      for (const { key, maxFailures } of buckets) {
        await tx.insert(t).values({ key, failures: 0, windowStartedAt: now, lockedUntil: null }).onConflictDoNothing();
        const [row] = await tx.select().from(t).where(eq(t.key, key)).for("update");
        if (!row) throw new Error(`throttle row ${key} vanished`);
        const lockedUntil = row.lockedUntil?.getTime() ?? 0;
        if (lockedUntil > now.getTime()) throw new Refused(Math.max(1, Math.ceil((lockedUntil - now.getTime()) / 1000)));
        const stale = row.windowStartedAt.getTime() <= now.getTime() - windowMs && lockedUntil <= now.getTime() - windowMs;
        const count = stale ? 1 : row.failures + 1;
        await tx
          .update(t)
          .set({
            failures: count,
            windowStartedAt: stale ? now : row.windowStartedAt,
            lockedUntil:
              count >= maxFailures
                ? new Date(now.getTime() + lockMinutes(count, maxFailures, policy) * 60_000)
                : stale
                  ? null
                  : row.lockedUntil,
          })
          .where(eq(t.key, key));
      }
    });
  } catch (error) {
    if (error instanceof Refused) return { allowed: false, retryAfterSeconds: error.retryAfterSeconds };
    if (isLockTimeout(error)) return { allowed: false, retryAfterSeconds: 1 };
    throw error;
  }
  return { allowed: true };
}

/**
 * A reserved attempt that succeeded: the user name's (or device's) counter is cleared, and the address gives back the
 * one attempt it reserved (one valid account must not reset what others did from there).
 */
export async function releaseAttempt(db: Queryable, keys: ThrottleKeys, policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY): Promise<void> {
  const t = signInThrottles;
  for (const { key, maxFailures } of keysOf(keys, policy)) {
    if (!key.startsWith("addr:")) {
      await db.delete(t).where(eq(t.key, key));
      continue;
    }
    await db
      .update(t)
      .set({
        failures: sql`GREATEST(${t.failures} - 1, 0)`,
        lockedUntil: sql`CASE WHEN ${t.failures} - 1 < ${maxFailures}::int THEN NULL ELSE ${t.lockedUntil} END`,
      })
      .where(eq(t.key, key));
  }
}

/** Deletes buckets whose window and lock ended long ago (they would start over anyway). */
export async function pruneThrottles(db: Queryable, now: Date, policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY): Promise<number> {
  const cutoff = new Date(now.getTime() - policy.windowMinutes * 60_000);
  const t = signInThrottles;
  const removed = await db
    .delete(t)
    .where(and(lt(t.windowStartedAt, cutoff), or(isNull(t.lockedUntil), lt(t.lockedUntil, cutoff))))
    .returning({ key: t.key });
  return removed.length;
}
