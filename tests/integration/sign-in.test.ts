import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { createAccount } from "@/lib/console/auth/accounts";
import { validateSession } from "@/lib/console/auth/sessions";
import { signIn } from "@/lib/console/auth/sign-in";
import { needsRehash } from "@/lib/core/secrets/password";
import { accounts } from "@/lib/platform/db/schema";
import { localServerName } from "@/lib/platform/server-identity";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

const PASSWORD = "Tr0ub4dor&3-but-longer";
const T0 = new Date("2030-06-01T09:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const base = { remoteAddress: "203.0.113.9", idleMinutes: 30, maxHours: 8 };

describeOnEachDatabase("sign-in", () => {
  // A fresh database for every test: each reads "the newest audit rows", so none may see another's.
  dbTest.beforeEach(async ({ db: handle }) => {
    await createAccount(handle.db, { userName: "Admin", password: PASSWORD, groups: ["Administrators"] });
    await createAccount(handle.db, { userName: "reader", password: PASSWORD, groups: ["Users"] });
  });

  dbTest("signs in with the right password, in any letter case of the name, and audits it without the password", async ({ db: handle }) => {
    const result = await signIn(handle.db, { ...base, userName: "ADMIN", password: PASSWORD, now: T0 });
    if (!result.ok) throw new Error(result.code);
    expect(result.account).toMatchObject({ userName: "admin", displayName: "Admin", groups: ["Administrators"] });
    expect(result.expiresAt).toEqual(at(8 * 3600));
    expect(await validateSession(handle.db, result.token, { now: at(60), idleMinutes: 30 })).toMatchObject({
      account: { userName: "admin" },
    });
    const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 1 });
    // Named as Windows names a local account: MACHINE\\name, the name as created (not RMS_DOMAIN, the directory's).
    expect(events[0]).toMatchObject({
      action: "sign_in",
      outcome: "success",
      actor: `${localServerName()}\\Admin`,
      remoteAddress: "203.0.113.9",
    });
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  dbTest("lets a non-administrator sign in (the pages deny access)", async ({ db: handle }) => {
    const result = await signIn(handle.db, { ...base, userName: "reader", password: PASSWORD, now: T0 });
    expect(result).toMatchObject({ ok: true, account: { groups: ["Users"] } });
  });

  dbTest("answers invalid_credentials alike for a wrong password, an unknown user and a malformed name", async ({ db: handle }) => {
    for (const userName of ["admin", "ghost", "bad name\r\nforged"]) {
      expect(await signIn(handle.db, { ...base, userName, password: "wrong-password", now: T0 })).toEqual({
        ok: false,
        code: "invalid_credentials",
      });
    }
    const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 3 });
    expect(events.map((e) => [e.outcome, e.actor])).toEqual([
      ["failure", "bad nameforged"],
      ["failure", `${localServerName()}\\ghost`],
      ["failure", `${localServerName()}\\Admin`],
    ]);
    expect(JSON.stringify(events)).not.toContain("wrong-password");
  });

  dbTest("throttles after 5 failures, even with the right password, and audits that", async ({ db: handle }) => {
    for (let i = 0; i < 5; i++) {
      expect((await signIn(handle.db, { ...base, userName: "admin", password: "nope-nope", now: at(i) })).ok).toBe(false);
    }
    const throttled = await signIn(handle.db, { ...base, userName: "admin", password: PASSWORD, now: at(10) });
    expect(throttled).toEqual({ ok: false, code: "throttled", retryAfterSeconds: 54 });
    const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 1 });
    expect(events[0]).toMatchObject({ action: "sign_in", outcome: "denied", details: { reason: "throttled" } });
    expect((await signIn(handle.db, { ...base, userName: "admin", password: PASSWORD, now: at(65) })).ok).toBe(true);
    // success cleared the user's counter
    expect((await signIn(handle.db, { ...base, userName: "admin", password: "nope-nope", now: at(66) })).ok).toBe(false);
    expect((await signIn(handle.db, { ...base, userName: "admin", password: PASSWORD, now: at(67) })).ok).toBe(true);
  });

  dbTest("upgrades an old hash after a successful sign-in", async ({ db: handle }) => {
    await createAccount(handle.db, { userName: "legacy", password: PASSWORD, groups: [] });
    const { scryptSync, randomBytes } = await import("node:crypto");
    const salt = randomBytes(16);
    const key = scryptSync(PASSWORD, salt, 64, { N: 16384, r: 8, p: 1 });
    const legacyHash = `scrypt$16384$8$1$${salt.toString("base64")}$${key.toString("base64")}`;

    await handle.db.update(accounts).set({ passwordHash: legacyHash }).where(eq(accounts.userName, "legacy"));
    expect((await signIn(handle.db, { ...base, userName: "legacy", password: PASSWORD, now: T0 })).ok).toBe(true);
    const [row] = await handle.db.select().from(accounts).where(eq(accounts.userName, "legacy"));
    expect(row?.passwordHash).not.toBe(legacyHash);
    expect(needsRehash(row?.passwordHash ?? "")).toBe(false);
    expect((await signIn(handle.db, { ...base, userName: "legacy", password: PASSWORD, now: T0 })).ok).toBe(true);
  });

  dbTest("of 200 simultaneous attempts hears at most 5, so the right password at position 150 gets no session", async ({ db: handle }) => {
    const attempts = Array.from({ length: 200 }, (_, i) =>
      signIn(handle.db, { ...base, userName: "admin", password: i === 150 ? PASSWORD : `wrong-${i}`, now: T0 }),
    );
    const results = await Promise.all(attempts);
    expect(results.filter((r) => r.ok)).toHaveLength(0);
    expect(results.filter((r) => !r.ok && r.code === "invalid_credentials")).toHaveLength(5);
    const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 500 });
    const heard = events.filter((e) => e.action === "sign_in" && e.outcome === "failure");
    expect(heard).toHaveLength(5);
  });

  dbTest("lets a browser that signed in before in while the user name is locked from its address", async ({ db: handle }) => {
    const first = await signIn(handle.db, { ...base, userName: "admin", password: PASSWORD, now: T0 });
    if (!first.ok || !first.device) throw new Error("expected a session and a device token");
    for (let i = 0; i < 6; i++) {
      await signIn(handle.db, { ...base, remoteAddress: "192.0.2.66", userName: "admin", password: "attacker", now: at(i + 1) });
    }
    // The name is locked for the guesser's address (another address is not: tests/integration/sign-in-attacks.test.ts)…
    expect(
      await signIn(handle.db, { ...base, remoteAddress: "192.0.2.66", userName: "admin", password: PASSWORD, now: at(10) }),
    ).toMatchObject({
      ok: false,
      code: "throttled",
    });
    // …and even there, a browser that signed in before gets in.
    const trusted = await signIn(handle.db, {
      ...base,
      remoteAddress: "192.0.2.66",
      userName: "admin",
      password: PASSWORD,
      now: at(10),
      deviceToken: first.device.token,
    });
    expect(trusted).toMatchObject({ ok: true, device: null });
    // The token is this user's only: for another name it is no bucket of its own.
    const other = await signIn(handle.db, { ...base, userName: "reader", password: "nope", now: at(11), deviceToken: first.device.token });
    expect(other).toEqual({ ok: false, code: "invalid_credentials" });
  });
});
