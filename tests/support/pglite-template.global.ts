// Vitest globalSetup for the projects that open databases: one migrated, empty PGlite data folder for the whole run.
// Creating and migrating one costs seconds (tens of seconds under load); each test copies it (tests/support/databases.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateDatabase, openDatabase } from "@/lib/platform/db/client";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-test-template-"));
  const handle = await openDatabase({ dataDir: dir });
  await migrateDatabase(handle);
  await handle.close();
  project.provide("pgliteTemplate", dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
