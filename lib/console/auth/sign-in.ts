// Sign-in: a slot first (a burst is refused before any database work), the attempt reserved against the throttle, the
// same work on every path (one scrypt, and one directory round trip when a directory is configured and the name could
// be a directory name), session creation, and an audit event either way.
import { recordAudit } from "@/lib/console/audit/audit";
import type { Queryable } from "@/lib/platform/db/client";
import { qualifiedUserName } from "@/lib/platform/server-identity";
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from "../../core/secrets/password";
import { type Account, findAccountCredentials, setPasswordHash, syncDirectoryAccount, userNameSchema } from "./accounts";
import { trustDevice, trustedDeviceFor } from "./devices";
import {
  type AdRestriction,
  authenticateDirectoryUser,
  canonicalDirectoryName,
  type DirectoryConfig,
  directoryLogin,
  probeDirectoryUser,
} from "./directory";
import { createSession, type SessionAccount } from "./sessions";
import { pruneThrottles, releaseAttempt, reserveAttempt, type ThrottleKeys, throttleIdentity } from "./throttle";

export interface SignInInput {
  userName: string;
  password: string;
  remoteAddress: string | null;
  now: Date;
  idleMinutes: number;
  maxHours: number;
  /** The device cookie this browser sent, if any. */
  deviceToken?: string | null;
  /** Directory accounts (RMS_LDAP_URL); null or absent: local accounts only. */
  directory?: DirectoryConfig | null;
  /** false (RMS_LOCAL_ACCOUNTS=off): local accounts cannot sign in. */
  localAccounts?: boolean;
}

export type SignInResult =
  | { ok: true; token: string; expiresAt: Date; account: SessionAccount; device: { token: string; expiresAt: Date } | null }
  | { ok: false; code: "invalid_credentials" }
  | { ok: false; code: "directory_unavailable" }
  /** The directory checked the password and refused the sign-in for this reason (AD's bind sub-code). */
  | { ok: false; code: "restricted"; restriction: AdRestriction }
  | { ok: false; code: "throttled"; retryAfterSeconds: number };

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_DIRECTORY_NAME = 256;

/**
 * Which account store a typed name goes to: DOMAIN\user or user@domain → the directory; .\user → local; a bare
 * name → the local account of that name if there is one, else the directory. Null: malformed (counted, never looked up).
 */
/**
 * Where a typed name signs in; a local name carries its account row (or null: unknown, still hashed against), and
 * whether it was a bare name while a directory is configured (then the directory is asked about it too, without the
 * password, so an existing local name costs what an unknown one, which goes to the directory, does).
 */
type Route =
  | { store: "local"; key: string; account: (Account & { passwordHash: string }) | null; actor: string; probe: boolean }
  | { store: "directory"; key: string; actor: string }
  | null;

async function route(db: Queryable, typed: string, input: SignInInput): Promise<Route> {
  const local = input.localAccounts !== false;
  if (typed.startsWith(".\\")) {
    const name = userNameSchema.safeParse(typed.slice(2));
    if (!local || !name.success) return null;
    const account = await findAccountCredentials(db, name.data);
    return {
      store: "local",
      key: throttleIdentity(name.data),
      account,
      actor: qualifiedUserName(account?.displayName ?? name.data),
      probe: false,
    };
  }
  const directory = input.directory;
  const bare = userNameSchema.safeParse(typed);
  if (bare.success && local) {
    const account = await findAccountCredentials(db, bare.data);
    if (account || !directory) {
      return {
        store: "local",
        key: throttleIdentity(bare.data),
        account,
        actor: qualifiedUserName(account?.displayName ?? bare.data),
        probe: directory !== null && directory !== undefined,
      };
    }
  }
  if (!directory || typed.length > MAX_DIRECTORY_NAME || CONTROL.test(typed)) return null;
  const login = directoryLogin(typed, directory.domain);
  return login
    ? { store: "directory", key: throttleIdentity(`${directory.domain}\\${login}`), actor: canonicalDirectoryName(directory.domain, login) }
    : null;
}

/** Sign-ins evaluated at once (each holds a database connection at a time and a scrypt slot), and how many may wait. */
const MAX_CONCURRENT_SIGN_INS = 4;
const MAX_WAITING_SIGN_INS = 16;
/** What a sign-in refused for overload is told to wait. */
const OVERLOAD_RETRY_SECONDS = 2;
let evaluating = 0;
const waitingSignIns: Array<() => void> = [];

async function signInSlot(): Promise<boolean> {
  if (evaluating < MAX_CONCURRENT_SIGN_INS) {
    evaluating += 1;
    return true;
  }
  if (waitingSignIns.length >= MAX_WAITING_SIGN_INS) return false;
  await new Promise<void>((resolve) => waitingSignIns.push(resolve));
  return true;
}

function releaseSignInSlot(): void {
  const next = waitingSignIns.shift();
  if (next) next();
  else evaluating -= 1;
}

/**
 * Checks credentials and starts a session. Unknown user, wrong password and malformed name all answer
 * "invalid_credentials" after the same work. Group membership is not checked here: a non-administrator
 * may sign in and is then shown Access denied by the pages. A burst beyond the sign-in slots is refused as throttled
 * before any database work, so it never exhausts the connection pool other pages need.
 */
export async function signIn(db: Queryable, input: SignInInput): Promise<SignInResult> {
  if (!(await signInSlot())) return { ok: false, code: "throttled", retryAfterSeconds: OVERLOAD_RETRY_SECONDS };
  try {
    return await evaluateSignIn(db, input);
  } finally {
    releaseSignInSlot();
  }
}

async function evaluateSignIn(db: Queryable, input: SignInInput): Promise<SignInResult> {
  const target = await route(db, input.userName, input);
  const userName = target?.key ?? null;
  // Malformed names still count against the address, but do not create per-name rows.
  const trustedDevice = await trustedDeviceFor(db, input.deviceToken, userName, input.now);
  const keys: ThrottleKeys = { userName, remoteAddress: input.remoteAddress, trustedDevice };

  // Reserved before the slow hash: parallel attempts past the limit are refused without being evaluated.
  const throttle = await reserveAttempt(db, keys, input.now);
  if (!throttle.allowed) {
    await auditRefusal(db, input, target?.actor ?? null, "denied", { reason: "throttled", retryAfterSeconds: throttle.retryAfterSeconds });
    return { ok: false, code: "throttled", retryAfterSeconds: throttle.retryAfterSeconds };
  }

  // The same work on every path: one scrypt (the account's hash, else the dummy), then the directory's round trip
  // when the name went to the directory, or could have (a bare local name while a directory is configured).
  const account = target?.store === "local" ? target.account : null;
  const valid = await verifyPassword(input.password, account?.passwordHash ?? DUMMY_HASH);
  if (target?.store === "directory" && input.directory) {
    return await directorySignIn(db, input, keys, input.directory, target.actor);
  }
  if (target?.store === "local" && target.probe && input.directory) await probeDirectoryUser(input.directory, input.userName);

  if (!account || !valid) {
    await auditRefusal(db, input, target?.actor ?? null, "failure", { reason: account ? "wrong_password" : "unknown_user" });
    return { ok: false, code: "invalid_credentials" };
  }

  if (needsRehash(account.passwordHash)) {
    await setPasswordHash(db, account.id, await hashPassword(input.password));
  }
  return await startSession(db, input, keys, account, qualifiedUserName(account.displayName), trustedDevice, { groups: account.groups });
}

/**
 * A refused sign-in, audited under the account's canonical name (DOMAIN\name as the directory stores it, MACHINE\name
 * for a local account) or, for a name that goes nowhere, the name as typed (cut to 64 characters).
 */
async function auditRefusal(
  db: Queryable,
  input: SignInInput,
  actor: string | null,
  outcome: "denied" | "failure",
  details: Record<string, unknown>,
): Promise<void> {
  await recordAudit(db, {
    actor: (actor ?? input.userName).slice(0, 64),
    remoteAddress: input.remoteAddress,
    action: "sign_in",
    outcome,
    occurredAt: input.now,
    details,
  });
}

/** The password checked by the directory (after the throttle reservation), the account synced, a session started. */
async function directorySignIn(
  db: Queryable,
  input: SignInInput,
  keys: ThrottleKeys,
  directory: DirectoryConfig,
  typedActor: string,
): Promise<SignInResult> {
  const result = await authenticateDirectoryUser(directory, input.userName, input.password);
  if (!result.ok) {
    switch (result.code) {
      case "unavailable":
        await auditRefusal(db, input, typedActor, "failure", {
          source: "directory",
          reason: "directory_unavailable",
          detail: result.reason.slice(0, 300),
        });
        return { ok: false, code: "directory_unavailable" };
      case "restricted":
        await auditRefusal(db, input, result.account, "failure", {
          source: "directory",
          reason: result.restriction,
          detail: result.detail.slice(0, 300),
        });
        return { ok: false, code: "restricted", restriction: result.restriction };
      case "invalid_credentials":
        await auditRefusal(db, input, result.account ?? typedActor, "failure", { source: "directory", reason: result.reason });
        return { ok: false, code: "invalid_credentials" };
    }
  }
  const account = await syncDirectoryAccount(db, { userName: result.userName, groups: result.groups });
  return await startSession(db, input, keys, account, result.userName, keys.trustedDevice, { source: "directory", groups: result.groups });
}

async function startSession(
  db: Queryable,
  input: SignInInput,
  keys: ThrottleKeys,
  account: Account,
  /** The canonical name the audit row and the header show. */
  actor: string,
  trustedDevice: ThrottleKeys["trustedDevice"],
  details: Record<string, unknown>,
): Promise<SignInResult> {
  await releaseAttempt(db, keys);
  await pruneThrottles(db, input.now);
  const device = trustedDevice ? null : await trustDevice(db, account.userName, input.now);
  const session = await db.transaction(async (tx) => {
    const created = await createSession(tx, {
      accountId: account.id,
      remoteAddress: input.remoteAddress,
      now: input.now,
      idleMinutes: input.idleMinutes,
      maxHours: input.maxHours,
    });
    await recordAudit(tx, {
      actor,
      remoteAddress: input.remoteAddress,
      action: "sign_in",
      outcome: "success",
      occurredAt: input.now,
      details,
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
