// One-time setup links: the only way to create the first administrator from the browser (there is no default password).
import { eq, sql } from "drizzle-orm";
import { recordAudit } from "@/lib/console/audit/audit";
import { ADMINISTRATORS_LOCK_ID } from "@/lib/platform/db/advisory-locks";
import type { Queryable } from "@/lib/platform/db/client";
import { setupTokens } from "@/lib/platform/db/schema";
import { hashToken, newToken, TOKEN_PATTERN } from "../../core/secrets/tokens";
import { type Account, type AccountErrorCode, countAdministrators, createAccount } from "./accounts";

export type SetupTokenErrorCode = "invalid_token" | "expired" | "used" | "admin_exists";

export type SetupTokenCheck = { ok: true; expiresAt: Date } | { ok: false; code: SetupTokenErrorCode };

export type RedeemResult =
  | { ok: true; account: Account }
  | {
      ok: false;
      code: SetupTokenErrorCode | Exclude<AccountErrorCode, "not_found" | "already_member" | "not_member" | "last_administrator">;
      message: string;
    };

/** True while no account is in Administrators or Domain Admins: the console should offer a setup link. */
export async function needsSetup(db: Queryable): Promise<boolean> {
  return (await countAdministrators(db)) === 0;
}

/** Makes a one-time token (32 random bytes, base64url) valid for ttlMinutes; only its SHA-256 is stored. */
export async function createSetupToken(db: Queryable, opts: { now: Date; ttlMinutes?: number }): Promise<string> {
  const { token, tokenHash } = newToken();
  const ttlMinutes = opts.ttlMinutes ?? 60;
  await db.insert(setupTokens).values({
    tokenHash,
    createdAt: opts.now,
    expiresAt: new Date(opts.now.getTime() + ttlMinutes * 60_000),
  });
  return token;
}

async function checkToken(db: Queryable, token: string, now: Date, forUpdate: boolean): Promise<SetupTokenCheck> {
  if (!TOKEN_PATTERN.test(token)) return { ok: false, code: "invalid_token" };
  const query = db
    .select()
    .from(setupTokens)
    .where(eq(setupTokens.tokenHash, hashToken(token)));
  const [row] = forUpdate ? await query.for("update") : await query;
  if (!row) return { ok: false, code: "invalid_token" };
  if (row.usedAt) return { ok: false, code: "used" };
  if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, code: "expired" };
  if ((await countAdministrators(db)) > 0) return { ok: false, code: "admin_exists" };
  return { ok: true, expiresAt: row.expiresAt };
}

/** What the setup page says before the form is filled in: whether the link can still be used. Reads only, consumes nothing. */
export function inspectSetupToken(db: Queryable, token: string, now: Date): Promise<SetupTokenCheck> {
  return checkToken(db, token, now, false);
}

const TOKEN_MESSAGES: Record<SetupTokenErrorCode, string> = {
  invalid_token: "This setup link is not valid. Get a new one with: npm run rms -- setup-link",
  expired: "This setup link has expired. Get a new one with: npm run rms -- setup-link",
  used: "This setup link has already been used. Sign in with the administrator account it created.",
  admin_exists: "An administrator already exists. Sign in, or ask an administrator to create your account.",
};

/**
 * Creates the first administrator (group Administrators) in one transaction — only if the token is valid,
 * unused and unexpired and no administrator exists yet — and marks the token used. Audited either way.
 */
export async function redeemSetupToken(
  db: Queryable,
  input: { token: string; userName: string; password: string; now: Date; remoteAddress?: string | null },
): Promise<RedeemResult> {
  const remoteAddress = input.remoteAddress ?? null;
  const result: RedeemResult = await db.transaction(async (tx) => {
    // Same lock as account changes that could remove the last administrator: two redeemers cannot both win.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${ADMINISTRATORS_LOCK_ID})`);
    const check = await checkToken(tx, input.token, input.now, true);
    if (!check.ok) return { ok: false as const, code: check.code, message: TOKEN_MESSAGES[check.code] };
    const created = await createAccount(tx, {
      userName: input.userName,
      password: input.password,
      groups: ["Administrators"],
      now: input.now,
    });
    if (!created.ok) {
      if (
        created.code === "invalid_user_name" ||
        created.code === "invalid_password" ||
        created.code === "invalid_group" ||
        created.code === "exists"
      ) {
        return { ok: false as const, code: created.code, message: created.message };
      }
      throw new Error(`Unexpected account error: ${created.code}`);
    }
    await tx
      .update(setupTokens)
      .set({ usedAt: input.now })
      .where(eq(setupTokens.tokenHash, hashToken(input.token)));
    await recordAudit(tx, {
      actor: created.account.userName,
      remoteAddress,
      action: "setup_admin_created",
      outcome: "success",
      occurredAt: input.now,
      details: { userName: created.account.userName, groups: created.account.groups },
    });
    return { ok: true as const, account: created.account };
  });
  if (!result.ok) {
    await recordAudit(db, {
      actor: input.userName.slice(0, 64),
      remoteAddress,
      action: "setup_admin_created",
      outcome: "failure",
      occurredAt: input.now,
      details: { reason: result.code },
    });
  }
  return result;
}
