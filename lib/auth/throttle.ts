// Failed sign-in throttling per user name and per address, kept in the database so every console process shares it.
import { inArray, sql } from "drizzle-orm";
import type { Queryable } from "@/lib/db/client";
import { signInThrottles } from "@/lib/db/schema";

export interface ThrottlePolicy {
  /** Failures within the window that lock a user name. */
  userMaxFailures: number;
  /** Failures within the window that lock an address; higher, since many people may share one (a proxy, loopback). */
  addressMaxFailures: number;
  windowMinutes: number;
  /** First lock; each further failure while the count is over the limit doubles it, up to maxLockMinutes. */
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
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const MAX_KEY_PART = 128;

function userThrottleKey(userName: string): string {
  return `user:${userName.trim().toLowerCase().slice(0, MAX_KEY_PART)}`;
}

function addressThrottleKey(remoteAddress: string): string {
  return `addr:${remoteAddress.trim().toLowerCase().slice(0, MAX_KEY_PART)}`;
}

function keysOf(keys: ThrottleKeys, policy: ThrottlePolicy): Array<{ key: string; maxFailures: number }> {
  const out: Array<{ key: string; maxFailures: number }> = [];
  if (keys.userName) out.push({ key: userThrottleKey(keys.userName), maxFailures: policy.userMaxFailures });
  if (keys.remoteAddress) out.push({ key: addressThrottleKey(keys.remoteAddress), maxFailures: policy.addressMaxFailures });
  return out;
}

/** Whether a sign-in attempt may proceed now; when locked, how long until it may. */
export async function checkThrottle(
  db: Queryable,
  keys: ThrottleKeys,
  now: Date,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): Promise<ThrottleDecision> {
  const wanted = keysOf(keys, policy).map((k) => k.key);
  if (wanted.length === 0) return { allowed: true };
  const rows = await db
    .select({ lockedUntil: signInThrottles.lockedUntil })
    .from(signInThrottles)
    .where(inArray(signInThrottles.key, wanted));
  let until = 0;
  for (const row of rows) {
    if (row.lockedUntil && row.lockedUntil.getTime() > until) until = row.lockedUntil.getTime();
  }
  if (until <= now.getTime()) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((until - now.getTime()) / 1000)) };
}

/**
 * Counts a failed sign-in against each key in one atomic upsert per key, so concurrent processes never lose a
 * count. A window older than windowMinutes (with no lock in the last windowMinutes) starts over.
 */
export async function recordFailure(
  db: Queryable,
  keys: ThrottleKeys,
  now: Date,
  policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY,
): Promise<ThrottleDecision> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const window = sql`make_interval(mins => ${policy.windowMinutes}::int)`;
  const t = signInThrottles;
  const stale = sql`(${t.windowStartedAt} <= ${at} - ${window} AND (${t.lockedUntil} IS NULL OR ${t.lockedUntil} <= ${at} - ${window}))`;
  const failures = sql`(CASE WHEN ${stale} THEN 1 ELSE ${t.failures} + 1 END)`;
  let latest = 0;
  for (const { key, maxFailures } of keysOf(keys, policy)) {
    // Lock minutes: base * 2^(failures - max), capped; exponent capped too so power() stays small.
    const lockMinutes = sql`LEAST(${policy.maxLockMinutes}::int, ${policy.baseLockMinutes}::int * power(2, LEAST(${failures} - ${maxFailures}::int, 16))::int)`;
    const [row] = await db
      .insert(t)
      .values({
        key,
        failures: 1,
        windowStartedAt: now,
        lockedUntil: maxFailures <= 1 ? new Date(now.getTime() + policy.baseLockMinutes * 60_000) : null,
      })
      .onConflictDoUpdate({
        target: t.key,
        set: {
          failures,
          windowStartedAt: sql`CASE WHEN ${stale} THEN ${at} ELSE ${t.windowStartedAt} END`,
          lockedUntil: sql`CASE WHEN ${failures} >= ${maxFailures}::int THEN ${at} + make_interval(mins => ${lockMinutes}) WHEN ${stale} THEN NULL ELSE ${t.lockedUntil} END`,
        },
      })
      .returning({ lockedUntil: t.lockedUntil });
    const until = row?.lockedUntil?.getTime() ?? 0;
    if (until > latest) latest = until;
  }
  if (latest <= now.getTime()) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((latest - now.getTime()) / 1000)) };
}

/** A successful sign-in clears the user name's counter; the address keeps its count (one valid account must not reset it). */
export async function recordSuccess(db: Queryable, keys: ThrottleKeys): Promise<void> {
  if (!keys.userName) return;
  await db.delete(signInThrottles).where(inArray(signInThrottles.key, [userThrottleKey(keys.userName)]));
}
