// One system-test stack: enrollment service, a proxy in front of it, a prepared console database, the console, and
// a Chromium signed in as the administrator (server actions are sent by it, or replayed from what it sent).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import type { Database } from "@/lib/platform/db/client";
import { translatorFor } from "@/lib/platform/i18n/messages";
import type { CapturedAction } from "../../support/browser-actions";
import { blankPglite } from "../../support/databases";
import { type ConsoleOptions, freePort, killAllStarted, type Started, startConsole, startEnrollment } from "../../support/processes";
import { captureRenewOnline, launchBrowser, signInPage } from "./browser";
import { ADMIN, type ClusterSnapshot, createPgDatabase, prepareConsoleData, snapshot, withDatabase } from "./data";
import { type EnrollmentProxy, startEnrollmentProxy } from "./enrollment-proxy";

export const t = translatorFor("en");

export function databaseKinds(): Array<"pglite" | "postgres"> {
  return process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];
}

export interface SystemStack {
  dir: string;
  kind: "pglite" | "postgres";
  enrollment: Started & { url: string; rootPath: string };
  proxy: EnrollmentProxy;
  clusterId: string;
  consoleOptions: ConsoleOptions;
  console: (Started & { url: string }) | null;
  cookie: string;
  /** Chromium, and the administrator's page in it (after the console started). */
  browser: Browser;
  page: Page | null;
  databaseUrl?: string;
  /** Signs the administrator in through the form (stack.page, stack.cookie). */
  signInAdmin(): Promise<void>;
  /** The browser's own Renew → Online → Renew request, for replaying. */
  captureRenewOnline(): Promise<CapturedAction>;
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
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    const enrollment = await startEnrollment({
      dataDir: path.join(dir, "enrollment-service"),
      port: await freePort(),
      blankStore: blankPglite(),
    });
    const proxy = await startEnrollmentProxy({
      target: enrollment.url,
      targetCa: fs.readFileSync(enrollment.rootPath, "utf8"),
      enrollmentDataDir: path.join(dir, "enrollment-service"),
    });
    // The console trusts the service's root (for its SLCs and TLS) and the proxy's own TLS root (it sits in between).
    const proxyRootPath = path.join(dir, "proxy-tls-root.pem");
    fs.writeFileSync(proxyRootPath, proxy.tlsRootPem);
    if (opts.kind === "postgres") {
      const base = process.env.DATABASE_URL;
      if (!base) throw new Error("DATABASE_URL is required");
      pg = await createPgDatabase(base);
    }
    const dataDir = path.join(dir, "console");
    const prepared = await prepareConsoleData({
      dataDir,
      enrollmentUrl: enrollment.url,
      trustRoots: [enrollment.rootPath, proxyRootPath],
      databaseUrl: pg?.url,
      masterKey: opts.masterKey,
    });
    const consoleOptions: ConsoleOptions = {
      dataDir,
      port: await freePort(),
      enrollmentUrl: proxy.url,
      databaseUrl: pg?.url,
      masterKey: opts.masterKey,
      // These suites are about faults, load and concurrency, not about the small-gain question: renewals install at once.
      extraEnv: { RMS_RENEW_CONFIRM_DAYS_LEFT: "off", ...opts.consoleEnv },
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
      browser,
      page: null,
      databaseUrl: pg?.url,
      signInAdmin: async () => {
        await stack.page?.context().close();
        const signedIn = await signInPage(stack.browser, stack.console?.url ?? "", ADMIN);
        stack.page = signedIn.page;
        stack.cookie = signedIn.cookie;
      },
      captureRenewOnline: async () => {
        if (!stack.page) await stack.signInAdmin();
        if (!stack.page) throw new Error("no administrator page");
        return captureRenewOnline(stack.page, clusterPath(stack));
      },
      startConsole: async (extra = {}) => {
        stack.console = await startConsole({ ...consoleOptions, ...extra });
        return stack.console;
      },
      withDb: (work) => withDatabase({ dataDir, databaseUrl: pg?.url }, (db) => work(db)),
      snapshot: () => withDatabase({ dataDir, databaseUrl: pg?.url }, (db) => snapshot(db, prepared.clusterId)),
      dispose: async () => {
        killAllStarted();
        await stack.browser.close().catch(() => undefined);
        await proxy.close().catch(() => undefined);
        await pg?.drop().catch(() => undefined);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
    if (opts.start !== false) {
      await stack.startConsole();
      await stack.signInAdmin();
    }
    return stack;
  } catch (error) {
    killAllStarted();
    await browser?.close().catch(() => undefined);
    await pg?.drop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export function clusterPath(stack: SystemStack): string {
  return `/clusters/${stack.clusterId}`;
}

/** A deliberate pause that is not synchronisation: pacing a request rate, or landing a kill at a random moment. */
export const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
