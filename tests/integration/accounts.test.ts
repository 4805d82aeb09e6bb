import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import {
  addGroupMember,
  countAdministrators,
  createAccount,
  findAccountByUserName,
  groupNameSchema,
  isAdministrator,
  listAccounts,
  removeAccount,
  removeGroupMember,
  userNameSchema,
} from "@/lib/console/auth/accounts";
import { createSession, validateSession } from "@/lib/console/auth/sessions";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

const PASSWORD = "a-long-enough-password";
const NOW = new Date("2030-01-01T10:00:00Z");

describe("user and group names", () => {
  it("accepts user names of 1..64 of [A-Za-z0-9._-]", () => {
    expect(userNameSchema.safeParse("a").success).toBe(true);
    expect(userNameSchema.safeParse("Jane.Doe_2-x").success).toBe(true);
    expect(userNameSchema.safeParse("x".repeat(64)).success).toBe(true);
    for (const bad of ["", "x".repeat(65), "jane doe", "jane@corp", "jöns", "a\nb", "DOMAIN\\jane"]) {
      expect(userNameSchema.safeParse(bad).success).toBe(false);
    }
  });

  it("canonicalises the known groups and refuses control characters", () => {
    expect(groupNameSchema.parse("administrators")).toBe("Administrators");
    expect(groupNameSchema.parse("DOMAIN ADMINS")).toBe("Domain Admins");
    expect(groupNameSchema.parse(" RMS Operators ")).toBe("RMS Operators");
    expect(groupNameSchema.safeParse("a\nb").success).toBe(false);
    expect(groupNameSchema.safeParse("").success).toBe(false);
    expect(groupNameSchema.safeParse("g".repeat(65)).success).toBe(false);
  });

  it("recognises administrators in any letter case", () => {
    expect(isAdministrator(["Users", "administrators"])).toBe(true);
    expect(isAdministrator(["DOMAIN ADMINS"])).toBe(true);
    expect(isAdministrator(["Users", "Power Users", "Administrator"])).toBe(false);
    expect(isAdministrator([])).toBe(false);
  });
});

describeOnEachDatabase("accounts", () => {
  // One database for the block (`sharedDb`), emptied of accounts before each test.
  dbTest.beforeEach(async ({ sharedDb: handle }) => {
    await handle.db.execute(sql`DELETE FROM accounts`);
  });

  dbTest("creates an account with groups, lower-cases the user name and keeps the display name", async ({ sharedDb: handle }) => {
    const created = await createAccount(handle.db, { userName: "Jane.Doe", password: PASSWORD, groups: ["Administrators", "Users"] });
    expect(created).toMatchObject({
      ok: true,
      account: { userName: "jane.doe", displayName: "Jane.Doe", groups: ["Administrators", "Users"] },
    });
    const found = await findAccountByUserName(handle.db, "JANE.DOE");
    expect(found).toMatchObject({ userName: "jane.doe", displayName: "Jane.Doe", groups: ["Administrators", "Users"] });
    expect(found).not.toHaveProperty("passwordHash");
  });

  dbTest("refuses a duplicate in any letter case, and maps a racing insert's unique violation to exists", async ({ sharedDb: handle }) => {
    expect((await createAccount(handle.db, { userName: "bob", password: PASSWORD, groups: [] })).ok).toBe(true);
    expect(await createAccount(handle.db, { userName: "BOB", password: PASSWORD, groups: [] })).toMatchObject({
      ok: false,
      code: "exists",
    });
    const racing = await Promise.all([
      createAccount(handle.db, { userName: "carol", password: PASSWORD, groups: [] }),
      createAccount(handle.db, { userName: "Carol", password: PASSWORD, groups: [] }),
    ]);
    expect(racing.filter((r) => r.ok)).toHaveLength(1);
    expect(racing.find((r) => !r.ok)).toMatchObject({ code: "exists" });
  });

  dbTest("validates the input with typed errors", async ({ sharedDb: handle }) => {
    expect(await createAccount(handle.db, { userName: "bad name", password: PASSWORD, groups: [] })).toMatchObject({
      ok: false,
      code: "invalid_user_name",
    });
    expect(await createAccount(handle.db, { userName: "dave", password: "short", groups: [] })).toMatchObject({
      ok: false,
      code: "invalid_password",
    });
    expect(await createAccount(handle.db, { userName: "dave", password: "x".repeat(1025), groups: [] })).toMatchObject({
      ok: false,
      code: "invalid_password",
    });
    expect(await createAccount(handle.db, { userName: "dave", password: PASSWORD, groups: ["bad\u0007group"] })).toMatchObject({
      ok: false,
      code: "invalid_group",
    });
    expect(await listAccounts(handle.db)).toEqual([]);
  });

  dbTest("lists accounts with their groups, by user name", async ({ sharedDb: handle }) => {
    await createAccount(handle.db, { userName: "zed", password: PASSWORD, groups: ["Users"] });
    await createAccount(handle.db, { userName: "amy", password: PASSWORD, groups: ["Domain Admins", "Administrators"] });
    const list = await listAccounts(handle.db);
    expect(list.map((a) => [a.userName, a.groups])).toEqual([
      ["amy", ["Administrators", "Domain Admins"]],
      ["zed", ["Users"]],
    ]);
    expect(list[0]?.createdAt).toBeInstanceOf(Date);
    expect(await countAdministrators(handle.db)).toBe(1);
  });

  dbTest("adds and removes group members, ending the member's sessions", async ({ sharedDb: handle }) => {
    await createAccount(handle.db, { userName: "root", password: PASSWORD, groups: ["Administrators"] });
    const created = await createAccount(handle.db, { userName: "eve", password: PASSWORD, groups: [] });
    if (!created.ok) throw new Error(created.message);
    const { token } = await createSession(handle.db, {
      accountId: created.account.id,
      remoteAddress: null,
      now: NOW,
      idleMinutes: 30,
      maxHours: 8,
    });

    const audit = { actor: "cli:test", remoteAddress: null };
    expect(await addGroupMember(handle.db, { groupName: "domain admins", userName: "Eve", audit })).toEqual({
      ok: true,
      groupName: "Domain Admins",
      userName: "eve",
    });
    expect(await validateSession(handle.db, token, { now: NOW, idleMinutes: 30 })).toBeNull();
    expect(await addGroupMember(handle.db, { groupName: "Domain Admins", userName: "eve" })).toMatchObject({
      ok: false,
      code: "already_member",
    });
    expect(await addGroupMember(handle.db, { groupName: "Domain Admins", userName: "nobody" })).toMatchObject({
      ok: false,
      code: "not_found",
    });
    expect(await countAdministrators(handle.db)).toBe(2);

    expect(await removeGroupMember(handle.db, { groupName: "DOMAIN ADMINS", userName: "eve", audit })).toEqual({
      ok: true,
      groupName: "Domain Admins",
      userName: "eve",
    });
    expect(await removeGroupMember(handle.db, { groupName: "Domain Admins", userName: "eve" })).toMatchObject({
      ok: false,
      code: "not_member",
    });
    expect((await findAccountByUserName(handle.db, "eve"))?.groups).toEqual([]);

    const events = await listAuditEvents(handle.db, { page: 1, pageSize: 10 });
    expect(events.events.map((e) => [e.action, e.actor, e.details])).toEqual([
      ["group_member_removed", "cli:test", { groupName: "Domain Admins", userName: "eve" }],
      ["group_member_added", "cli:test", { groupName: "Domain Admins", userName: "eve" }],
    ]);
  });

  dbTest("removes an account and its sessions, but never the last administrator", async ({ sharedDb: handle }) => {
    const admin = await createAccount(handle.db, { userName: "admin", password: PASSWORD, groups: ["Administrators"] });
    if (!admin.ok) throw new Error(admin.message);
    expect(await removeAccount(handle.db, { userName: "admin" })).toMatchObject({ ok: false, code: "last_administrator" });
    expect(await removeGroupMember(handle.db, { groupName: "Administrators", userName: "admin" })).toMatchObject({
      ok: false,
      code: "last_administrator",
    });

    await createAccount(handle.db, { userName: "admin2", password: PASSWORD, groups: ["Domain Admins"] });
    const { token } = await createSession(handle.db, {
      accountId: admin.account.id,
      remoteAddress: "127.0.0.1",
      now: NOW,
      idleMinutes: 30,
      maxHours: 8,
    });
    expect(await removeAccount(handle.db, { userName: "ADMIN", audit: { actor: "cli:test", remoteAddress: null } })).toMatchObject({
      ok: true,
      account: { userName: "admin" },
    });
    expect(await validateSession(handle.db, token, { now: NOW, idleMinutes: 30 })).toBeNull();
    expect(await findAccountByUserName(handle.db, "admin")).toBeNull();
    expect(await removeAccount(handle.db, { userName: "admin" })).toMatchObject({ ok: false, code: "not_found" });
    expect(await countAdministrators(handle.db)).toBe(1);
  });
});
