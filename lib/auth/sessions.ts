// Server-side sessions shared by every console process: the cookie holds a random token, the table only its SHA-256.
import { and, asc, eq, lt, lte, or } from "drizzle-orm";
import type { Queryable } from "@/lib/db/client";
import { accounts, groupMemberships, sessions } from "@/lib/db/schema";
import { hashToken, newToken, TOKEN_PATTERN } from "./tokens";

export interface SessionAccount {
  id: string;
  userName: string;
  displayName: string;
  groups: string[];
  /** local, or directory (DOMAIN\\user, groups from the directory at sign-in). */
  source?: "local" | "directory";
}

export interface ValidSession {
  account: SessionAccount;
  /** Absolute end of the session (sign-in time + maxHours). */
  expiresAt: Date;
  /** When the session ends if unused (last activity + idleMinutes), never after expiresAt. */
  idleExpiresAt: Date;
}

const MINUTE_MS = 60_000;
/** last_seen_at is written at most this often, so busy pages do not write on every request. */
const TOUCH_INTERVAL_MS = MINUTE_MS;
function idleCutoff(now: Date, idleMinutes: number): Date {
  return new Date(now.getTime() - idleMinutes * MINUTE_MS);
}

/** Deletes sessions past their absolute or idle timeout; returns how many. */
async function deleteExpiredSessions(db: Queryable, opts: { now: Date; idleMinutes: number }): Promise<number> {
  const gone = await db
    .delete(sessions)
    .where(or(lte(sessions.expiresAt, opts.now), lte(sessions.lastSeenAt, idleCutoff(opts.now, opts.idleMinutes))))
    .returning({ tokenHash: sessions.tokenHash });
  return gone.length;
}

/** Starts a session and returns the token for the cookie (32 random bytes, base64url); only its hash is stored. */
export async function createSession(
  db: Queryable,
  opts: { accountId: string; remoteAddress: string | null; now: Date; idleMinutes: number; maxHours: number },
): Promise<{ token: string; expiresAt: Date }> {
  await deleteExpiredSessions(db, { now: opts.now, idleMinutes: opts.idleMinutes });
  const { token, tokenHash } = newToken();
  const expiresAt = new Date(opts.now.getTime() + opts.maxHours * 60 * MINUTE_MS);
  await db.insert(sessions).values({
    tokenHash,
    accountId: opts.accountId,
    createdAt: opts.now,
    lastSeenAt: opts.now,
    expiresAt,
    remoteAddress: opts.remoteAddress,
  });
  return { token, expiresAt };
}

/**
 * The signed-in account for a cookie token, or null. Enforces the idle and absolute timeouts (deleting the
 * expired row) and records activity at most once a minute. Groups are read fresh on every call.
 */
export async function validateSession(
  db: Queryable,
  token: string,
  opts: { now: Date; idleMinutes: number },
): Promise<ValidSession | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const tokenHash = hashToken(token);
  const [row] = await db
    .select({
      accountId: accounts.id,
      userName: accounts.userName,
      displayName: accounts.displayName,
      source: accounts.source,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
    })
    .from(sessions)
    .innerJoin(accounts, eq(accounts.id, sessions.accountId))
    .where(eq(sessions.tokenHash, tokenHash));
  if (!row) return null;

  const now = opts.now.getTime();
  const idleEnd = row.lastSeenAt.getTime() + opts.idleMinutes * MINUTE_MS;
  if (row.expiresAt.getTime() <= now || idleEnd <= now) {
    await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    return null;
  }

  let lastSeen = row.lastSeenAt.getTime();
  if (now - lastSeen >= TOUCH_INTERVAL_MS) {
    await db
      .update(sessions)
      .set({ lastSeenAt: opts.now })
      .where(and(eq(sessions.tokenHash, tokenHash), lt(sessions.lastSeenAt, opts.now)));
    lastSeen = now;
  }

  const groups = await db
    .select({ groupName: groupMemberships.groupName })
    .from(groupMemberships)
    .where(eq(groupMemberships.accountId, row.accountId))
    .orderBy(asc(groupMemberships.groupName));

  return {
    account: {
      id: row.accountId,
      userName: row.userName,
      displayName: row.displayName,
      groups: groups.map((g) => g.groupName),
      source: row.source,
    },
    expiresAt: row.expiresAt,
    idleExpiresAt: new Date(Math.min(lastSeen + opts.idleMinutes * MINUTE_MS, row.expiresAt.getTime())),
  };
}

/** Ends one session (sign-out). Returns whether a session was found. */
export async function destroySession(db: Queryable, token: string): Promise<boolean> {
  if (!TOKEN_PATTERN.test(token)) return false;
  const gone = await db
    .delete(sessions)
    .where(eq(sessions.tokenHash, hashToken(token)))
    .returning({ tokenHash: sessions.tokenHash });
  return gone.length > 0;
}

/** Ends every session of an account (removed, or its groups changed); returns how many. */
export async function destroyAccountSessions(db: Queryable, accountId: string): Promise<number> {
  const gone = await db.delete(sessions).where(eq(sessions.accountId, accountId)).returning({ tokenHash: sessions.tokenHash });
  return gone.length;
}
