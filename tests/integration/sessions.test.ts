import { sql } from "drizzle-orm";
import { beforeAll, expect, it } from "vitest";
import { createAccount } from "@/lib/console/auth/accounts";
import { createSession, destroyAccountSessions, destroySession, validateSession } from "@/lib/console/auth/sessions";
import { hashToken } from "@/lib/core/secrets/tokens";
import { sessions } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { describeOnEachDatabase } from "../support/db-test";

const T0 = new Date("2030-03-01T08:00:00Z");
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const OPTS = { idleMinutes: 30, maxHours: 8 };

describeOnEachDatabase("sessions", ({ sharedDatabase }) => {
  let handle: TestDatabase;
  let accountId: string;
  beforeAll(async () => {
    handle = await sharedDatabase();
    const created = await createAccount(handle.db, { userName: "Ann", password: "a-long-enough-password", groups: ["Administrators"] });
    if (!created.ok) throw new Error(created.message);
    accountId = created.account.id;
  });

  const start = (now = T0) => createSession(handle.db, { accountId, remoteAddress: "192.0.2.7", now, ...OPTS });

  it("returns a random 32-byte base64url token and stores only its SHA-256", async () => {
    const { token, expiresAt } = await start();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(expiresAt).toEqual(minutes(8 * 60));
    const rows = await handle.db.select().from(sessions);
    expect(rows.some((r) => r.tokenHash === hashToken(token))).toBe(true);
    const dump = JSON.stringify(await handle.db.execute(sql`SELECT * FROM sessions`));
    expect(dump).not.toContain(token);
  });

  it("validates to the account with its groups", async () => {
    const { token } = await start();
    const session = await validateSession(handle.db, token, { now: minutes(5), idleMinutes: 30 });
    expect(session).toMatchObject({
      account: { id: accountId, userName: "ann", displayName: "Ann", groups: ["Administrators"] },
      expiresAt: minutes(8 * 60),
      idleExpiresAt: minutes(35),
    });
    expect(await validateSession(handle.db, "not-a-token", { now: T0, idleMinutes: 30 })).toBeNull();
    expect(await validateSession(handle.db, "A".repeat(43), { now: T0, idleMinutes: 30 })).toBeNull();
  });

  it("ends after the idle timeout, and activity (written at most once a minute) keeps it alive", async () => {
    const { token } = await start();
    const lastSeen = async () =>
      (
        await handle.db
          .select()
          .from(sessions)
          .where(sql`${sessions.tokenHash} = ${hashToken(token)}`)
      )[0]?.lastSeenAt;
    expect(await validateSession(handle.db, token, { now: new Date(T0.getTime() + 30_000), idleMinutes: 30 })).not.toBeNull();
    expect(await lastSeen()).toEqual(T0); // under a minute: not written
    expect(await validateSession(handle.db, token, { now: minutes(29), idleMinutes: 30 })).not.toBeNull();
    expect(await lastSeen()).toEqual(minutes(29));
    expect(await validateSession(handle.db, token, { now: minutes(58), idleMinutes: 30 })).not.toBeNull();
    expect(await validateSession(handle.db, token, { now: minutes(88), idleMinutes: 30 })).toBeNull();
    expect(await lastSeen()).toBeUndefined(); // expired row deleted
    expect(await validateSession(handle.db, token, { now: minutes(59), idleMinutes: 30 })).toBeNull();
  });

  it("ends at the absolute timeout however active", async () => {
    const { token } = await start();
    for (let m = 20; m < 8 * 60; m += 20) {
      expect(await validateSession(handle.db, token, { now: minutes(m), idleMinutes: 30 })).not.toBeNull();
    }
    expect(await validateSession(handle.db, token, { now: minutes(8 * 60), idleMinutes: 30 })).toBeNull();
  });

  it("destroys one session, or all of an account's", async () => {
    const a = await start();
    const b = await start();
    expect(await destroySession(handle.db, a.token)).toBe(true);
    expect(await destroySession(handle.db, a.token)).toBe(false);
    expect(await validateSession(handle.db, a.token, { now: T0, idleMinutes: 30 })).toBeNull();
    expect(await validateSession(handle.db, b.token, { now: T0, idleMinutes: 30 })).not.toBeNull();
    await start();
    expect(await destroyAccountSessions(handle.db, accountId)).toBeGreaterThanOrEqual(2);
    expect(await validateSession(handle.db, b.token, { now: T0, idleMinutes: 30 })).toBeNull();
  });

  it("clears out expired sessions when a new one starts", async () => {
    await destroyAccountSessions(handle.db, accountId);
    await start(T0);
    await start(minutes(9 * 60));
    expect(await handle.db.select().from(sessions)).toHaveLength(1);
  });
});
