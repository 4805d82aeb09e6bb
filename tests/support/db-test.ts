// The `db` and `sharedDb` fixtures: a data-layer suite written once runs on PGlite, and on PostgreSQL when DATABASE_URL is set.
// Each database is a copy of the run's migrated PGlite template or a fresh PostgreSQL schema (createTestDatabase).
//
// Vitest fixtures live per test, per file or per worker; a file here holds one describe block per database kind, and
// a file-scoped fixture can be neither overridden inside a describe block nor depend on a per-block value. So the
// database a block shares is opened by describeOnEachDatabase itself, and `sharedDb` hands that one to the tests.

import { afterAll, describe, test } from "vitest";
import { createTestDatabase, type DatabaseKind, type TestDatabase, testDatabaseKinds } from "./databases";

/** Opens the block's shared database on first call and returns the same handle after; for beforeAll, which cannot read fixtures. */
export type SharedDatabase = () => Promise<TestDatabase>;

interface DatabaseFixtures {
  /** The kind of the enclosing describeOnEachDatabase block. */
  databaseKind: DatabaseKind;
  /** A migrated, empty database of its own for each test, removed after the test (and after its afterEach hooks). */
  db: TestDatabase;
  /** The one database every test of the enclosing describeOnEachDatabase block shares, removed after the block. */
  sharedDb: TestDatabase;
  /** Where `sharedDb` comes from: set by describeOnEachDatabase (wrapped, as a function value would be taken for a fixture). */
  blockDatabase: { open: SharedDatabase };
}

export const dbTest = test.extend<DatabaseFixtures>({
  databaseKind: "pglite",
  db: async ({ databaseKind }, use) => {
    const database = await createTestDatabase(databaseKind);
    await use(database);
    await database.dispose();
  },
  blockDatabase: { open: () => Promise.reject(new Error("sharedDb exists only inside describeOnEachDatabase")) },
  sharedDb: async ({ blockDatabase }, use) => {
    await use(await blockDatabase.open());
  },
});

/**
 * One describe block per database kind, named "<name> on pglite" / "<name> on postgres", so a failure names its
 * database. `dbTest` tests and `dbTest.beforeEach`/`afterEach` hooks inside get that kind's `db` (fresh per test) and
 * `sharedDb` (one per block); the block's beforeAll hooks reach the shared one through `sharedDatabase()`.
 * A plain `it` gets no fixtures: in a block whose `dbTest.beforeEach` reads `db`, every test must be a `dbTest`.
 *
 *   describeOnEachDatabase("sessions", ({ sharedDatabase }) => {
 *     beforeAll(async () => seed((await sharedDatabase()).db));
 *     dbTest("reads the seed", async ({ sharedDb }) => expect(await read(sharedDb.db)).toEqual(...));
 *     dbTest("starts empty", async ({ db }) => expect(await read(db.db)).toEqual([]));
 *   });
 */
export function describeOnEachDatabase(name: string, body: (block: { kind: DatabaseKind; sharedDatabase: SharedDatabase }) => void): void {
  describe.each(testDatabaseKinds())(`${name} on %s`, (kind) => {
    let shared: Promise<TestDatabase> | undefined;
    const sharedDatabase: SharedDatabase = () => {
      shared ??= createTestDatabase(kind);
      return shared;
    };
    // Registered before the body's hooks, so it runs after theirs: their teardown may still use the database.
    afterAll(async () => {
      await (await shared)?.dispose();
    });
    dbTest.override({ databaseKind: kind, blockDatabase: { open: sharedDatabase } });
    body({ kind, sharedDatabase });
  });
}
