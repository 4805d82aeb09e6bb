// Runs a data-layer suite on PGlite always and on PostgreSQL when DATABASE_URL is set, each in a fresh database.

import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Pool } from "pg";
import { inject } from "vitest";
import { type DatabaseHandle, migrateDatabase, openDatabase } from "@/lib/platform/db/client";

export type DatabaseKind = "pglite" | "postgres";

/** A migrated database made for a test; `dispose` removes it. */
export type TestDatabase = DatabaseHandle & { dispose(): Promise<void> };

export function testDatabaseKinds(): DatabaseKind[] {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

/** The migrated, empty PGlite data folder the run's globalSetup made (tests/support/pglite-template.global.ts). */
function migratedPgliteTemplate(): string {
  return inject("pgliteTemplate");
}

/**
 * The run's new, empty PGlite cluster (tests/support/pglite-template.global.ts): copied in as a console's or a
 * service's store where creating one is not what the test is about.
 */
export function blankPglite(): string {
  return inject("pgliteBlank");
}

/**
 * Puts a copy of the run's new, empty PGlite cluster where a program's embedded store will look for it — `<dataDir>/pglite`
 * for a console, `<dataDir>/db/pglite` for an in-process enrollment service — unless one is there; the program then
 * opens and migrates it as on its first start, without initdb's ≈ 6 s of CPU.
 */
export function seedBlankPglite(pgliteDir: string): void {
  if (!fs.existsSync(pgliteDir)) fs.cpSync(blankPglite(), pgliteDir, { recursive: true });
}

/** A migrated, empty database of the given kind; `dispose` removes it. */
export async function createTestDatabase(kind: DatabaseKind, opts: { onStatement?: (sql: string) => void } = {}): Promise<TestDatabase> {
  if (kind === "postgres") {
    const databaseUrl = process.env.DATABASE_URL;
    if (!databaseUrl) throw new Error("DATABASE_URL is required for the PostgreSQL suite");
    const pgSchema = `t_${randomBytes(6).toString("hex")}`;
    const handle = await openDatabase({ dataDir: os.tmpdir(), databaseUrl, pgSchema, onStatement: opts.onStatement });
    await migrateDatabase(handle);
    return {
      ...handle,
      dispose: async () => {
        await handle.close();
        const pool = new Pool({ connectionString: databaseUrl, max: 1 });
        await pool.query(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`);
        await pool.end();
      },
    };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-test-db-"));
  fs.cpSync(migratedPgliteTemplate(), dataDir, { recursive: true });
  const handle = await openDatabase({ dataDir, onStatement: opts.onStatement });
  await migrateDatabase(handle);
  return {
    ...handle,
    dispose: async () => {
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
