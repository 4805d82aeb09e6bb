// The database fixtures themselves: `db` is new for every test, `sharedDb` is one per block, each of the block's kind.
import { count } from "drizzle-orm";
import { beforeAll, expect } from "vitest";
import { auditEvents } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

async function auditRows(handle: TestDatabase): Promise<number> {
  const [row] = await handle.db.select({ n: count() }).from(auditEvents);
  return row?.n ?? 0;
}

/** Handles seen by this file's tests in order, to compare across tests (they run one after another). */
const seen: TestDatabase[] = [];
const sharedSeen: TestDatabase[] = [];

describeOnEachDatabase("database fixtures", ({ kind, sharedDatabase }) => {
  let openedInBeforeAll: TestDatabase;
  beforeAll(async () => {
    openedInBeforeAll = await sharedDatabase();
    await openedInBeforeAll.db.insert(auditEvents).values({ action: "seeded", outcome: "success" });
  });

  dbTest("gives a test an empty database of the block's kind", async ({ db, databaseKind }) => {
    expect(databaseKind).toBe(kind);
    expect(db.kind).toBe(kind);
    expect(await auditRows(db)).toBe(0);
    await db.db.insert(auditEvents).values({ action: "first", outcome: "success" });
    seen.push(db);
  });

  dbTest("gives the next test another empty one, the last one's being closed", async ({ db }) => {
    expect(await auditRows(db)).toBe(0);
    const previous = seen.at(-1);
    expect(previous).toBeDefined();
    expect(db).not.toBe(previous);
    if (previous) await expect(auditRows(previous)).rejects.toThrow();
    seen.push(db);
  });

  dbTest("shares one database with beforeAll and every test of the block", async ({ sharedDb }) => {
    expect(sharedDb).toBe(openedInBeforeAll);
    expect(sharedDb.kind).toBe(kind);
    expect(await auditRows(sharedDb)).toBe(1);
    sharedSeen.push(sharedDb);
  });

  dbTest("keeps the shared database from test to test", async ({ sharedDb }) => {
    expect(sharedDb).toBe(sharedSeen.at(-1));
    expect(await auditRows(sharedDb)).toBe(1);
  });

  dbTest("gives each kind its own shared database, the earlier block's being closed", async ({ sharedDb }) => {
    expect(sharedSeen.filter((handle) => handle === sharedDb)).toHaveLength(1);
    for (const earlier of sharedSeen.slice(0, -1)) await expect(auditRows(earlier)).rejects.toThrow();
  });
});
