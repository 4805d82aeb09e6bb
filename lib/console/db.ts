// The console process's database connection, opened once per process (kept on globalThis across dev reloads).
import "server-only";
import { env } from "@/lib/console/env";
import { type Database, type DatabaseHandle, openDatabase } from "../platform/db/client";

const globalForDb = globalThis as typeof globalThis & { rmsDatabase?: Promise<DatabaseHandle> };

export async function getDb(): Promise<Database> {
  globalForDb.rmsDatabase ??= openDatabase({ dataDir: env().dataDir, databaseUrl: env().DATABASE_URL }).catch((error: unknown) => {
    globalForDb.rmsDatabase = undefined;
    throw error;
  });
  return (await globalForDb.rmsDatabase).db;
}
