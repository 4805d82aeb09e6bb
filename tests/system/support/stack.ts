// One system-test stack: enrollment service, a proxy in front of it, a prepared console database and the console.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Database } from "@/lib/db/client";
import { translatorFor } from "@/lib/i18n/messages";
import { ADMIN, type ClusterSnapshot, createPgDatabase, prepareConsoleData, snapshot, withDatabase } from "./data";
import { type EnrollmentProxy, startEnrollmentProxy } from "./enrollment-proxy";
import { signIn } from "./http";
import { type ConsoleOptions, freePort, killAllStarted, type Started, startConsole, startEnrollment } from "./processes";

export const t = translatorFor("en");

export function databaseKinds(): Array<"pglite" | "postgres"> {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface SystemStack {
  dir: string;
  kind: "pglite" | "postgres";
  enrollment: Started & { url: string };
  proxy: EnrollmentProxy;
  clusterId: string;
  consoleOptions: ConsoleOptions;
  console: (Started & { url: string }) | null;
  cookie: string;
  databaseUrl?: string;
  startConsole(extra?: Partial<ConsoleOptions>): Promise<Started & { url: string }>;
  /** Opens the console's database directly (for PGlite only while no console runs). */
  withDb<T>(work: (db: Database) => Promise<T>): Promise<T>;
  snapshot(): Promise<ClusterSnapshot>;
  dispose(): Promise<void>;
}

export async function createStack(opts: {
  kind: "pglite" | "postgres";
  consoleEnv?: Record<string, string>;
  masterKey?: string;
  start?: boolean;
}): Promise<SystemStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-system-"));
  let pg: Awaited<ReturnType<typeof createPgDatabase>> | undefined;
  try {
    const enrollment = await startEnrollment({ dataDir: path.join(dir, "enrollment-service"), port: await freePort() });
    const proxy = await startEnrollmentProxy({ target: enrollment.url, enrollmentDataDir: path.join(dir, "enrollment-service") });
    if (opts.kind === "postgres") {
      const base = process.env.DATABASE_URL;
      if (!base) throw new Error("DATABASE_URL is required");
      pg = await createPgDatabase(base);
    }
    const dataDir = path.join(dir, "console");
    const prepared = await prepareConsoleData({ dataDir, enrollmentUrl: enrollment.url, databaseUrl: pg?.url, masterKey: opts.masterKey });
    const consoleOptions: ConsoleOptions = {
      dataDir,
      port: await freePort(),
      enrollmentUrl: proxy.url,
      databaseUrl: pg?.url,
      masterKey: opts.masterKey,
      extraEnv: opts.consoleEnv,
    };
    const stack: SystemStack = {
      dir,
      kind: opts.kind,
      enrollment,
      proxy,
      clusterId: prepared.clusterId,
      consoleOptions,
      console: null,
      cookie: "",
      databaseUrl: pg?.url,
      startConsole: async (extra = {}) => {
        stack.console = await startConsole({ ...consoleOptions, ...extra });
        return stack.console;
      },
      withDb: (work) => withDatabase({ dataDir, databaseUrl: pg?.url }, (db) => work(db)),
      snapshot: () => withDatabase({ dataDir, databaseUrl: pg?.url }, (db) => snapshot(db, prepared.clusterId)),
      dispose: async () => {
        killAllStarted();
        await proxy.close().catch(() => undefined);
        await pg?.drop().catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    if (opts.start !== false) {
      await stack.startConsole();
      stack.cookie = await signIn(stack.console?.url ?? "", ADMIN);
    }
    return stack;
  } catch (error) {
    killAllStarted();
    await pg?.drop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export function clusterPath(stack: SystemStack): string {
  return `/clusters/${stack.clusterId}`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
