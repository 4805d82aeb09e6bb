import { expect } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { createAccount, findAccountByUserName } from "@/lib/console/auth/accounts";
import { createSetupToken, inspectSetupToken, needsSetup, redeemSetupToken } from "@/lib/console/auth/setup-tokens";
import { setupTokens } from "@/lib/platform/db/schema";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

const T0 = new Date("2030-07-01T09:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const PASSWORD = "first-admin-password";

describeOnEachDatabase("setup tokens", () => {
  // A fresh database for every test (`db`): each reads "the newest audit rows", so none may see another's.

  dbTest("creates the first administrator once; the token is single use and only its hash is stored", async ({ db: handle }) => {
    expect(await needsSetup(handle.db)).toBe(true);
    const token = await createSetupToken(handle.db, { now: T0 });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(await handle.db.select().from(setupTokens))).not.toContain(token);

    const redeemed = await redeemSetupToken(handle.db, {
      token,
      userName: "FirstAdmin",
      password: PASSWORD,
      now: minutes(2),
      remoteAddress: "127.0.0.1",
    });
    expect(redeemed).toMatchObject({
      ok: true,
      account: { userName: "firstadmin", displayName: "FirstAdmin", groups: ["Administrators"] },
    });
    expect(await needsSetup(handle.db)).toBe(false);

    const again = await redeemSetupToken(handle.db, { token, userName: "second", password: PASSWORD, now: minutes(3) });
    expect(again).toMatchObject({ ok: false, code: "used" });
    expect(await findAccountByUserName(handle.db, "second")).toBeNull();

    const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 2 });
    expect(events.map((e) => [e.action, e.outcome])).toEqual([
      ["setup_admin_created", "failure"],
      ["setup_admin_created", "success"],
    ]);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
  });

  dbTest("tells, without consuming it, whether a link can still be used: fresh, expired, used, unknown", async ({ db: handle }) => {
    const token = await createSetupToken(handle.db, { now: T0, ttlMinutes: 10 });
    expect(await inspectSetupToken(handle.db, token, minutes(1))).toMatchObject({ ok: true, expiresAt: minutes(10) });
    expect(await inspectSetupToken(handle.db, token, minutes(10))).toEqual({ ok: false, code: "expired" });
    expect(await inspectSetupToken(handle.db, "x".repeat(43), T0)).toEqual({ ok: false, code: "invalid_token" });
    // Looking did not use it up.
    expect(await redeemSetupToken(handle.db, { token, userName: "first", password: PASSWORD, now: minutes(2) })).toMatchObject({
      ok: true,
    });
    expect(await inspectSetupToken(handle.db, token, minutes(3))).toEqual({ ok: false, code: "used" });
    const other = await createSetupToken(handle.db, { now: T0 });
    expect(await inspectSetupToken(handle.db, other, minutes(3))).toEqual({ ok: false, code: "admin_exists" });
  });

  dbTest("refuses an expired or unknown token", async ({ db: handle }) => {
    const token = await createSetupToken(handle.db, { now: T0, ttlMinutes: 10 });
    expect(await redeemSetupToken(handle.db, { token, userName: "late", password: PASSWORD, now: minutes(10) })).toMatchObject({
      ok: false,
      code: "expired",
    });
    expect(await redeemSetupToken(handle.db, { token: "x".repeat(43), userName: "late", password: PASSWORD, now: T0 })).toMatchObject({
      ok: false,
      code: "invalid_token",
    });
    expect(await redeemSetupToken(handle.db, { token: "short", userName: "late", password: PASSWORD, now: T0 })).toMatchObject({
      ok: false,
      code: "invalid_token",
    });
    expect(await needsSetup(handle.db)).toBe(true);
  });

  dbTest("refuses once an administrator exists (for example made with the CLI)", async ({ db: handle }) => {
    const token = await createSetupToken(handle.db, { now: T0 });
    await createAccount(handle.db, { userName: "cliadmin", password: PASSWORD, groups: ["Domain Admins"] });
    expect(await redeemSetupToken(handle.db, { token, userName: "web", password: PASSWORD, now: T0 })).toMatchObject({
      ok: false,
      code: "admin_exists",
    });
  });

  dbTest("keeps the token usable when the form input is invalid", async ({ db: handle }) => {
    const token = await createSetupToken(handle.db, { now: T0 });
    expect(await redeemSetupToken(handle.db, { token, userName: "bad name", password: PASSWORD, now: T0 })).toMatchObject({
      ok: false,
      code: "invalid_user_name",
    });
    expect(await redeemSetupToken(handle.db, { token, userName: "ok", password: "short", now: T0 })).toMatchObject({
      ok: false,
      code: "invalid_password",
    });
    expect((await redeemSetupToken(handle.db, { token, userName: "ok", password: PASSWORD, now: T0 })).ok).toBe(true);
  });

  dbTest("lets only one of two tokens redeemed at once create an administrator", async ({ db: handle }) => {
    const a = await createSetupToken(handle.db, { now: T0 });
    const b = await createSetupToken(handle.db, { now: T0 });
    const results = await Promise.all([
      redeemSetupToken(handle.db, { token: a, userName: "one", password: PASSWORD, now: T0 }),
      redeemSetupToken(handle.db, { token: b, userName: "two", password: PASSWORD, now: T0 }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ code: "admin_exists" });
  });
});
