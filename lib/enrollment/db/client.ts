// The enrollment service's database: PGlite in its own data folder, or PostgreSQL (RMS_ENROLLMENT_DATABASE_URL) in its
// own schema, migrated from its own folder: never the console's tables.
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { type DrizzleHandle, migrateDrizzle, openDrizzle } from "@/lib/platform/db/client";
import * as schema from "./schema";

export type EnrollmentDb = PgDatabase<PgQueryResultHKT, typeof schema>;
export type EnrollmentTx = Parameters<Parameters<EnrollmentDb["transaction"]>[0]>[0];
export type EnrollmentDbHandle = DrizzleHandle<typeof schema>;

/** The PostgreSQL schema the service's tables live in unless configured otherwise. */
export const DEFAULT_ENROLLMENT_PG_SCHEMA = "rms_enrollment";

export const ENROLLMENT_MIGRATIONS = path.join(process.cwd(), "lib", "enrollment", "db", "migrations");

export async function openEnrollmentDatabase(opts: {
  dataDir: string;
  databaseUrl?: string;
  pgSchema?: string;
  /** Called with every statement Drizzle sends (tests count an issuance's statements with it). */
  onStatement?: (sql: string) => void;
}): Promise<EnrollmentDbHandle> {
  const handle = await openDrizzle(schema, {
    dataDir: path.join(opts.dataDir, "db"),
    databaseUrl: opts.databaseUrl,
    pgSchema: opts.pgSchema ?? DEFAULT_ENROLLMENT_PG_SCHEMA,
    onStatement: opts.onStatement,
  });
  try {
    await migrateDrizzle(handle, ENROLLMENT_MIGRATIONS);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}
