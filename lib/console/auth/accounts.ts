// Local accounts and their groups; only members of Administrators or Domain Admins may administer RMS.
import { and, asc, countDistinct, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/lib/console/audit/audit";
import { ADMINISTRATORS_LOCK_ID } from "@/lib/platform/db/advisory-locks";
import type { Queryable } from "@/lib/platform/db/client";
import { accounts, groupMemberships } from "@/lib/platform/db/schema";
import { hashPassword, MAX_PASSWORD_LENGTH } from "../../core/secrets/password";
import { destroyAccountSessions } from "./sessions";

const ADMIN_GROUPS = ["Administrators", "Domain Admins"] as const;

/** One password policy for the setup form and the rms command-line tool. */
export const MIN_PASSWORD_LENGTH = 12;

export const userNameSchema = z
  .string()
  .min(1, "User names cannot be empty.")
  .max(64, "User names can be at most 64 characters long.")
  .regex(/^[A-Za-z0-9._-]+$/, "User names may contain only letters A–Z, digits, dot, underscore and hyphen.");

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A known group keeps its canonical spelling whatever case was typed; other names are kept as typed (trimmed). */
export const groupNameSchema = z
  .string()
  .trim()
  .min(1, "Group names cannot be empty.")
  .max(64, "Group names can be at most 64 characters long.")
  .refine((v) => !CONTROL_CHARS.test(v), "Group names cannot contain control characters.")
  .transform(canonicalGroupName);

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Passwords must be at least ${MIN_PASSWORD_LENGTH} characters long.`)
  .max(MAX_PASSWORD_LENGTH, `Passwords can be at most ${MAX_PASSWORD_LENGTH} characters long.`);

function canonicalGroupName(name: string): string {
  return ADMIN_GROUPS.find((g) => g.toLowerCase() === name.toLowerCase()) ?? name;
}

/** True when any of the groups is one of the administrator groups (RMS_ADMIN_GROUPS: by default Administrators and Domain Admins), in any letter case. */
export function isAdministrator(groups: readonly string[], adminGroups: readonly string[] = ADMIN_GROUPS): boolean {
  const admin = new Set<string>(adminGroups.map((g) => g.toLowerCase()));
  return groups.some((g) => admin.has(g.trim().toLowerCase()));
}

export interface Account {
  id: string;
  userName: string;
  displayName: string;
  groups: string[];
  createdAt: Date;
}

export type AccountErrorCode =
  | "invalid_user_name"
  | "invalid_password"
  | "invalid_group"
  | "exists"
  | "not_found"
  | "already_member"
  | "not_member"
  | "last_administrator";

export type AccountFailure = { ok: false; code: AccountErrorCode; message: string };
export type AccountResult<T> = ({ ok: true } & T) | AccountFailure;

/** Who made a change, for the audit trail (e.g. "cli:root", or the signed-in user name). */
export interface AuditContext {
  actor: string | null;
  remoteAddress: string | null;
}

function fail(code: AccountErrorCode, message: string): AccountFailure {
  return { ok: false, code, message };
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "Invalid value.";
}

/** PostgreSQL unique violation (SQLSTATE 23505), as thrown by node-postgres, PGlite, or wrapped by Drizzle. */
function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    if ("code" in e && (e as { code: unknown }).code === "23505") return true;
    e = "cause" in e ? (e as { cause: unknown }).cause : undefined;
  }
  return false;
}

/** Serialises changes that could leave no administrator, across processes sharing one PostgreSQL. */
async function lockAdministrators(tx: Queryable): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${ADMINISTRATORS_LOCK_ID})`);
}

const adminGroupsLower = ADMIN_GROUPS.map((g) => g.toLowerCase());

/** Local (break-glass) administrators; directory accounts do not count, their groups live in the directory. */
export async function countAdministrators(db: Queryable): Promise<number> {
  const [row] = await db
    .select({ n: countDistinct(groupMemberships.accountId) })
    .from(groupMemberships)
    .innerJoin(accounts, eq(accounts.id, groupMemberships.accountId))
    .where(and(eq(accounts.source, "local"), inArray(sql`lower(${groupMemberships.groupName})`, adminGroupsLower)));
  return row?.n ?? 0;
}

async function groupsOf(db: Queryable, accountId: string): Promise<string[]> {
  const rows = await db
    .select({ groupName: groupMemberships.groupName })
    .from(groupMemberships)
    .where(eq(groupMemberships.accountId, accountId))
    .orderBy(asc(groupMemberships.groupName));
  return rows.map((r) => r.groupName);
}

/** Looks an account up by user name, in any letter case; null when there is none (or the name is invalid). */
export async function findAccountByUserName(db: Queryable, userName: string): Promise<Account | null> {
  const found = await findAccountCredentials(db, userName);
  if (!found) return null;
  const { passwordHash: _hash, ...account } = found;
  return account;
}

/** As findAccountByUserName, plus the password hash; for sign-in only. */
export async function findAccountCredentials(db: Queryable, userName: string): Promise<(Account & { passwordHash: string }) | null> {
  const parsed = userNameSchema.safeParse(userName);
  if (!parsed.success) return null;
  const [row] = await db
    .select()
    .from(accounts)
    .where(and(eq(accounts.userName, parsed.data.toLowerCase()), eq(accounts.source, "local")));
  if (!row?.passwordHash) return null;
  return {
    id: row.id,
    userName: row.userName,
    displayName: row.displayName,
    passwordHash: row.passwordHash,
    createdAt: row.createdAt,
    groups: await groupsOf(db, row.id),
  };
}

/** Every account with its groups, by user name. */
export async function listAccounts(db: Queryable): Promise<Account[]> {
  const rows = await db.select().from(accounts).orderBy(asc(accounts.userName));
  const memberships = await db.select().from(groupMemberships).orderBy(asc(groupMemberships.groupName));
  const byAccount = new Map<string, string[]>();
  for (const m of memberships) {
    const list = byAccount.get(m.accountId) ?? [];
    list.push(m.groupName);
    byAccount.set(m.accountId, list);
  }
  return rows.map((r) => ({
    id: r.id,
    userName: r.userName,
    displayName: r.displayName,
    createdAt: r.createdAt,
    groups: byAccount.get(r.id) ?? [],
  }));
}

/**
 * The account row of a directory user who has just signed in (created on first sign-in), with the group memberships
 * replaced by what the directory says now; their sessions see the new groups at once.
 */
export async function syncDirectoryAccount(db: Queryable, user: { userName: string; groups: string[] }): Promise<Account> {
  return await db.transaction(async (tx) => {
    const key = user.userName.toLowerCase();
    const [row] = await tx
      .insert(accounts)
      .values({ userName: key, displayName: user.userName, passwordHash: null, source: "directory" })
      .onConflictDoUpdate({ target: accounts.userName, set: { displayName: user.userName }, setWhere: eq(accounts.source, "directory") })
      .returning();
    if (!row) throw new Error(`A local account is already named ${key}; directory accounts cannot take it over`);
    await tx.delete(groupMemberships).where(eq(groupMemberships.accountId, row.id));
    const groups = [...new Set(user.groups)].slice(0, 500);
    if (groups.length > 0) await tx.insert(groupMemberships).values(groups.map((groupName) => ({ accountId: row.id, groupName })));
    return { id: row.id, userName: row.userName, displayName: row.displayName, createdAt: row.createdAt, groups };
  });
}

/** Replaces a password hash (used to upgrade old hashes at sign-in). */
export async function setPasswordHash(db: Queryable, accountId: string, passwordHash: string): Promise<void> {
  await db.update(accounts).set({ passwordHash }).where(eq(accounts.id, accountId));
}

/**
 * Creates an account in the given groups. The user name is stored lower-cased (display name as typed);
 * a name that exists in any letter case gives "exists".
 */
export async function createAccount(
  db: Queryable,
  input: { userName: string; password: string; groups: readonly string[]; now?: Date; audit?: AuditContext },
): Promise<AccountResult<{ account: Account }>> {
  const name = userNameSchema.safeParse(input.userName);
  if (!name.success) return fail("invalid_user_name", firstIssue(name.error));
  const password = passwordSchema.safeParse(input.password);
  if (!password.success) return fail("invalid_password", firstIssue(password.error));
  const groups: string[] = [];
  for (const g of input.groups) {
    const group = groupNameSchema.safeParse(g);
    if (!group.success) return fail("invalid_group", firstIssue(group.error));
    if (!groups.includes(group.data)) groups.push(group.data);
  }
  const userName = name.data.toLowerCase();
  if (await findAccountByUserName(db, userName)) return fail("exists", `An account named ${userName} already exists.`);

  const passwordHash = await hashPassword(password.data);
  try {
    const account = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(accounts)
        .values({
          userName,
          displayName: name.data,
          passwordHash,
          ...(input.now ? { createdAt: input.now } : {}),
        })
        .returning();
      if (!row) throw new Error("Inserting the account returned no row.");
      if (groups.length > 0) {
        await tx.insert(groupMemberships).values(groups.map((groupName) => ({ accountId: row.id, groupName })));
      }
      if (input.audit) {
        await recordAudit(tx, {
          ...input.audit,
          action: "account_created",
          outcome: "success",
          details: { userName, groups },
        });
      }
      return { id: row.id, userName, displayName: row.displayName, createdAt: row.createdAt, groups: [...groups].sort() };
    });
    return { ok: true, account };
  } catch (error) {
    if (isUniqueViolation(error)) return fail("exists", `An account named ${userName} already exists.`);
    throw error;
  }
}

/** Removes an account and ends its sessions; refuses to remove the last administrator. */
export async function removeAccount(
  db: Queryable,
  input: { userName: string; audit?: AuditContext },
): Promise<AccountResult<{ account: Account }>> {
  return db.transaction(async (tx) => {
    await lockAdministrators(tx);
    const account = await findAccountByUserName(tx, input.userName);
    if (!account) return fail("not_found", `There is no account named ${input.userName}.`);
    if (isAdministrator(account.groups) && (await countAdministrators(tx)) <= 1) {
      return fail("last_administrator", `${account.userName} is the only administrator; add another administrator before removing it.`);
    }
    await destroyAccountSessions(tx, account.id);
    await tx.delete(accounts).where(eq(accounts.id, account.id));
    if (input.audit) {
      await recordAudit(tx, {
        ...input.audit,
        action: "account_removed",
        outcome: "success",
        details: { userName: account.userName, groups: account.groups },
      });
    }
    return { ok: true as const, account };
  });
}

/** Adds an account to a group. Its sessions end so the new membership applies from the next sign-in. */
export async function addGroupMember(
  db: Queryable,
  input: { groupName: string; userName: string; audit?: AuditContext },
): Promise<AccountResult<{ groupName: string; userName: string }>> {
  const group = groupNameSchema.safeParse(input.groupName);
  if (!group.success) return fail("invalid_group", firstIssue(group.error));
  const groupName = group.data;
  try {
    return await db.transaction(async (tx) => {
      const account = await findAccountByUserName(tx, input.userName);
      if (!account) return fail("not_found", `There is no account named ${input.userName}.`);
      if (account.groups.some((g) => g.toLowerCase() === groupName.toLowerCase())) {
        return fail("already_member", `${account.userName} is already a member of ${groupName}.`);
      }
      await tx.insert(groupMemberships).values({ accountId: account.id, groupName });
      await destroyAccountSessions(tx, account.id);
      if (input.audit) {
        await recordAudit(tx, {
          ...input.audit,
          action: "group_member_added",
          outcome: "success",
          details: { groupName, userName: account.userName },
        });
      }
      return { ok: true as const, groupName, userName: account.userName };
    });
  } catch (error) {
    if (isUniqueViolation(error)) return fail("already_member", `${input.userName} is already a member of ${groupName}.`);
    throw error;
  }
}

/**
 * Removes an account from a group (matched in any letter case) and ends its sessions; refuses to take the
 * last administrator out of the administrator groups.
 */
export async function removeGroupMember(
  db: Queryable,
  input: { groupName: string; userName: string; audit?: AuditContext },
): Promise<AccountResult<{ groupName: string; userName: string }>> {
  const group = groupNameSchema.safeParse(input.groupName);
  if (!group.success) return fail("invalid_group", firstIssue(group.error));
  return db.transaction(async (tx) => {
    await lockAdministrators(tx);
    const account = await findAccountByUserName(tx, input.userName);
    if (!account) return fail("not_found", `There is no account named ${input.userName}.`);
    const stored = account.groups.find((g) => g.toLowerCase() === group.data.toLowerCase());
    if (stored === undefined) return fail("not_member", `${account.userName} is not a member of ${group.data}.`);
    const remaining = account.groups.filter((g) => g !== stored);
    if (isAdministrator(account.groups) && !isAdministrator(remaining) && (await countAdministrators(tx)) <= 1) {
      return fail(
        "last_administrator",
        `${account.userName} is the only administrator; add another administrator before removing it from ${stored}.`,
      );
    }
    await tx.delete(groupMemberships).where(and(eq(groupMemberships.accountId, account.id), eq(groupMemberships.groupName, stored)));
    await destroyAccountSessions(tx, account.id);
    if (input.audit) {
      await recordAudit(tx, {
        ...input.audit,
        action: "group_member_removed",
        outcome: "success",
        details: { groupName: stored, userName: account.userName },
      });
    }
    return { ok: true as const, groupName: stored, userName: account.userName };
  });
}
