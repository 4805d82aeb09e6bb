// Vitest globalSetup for the projects that open databases or start the programs on PGlite: the PGlite folders a run
// copies instead of creating.
//
// - `pgliteBlank`: a new, empty PGlite database cluster as the product creates one (initdb, through
//   openDurablePglite), with none of our tables. Creating one costs about 6.4 s of CPU on a 2-core test machine (initdb
//   in WebAssembly); copying it and opening the copy about 0.5 s. The system tests seed a console's or an enrollment
//   service's fresh data folder with a copy, and the programs then migrate it themselves, as on a first start (the
//   tests about creating a data folder — first start, `rms --create`, the data-folder and durability suites — do not).
// - `pgliteTemplate`: that cluster with the console's migrations applied, which each data-layer test copies
//   (tests/support/databases.ts).
//
// Both are built once per Vitest run, in a folder named after the run's main process (every project's globalSetup runs
// there): the first project to start builds them, the others reuse them. A later run removes the folders of runs that
// have ended.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { openDurablePglite } from "@/lib/platform/db/pglite-durable";
import { tuneForShortLivedProcess } from "@/lib/platform/db/short-lived";
import { processAlive } from "@/lib/platform/process-alive";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteBlank: string;
    pgliteTemplate: string;
  }
}

const PREFIX = "rms-test-pglite-";

function removeEndedRuns(): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    const pid = Number(name.slice(PREFIX.length));
    if (name.startsWith(PREFIX) && Number.isInteger(pid) && pid !== process.pid && !processAlive(pid)) {
      fs.rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
    }
  }
}

/** Builds `target` with `build` in a sibling folder and renames it into place, so a half-built folder is never used. */
async function buildOnce(target: string, build: (dir: string) => Promise<void>): Promise<void> {
  if (fs.existsSync(target)) return;
  const staging = `${target}.building`;
  fs.rmSync(staging, { recursive: true, force: true });
  await build(staging);
  fs.renameSync(staging, target);
}

let built: Promise<{ blank: string; template: string }> | undefined;

function buildFolders(): Promise<{ blank: string; template: string }> {
  built ??= (async () => {
    // The run's main process opens a database only here, once: the tiering of a short-lived program.
    tuneForShortLivedProcess();
    removeEndedRuns();
    const runDir = path.join(os.tmpdir(), `${PREFIX}${process.pid}`);
    // A folder older than this process belongs to an ended run whose pid this one reuses: built again, never reused.
    const startedAt = Date.now() - process.uptime() * 1000;
    if (fs.existsSync(runDir) && fs.statSync(runDir).mtimeMs < startedAt) fs.rmSync(runDir, { recursive: true, force: true });
    fs.mkdirSync(runDir, { recursive: true });
    const blank = path.join(runDir, "blank");
    await buildOnce(blank, async (dir) => {
      const cluster = await openDurablePglite(dir);
      await cluster.close();
    });
    const template = path.join(runDir, "console-migrated");
    await buildOnce(template, async (dir) => {
      fs.mkdirSync(dir);
      fs.cpSync(blank, path.join(dir, "pglite"), { recursive: true });
      const handle = await openDatabase({ dataDir: dir });
      await migrateDatabase(handle);
      await handle.close();
    });
    return { blank, template };
  })();
  return built;
}

export default async function setup(project: TestProject): Promise<void> {
  const { blank, template } = await buildFolders();
  project.provide("pgliteBlank", blank);
  project.provide("pgliteTemplate", template);
}
