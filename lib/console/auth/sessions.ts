// Server-side sessions shared by every console process: the cookie holds a random token, the table only its SHA-256.
import { eq, lte, or, sql } from "drizzle-orm";
import type { Queryable } from "@/lib/platform/db/client";
import { accounts, groupMemberships, sessions } from "@/lib/platform/db/schema";
import { hashToken, newToken, TOKEN_PATTERN } from "../../core/secrets/tokens";

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

interface SessionRow {
  account_id: string;
  user_name: string;
  display_name: string;
  source: "local" | "directory";
  groups: string[];
  last_seen_ms: number;
  expires_ms: number;
  touched: boolean;
}

/**
 * The signed-in account for a cookie token, or null. Enforces the idle and absolute timeouts (deleting the
 * expired row) and records activity at most once a minute. Groups are read fresh on every call.
 *
 * One statement per page: the session, its account and groups are read, and last_seen_at is touched when due, together
 * (a data-modifying CTE; the read sees the row as it was before the touch). Only an expired session costs a second.
 */
export async function validateSession(
  db: Queryable,
  token: string,
  opts: { now: Date; idleMinutes: number },
): Promise<ValidSession | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const tokenHash = hashToken(token);
  const now = opts.now.getTime();
  const touchBefore = new Date(now - TOUCH_INTERVAL_MS);
  const idleFrom = idleCutoff(opts.now, opts.idleMinutes);
  const result: unknown = await db.execute(sql`
    WITH found AS (
      SELECT ${sessions.accountId} AS account_id, ${accounts.userName} AS user_name, ${accounts.displayName} AS display_name,
             ${accounts.source} AS source, ${sessions.lastSeenAt} AS last_seen_at, ${sessions.expiresAt} AS expires_at
      FROM ${sessions} JOIN ${accounts} ON ${accounts.id} = ${sessions.accountId}
      WHERE ${sessions.tokenHash} = ${tokenHash}
    ), touched AS (
      UPDATE ${sessions} SET last_seen_at = ${opts.now}
      WHERE token_hash = ${tokenHash} AND last_seen_at <= ${touchBefore} AND last_seen_at > ${idleFrom} AND expires_at > ${opts.now}
      RETURNING 1
    )
    SELECT account_id, user_name, display_name, source,
           (extract(epoch FROM last_seen_at) * 1000)::float8 AS last_seen_ms,
           (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms,
           coalesce((SELECT json_agg(${groupMemberships.groupName} ORDER BY ${groupMemberships.groupName})
                     FROM ${groupMemberships} WHERE ${groupMemberships.accountId} = found.account_id), '[]'::json) AS groups,
           EXISTS (SELECT 1 FROM touched) AS touched
    FROM found`);
  const [row] = (Array.isArray(result) ? result : ((result as { rows?: SessionRow[] }).rows ?? [])) as SessionRow[];
  if (!row) return null;

  const lastSeenAt = Number(row.last_seen_ms);
  const expiresAt = new Date(Number(row.expires_ms));
  const idleEnd = lastSeenAt + opts.idleMinutes * MINUTE_MS;
  if (expiresAt.getTime() <= now || idleEnd <= now) {
    await db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    return null;
  }
  const lastSeen = row.touched ? now : lastSeenAt;
  const groups = typeof row.groups === "string" ? (JSON.parse(row.groups) as string[]) : row.groups;

  return {
    account: {
      id: row.account_id,
      userName: row.user_name,
      displayName: row.display_name,
      groups,
      source: row.source,
    },
    expiresAt,
    idleExpiresAt: new Date(Math.min(lastSeen + opts.idleMinutes * MINUTE_MS, expiresAt.getTime())),
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
