import os from "node:os";
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, expect, it } from "vitest";
import { pruneThrottles, releaseAttempt, reserveAttempt } from "@/lib/console/auth/throttle";
import { type DatabaseHandle, openDatabase } from "@/lib/platform/db/client";
import type { TestDatabase } from "../support/databases";
import { describeOnEachDatabase } from "../support/db-test";

const T0 = new Date("2030-05-01T12:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describeOnEachDatabase("sign-in throttling", ({ kind, sharedDatabase }) => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await sharedDatabase();
  });
  beforeEach(async () => {
    await handle.db.execute(sql`DELETE FROM sign_in_throttles`);
  });
  const reserve = (keys: Parameters<typeof reserveAttempt>[1], seconds: number) => reserveAttempt(handle.db, keys, at(seconds));

  it("evaluates 5 attempts per user name within 15 minutes, then locks for 1 minute, doubling up to 15", async () => {
    const keys = { userName: "Alice" };
    // The 5th attempt is still evaluated; it locks the name for the ones after it.
    for (let i = 0; i < 5; i++) expect(await reserve(keys, i * 60)).toEqual({ allowed: true });
    expect(await reserve({ userName: "ALICE" }, 270)).toEqual({ allowed: false, retryAfterSeconds: 30 });
    // After each lock one more attempt is heard; failing again, the next lock is twice as long: 2, 4, 8, then 15 minutes.
    expect(await reserve(keys, 300)).toEqual({ allowed: true });
    expect(await reserve(keys, 301)).toEqual({ allowed: false, retryAfterSeconds: 119 });
    expect(await reserve(keys, 420)).toEqual({ allowed: true });
    expect(await reserve(keys, 421)).toEqual({ allowed: false, retryAfterSeconds: 239 });
    expect(await reserve(keys, 660)).toEqual({ allowed: true });
    expect(await reserve(keys, 1140)).toEqual({ allowed: true });
    expect(await reserve(keys, 1141)).toEqual({ allowed: false, retryAfterSeconds: 899 });
    expect(await reserve({ userName: "bob" }, 1141)).toEqual({ allowed: true });
  });

  it("starts over once the window and any lock are long past", async () => {
    const keys = { userName: "carl" };
    for (let i = 0; i < 4; i++) await reserve(keys, i);
    // 16 minutes later: a fresh window, so four more attempts do not lock
    for (let i = 0; i < 4; i++) expect(await reserve(keys, 16 * 60 + i)).toEqual({ allowed: true });
    expect(await reserve(keys, 16 * 60 + 5)).toEqual({ allowed: true });
    expect((await reserve(keys, 16 * 60 + 6)).allowed).toBe(false);
    // lock ended at +17m; the window and lock are over 15 minutes old at +33m
    expect(await reserve(keys, 33 * 60)).toEqual({ allowed: true });
    expect(await pruneThrottles(handle.db, at(60 * 60))).toBe(1);
  });

  it("throttles an address separately, at a higher limit; a success gives back only its own attempt", async () => {
    const address = "198.51.100.4";
    for (let i = 0; i < 19; i++) expect(await reserve({ userName: `user${i}`, remoteAddress: address }, i)).toEqual({ allowed: true });
    // A success from the same address gives back its own reservation, not the others'.
    expect(await reserve({ userName: "dora", remoteAddress: address }, 19)).toEqual({ allowed: true });
    await releaseAttempt(handle.db, { userName: "Dora", remoteAddress: address });
    expect(await reserve({ userName: "user19", remoteAddress: address }, 20)).toEqual({ allowed: true });
    expect((await reserve({ userName: "someone", remoteAddress: address }, 21)).allowed).toBe(false);
    expect((await reserve({ userName: "someone", remoteAddress: "198.51.100.5" }, 21)).allowed).toBe(true);
    // A success clears the user name's count entirely.
    for (let i = 0; i < 5; i++) await reserve({ userName: "frank" }, i);
    expect((await reserve({ userName: "frank" }, 10)).allowed).toBe(false);
    await releaseAttempt(handle.db, { userName: "Frank" });
    expect((await reserve({ userName: "frank" }, 10)).allowed).toBe(true);
  });

  it("does not make loopback one shared address bucket", async () => {
    for (let i = 0; i < 40; i++) expect((await reserve({ userName: `local${i}`, remoteAddress: "127.0.0.1" }, i)).allowed).toBe(true);
    expect((await reserve({ userName: "admin", remoteAddress: "::1" }, 41)).allowed).toBe(true);
  });

  it("locks a user name per source, and keeps a trusted device's own bucket", async () => {
    for (let i = 0; i < 6; i++) await reserve({ userName: "erin", remoteAddress: "192.0.2.1" }, i);
    expect((await reserve({ userName: "erin", remoteAddress: "192.0.2.1" }, 10)).allowed).toBe(false);
    expect((await reserve({ userName: "ＥＲＩＮ", remoteAddress: "192.0.2.1" }, 10)).allowed).toBe(false);
    // Another source (the administrator's new browser) is not locked out by guesses from the first.
    expect((await reserve({ userName: "erin", remoteAddress: "192.0.2.2" }, 10)).allowed).toBe(true);
    expect((await reserve({ userName: "erin", remoteAddress: "192.0.2.1", trustedDevice: "device-hash" }, 10)).allowed).toBe(true);
  });

  it("hears at most the limit of 200 simultaneous attempts", async () => {
    const decisions = await Promise.all(Array.from({ length: 200 }, () => reserve({ userName: "race", remoteAddress: "192.0.2.9" }, 0)));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it.runIf(kind === "postgres")("is shared by two processes' database handles", async () => {
    const other: DatabaseHandle = await openDatabase({
      dataDir: os.tmpdir(),
      databaseUrl: process.env.DATABASE_URL,
      pgSchema: handle.schema,
    });
    try {
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) => reserveAttempt(i % 2 === 0 ? handle.db : other.db, { userName: "shared" }, at(0))),
      );
      expect(results.filter((d) => d.allowed)).toHaveLength(5);
      expect((await reserveAttempt(other.db, { userName: "shared" }, at(10))).allowed).toBe(false);
    } finally {
      await other.close();
    }
  });
});
