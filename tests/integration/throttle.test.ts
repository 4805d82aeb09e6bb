import os from "node:os";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkThrottle, recordFailure, recordSuccess } from "@/lib/auth/throttle";
import { type DatabaseHandle, openDatabase } from "@/lib/db/client";
import { createTestDatabase, testDatabaseKinds } from "../support/databases";

const T0 = new Date("2030-05-01T12:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe.each(testDatabaseKinds())("sign-in throttling on %s", (kind) => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    handle = await createTestDatabase(kind);
  });
  afterAll(async () => handle.dispose());
  beforeEach(async () => {
    await handle.db.execute(sql`DELETE FROM sign_in_throttles`);
  });

  it("locks a user name after 5 failures within 15 minutes, for 1 minute, then doubling up to 15", async () => {
    const keys = { userName: "Alice" };
    for (let i = 0; i < 4; i++) {
      expect(await recordFailure(handle.db, keys, at(i * 60))).toEqual({ allowed: true });
    }
    expect(await checkThrottle(handle.db, keys, at(240))).toEqual({ allowed: true });
    expect(await recordFailure(handle.db, keys, at(240))).toEqual({ allowed: false, retryAfterSeconds: 60 });
    expect(await checkThrottle(handle.db, { userName: "ALICE" }, at(270))).toEqual({ allowed: false, retryAfterSeconds: 30 });
    expect(await checkThrottle(handle.db, keys, at(300))).toEqual({ allowed: true });
    // each further failure doubles the lock: 2, 4, 8, then capped at 15 minutes
    expect(await recordFailure(handle.db, keys, at(300))).toEqual({ allowed: false, retryAfterSeconds: 120 });
    expect(await recordFailure(handle.db, keys, at(420))).toEqual({ allowed: false, retryAfterSeconds: 240 });
    expect(await recordFailure(handle.db, keys, at(660))).toEqual({ allowed: false, retryAfterSeconds: 480 });
    expect(await recordFailure(handle.db, keys, at(1140))).toEqual({ allowed: false, retryAfterSeconds: 900 });
    expect(await recordFailure(handle.db, keys, at(2040))).toEqual({ allowed: false, retryAfterSeconds: 900 });
    expect(await checkThrottle(handle.db, { userName: "bob" }, at(2041))).toEqual({ allowed: true });
  });

  it("starts over once the window and any lock are long past", async () => {
    const keys = { userName: "carl" };
    for (let i = 0; i < 4; i++) await recordFailure(handle.db, keys, at(i));
    // 16 minutes later: a fresh window, so four more failures do not lock
    for (let i = 0; i < 4; i++) expect(await recordFailure(handle.db, keys, at(16 * 60 + i))).toEqual({ allowed: true });
    expect((await recordFailure(handle.db, keys, at(16 * 60 + 5))).allowed).toBe(false);
    // lock ended at +17m; the window and lock are over 15 minutes old at +33m
    expect(await recordFailure(handle.db, keys, at(33 * 60))).toEqual({ allowed: true });
  });

  it("throttles an address separately, at a higher limit, and a success clears only the user name", async () => {
    const address = "198.51.100.4";
    for (let i = 0; i < 19; i++) {
      const decision = await recordFailure(handle.db, { userName: `user${i}`, remoteAddress: address }, at(i));
      expect(decision).toEqual({ allowed: true });
    }
    expect((await recordFailure(handle.db, { userName: "user19", remoteAddress: address }, at(19))).allowed).toBe(false);
    expect((await checkThrottle(handle.db, { userName: "someone", remoteAddress: address }, at(20))).allowed).toBe(false);
    expect((await checkThrottle(handle.db, { userName: "someone", remoteAddress: "198.51.100.5" }, at(20))).allowed).toBe(true);

    for (let i = 0; i < 5; i++) await recordFailure(handle.db, { userName: "dora" }, at(i));
    expect((await checkThrottle(handle.db, { userName: "dora" }, at(10))).allowed).toBe(false);
    await recordSuccess(handle.db, { userName: "Dora", remoteAddress: address });
    expect((await checkThrottle(handle.db, { userName: "dora" }, at(10))).allowed).toBe(true);
    expect((await checkThrottle(handle.db, { remoteAddress: address }, at(21))).allowed).toBe(false);
  });

  it("counts concurrent failures without losing any", async () => {
    await Promise.all(Array.from({ length: 5 }, () => recordFailure(handle.db, { userName: "race" }, T0)));
    expect((await checkThrottle(handle.db, { userName: "race" }, T0)).allowed).toBe(false);
  });

  it.runIf(kind === "postgres")("is shared by two processes' database handles", async () => {
    const other: DatabaseHandle = await openDatabase({
      dataDir: os.tmpdir(),
      databaseUrl: process.env.DATABASE_URL,
      pgSchema: handle.schema,
    });
    try {
      for (let i = 0; i < 5; i++) {
        await recordFailure(i % 2 === 0 ? handle.db : other.db, { userName: "shared" }, at(i));
      }
      expect((await checkThrottle(other.db, { userName: "shared" }, at(10))).allowed).toBe(false);
      expect((await checkThrottle(handle.db, { userName: "shared" }, at(10))).allowed).toBe(false);
    } finally {
      await other.close();
    }
  });
});
