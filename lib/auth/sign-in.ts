// Sign-in: the attempt reserved against the throttle first, the password checked in near-constant time, session
// creation, and an audit event either way.
import { recordAudit } from "@/lib/audit/audit";
import type { Queryable } from "@/lib/db/client";
import { findAccountCredentials, setPasswordHash, userNameSchema } from "./accounts";
import { trustDevice, trustedDeviceFor } from "./devices";
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from "./password";
import { createSession, type SessionAccount } from "./sessions";
import { pruneThrottles, releaseAttempt, reserveAttempt, type ThrottleKeys } from "./throttle";

export interface SignInInput {
  userName: string;
  password: string;
  remoteAddress: string | null;
  now: Date;
  idleMinutes: number;
  maxHours: number;
  /** The device cookie this browser sent, if any. */
  deviceToken?: string | null;
}

export type SignInResult =
  | { ok: true; token: string; expiresAt: Date; account: SessionAccount; device: { token: string; expiresAt: Date } | null }
  | { ok: false; code: "invalid_credentials" }
  | { ok: false; code: "throttled"; retryAfterSeconds: number };

/**
 * Checks credentials and starts a session. Unknown user, wrong password and malformed name all answer
 * "invalid_credentials" after the same scrypt work. Group membership is not checked here: a non-administrator
 * may sign in and is then shown Access denied by the pages.
 */
export async function signIn(db: Queryable, input: SignInInput): Promise<SignInResult> {
  const name = userNameSchema.safeParse(input.userName);
  const userName = name.success ? name.data.toLowerCase() : null;
  // Malformed names still count against the address, but do not create per-name rows.
  const trustedDevice = await trustedDeviceFor(db, input.deviceToken, userName, input.now);
  const keys: ThrottleKeys = { userName, remoteAddress: input.remoteAddress, trustedDevice };
  const attempted = input.userName.slice(0, 64);

  // Reserved before the slow hash: parallel attempts past the limit are refused without being evaluated.
  const throttle = await reserveAttempt(db, keys, input.now);
  if (!throttle.allowed) {
    await recordAudit(db, {
      actor: attempted,
      remoteAddress: input.remoteAddress,
      action: "sign_in",
      outcome: "denied",
      occurredAt: input.now,
      details: { reason: "throttled", retryAfterSeconds: throttle.retryAfterSeconds },
    });
    return { ok: false, code: "throttled", retryAfterSeconds: throttle.retryAfterSeconds };
  }

  const account = userName ? await findAccountCredentials(db, userName) : null;
  const valid = await verifyPassword(input.password, account?.passwordHash ?? DUMMY_HASH);

  if (!account || !valid) {
    await recordAudit(db, {
      actor: attempted,
      remoteAddress: input.remoteAddress,
      action: "sign_in",
      outcome: "failure",
      occurredAt: input.now,
      details: { reason: account ? "wrong_password" : "unknown_user" },
    });
    return { ok: false, code: "invalid_credentials" };
  }

  await releaseAttempt(db, keys);
  await pruneThrottles(db, input.now);
  const device = trustedDevice ? null : await trustDevice(db, account.userName, input.now);
  if (needsRehash(account.passwordHash)) {
    await setPasswordHash(db, account.id, await hashPassword(input.password));
  }
  const session = await db.transaction(async (tx) => {
    const created = await createSession(tx, {
      accountId: account.id,
      remoteAddress: input.remoteAddress,
      now: input.now,
      idleMinutes: input.idleMinutes,
      maxHours: input.maxHours,
    });
    await recordAudit(tx, {
      actor: account.userName,
      remoteAddress: input.remoteAddress,
      action: "sign_in",
      outcome: "success",
      occurredAt: input.now,
      details: { groups: account.groups },
    });
    return created;
  });
  return {
    ok: true,
    token: session.token,
    expiresAt: session.expiresAt,
    account: { id: account.id, userName: account.userName, displayName: account.displayName, groups: account.groups },
    device,
  };
}
