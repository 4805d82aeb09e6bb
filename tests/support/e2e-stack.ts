// Playwright's webServer: a fresh data folder, the two test accounts, a web site without RMS, a seeded OpenLDAP directory (tests/support/slapd.ts)
// the console signs directory accounts in against, the enrollment service (HTTPS, policy open) and
// the console (as `npm run start:console` runs it, trusting a copy of the service's root from the data folder) on
// E2E_ENROLLMENT_PORT / E2E_CONSOLE_PORT, until Playwright stops it; then everything goes.
import "reflect-metadata";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "@/lib/platform/db/client";
import { webSites } from "@/lib/platform/db/schema";
import { tuneForShortLivedProcess } from "@/lib/platform/db/short-lived";
import {
  E2E_OWN_CLUSTER_WEB_SITES,
  E2E_PORTS,
  E2E_PROXY_ADDRESS,
  E2E_PUBLIC_URL,
  E2E_UNPROVISIONED_WEB_SITE,
  type E2eState,
  readE2eState,
  WEBHOOK_FILE,
  WEBHOOK_SECRET,
  writeE2eState,
} from "./e2e-state";
import {
  type ConsoleOptions,
  consoleEnv,
  runCli,
  startConsole,
  startEnrollment,
  terminateGroup,
  waitForGroupGone,
  waitForHttpGone,
} from "./processes";
import { SERVICE_DN, SERVICE_PASSWORD, startTestDirectory } from "./slapd";

async function startWebhookReceiver(file: string): Promise<{ url: string; server: http.Server }> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "");
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const line = {
        signature: req.headers["x-rms-signature"],
        timestamp: req.headers["x-rms-timestamp"],
        body: Buffer.concat(chunks).toString(),
      };
      fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/rms-hook`, server };
}

/** A web site besides the first run's "Default Web Site", without RMS, for the provisioning walkthrough. */
async function seedWebSites(dataDir: string): Promise<void> {
  const handle = await openDatabase({ dataDir });
  try {
    await handle.db.insert(webSites).values({ name: E2E_UNPROVISIONED_WEB_SITE, state: "started" });
  } finally {
    await handle.close();
  }
}

/** The web sites where the re-key and revocation walkthroughs provision their own clusters (through the pages). */
async function seedOwnClusterWebSites(dataDir: string): Promise<void> {
  const handle = await openDatabase({ dataDir });
  try {
    await handle.db.insert(webSites).values(Object.values(E2E_OWN_CLUSTER_WEB_SITES).map((name) => ({ name, state: "started" as const })));
  } finally {
    await handle.close();
  }
}

async function main(): Promise<void> {
  // This process opens the database only to seed it, before the console starts.
  tuneForShortLivedProcess();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-e2e-"));
  const enrollmentUrl = `https://127.0.0.1:${E2E_PORTS.enrollment}`;
  const directory = await startTestDirectory();
  // A webhook receiver for the console's notifications: each POST appended to a file the walkthroughs read.
  const webhook = await startWebhookReceiver(WEBHOOK_FILE);
  const consoleOptions: ConsoleOptions = {
    dataDir,
    port: E2E_PORTS.console,
    enrollmentUrl,
    via: "start-script",
    sweep: false,
    // The walkthroughs run on the embedded database, as `npm start` does (no databaseUrl).
    extraEnv: {
      RMS_ENROLLMENT_PORT: String(E2E_PORTS.enrollment),
      RMS_ENROLLMENT_TIMEOUT_MS: "5000",
      RMS_DOMAIN: "RMS",
      RMS_LDAP_URL: directory.ldapsUrl,
      RMS_LDAP_CA_FILE: directory.caFile,
      RMS_LDAP_BIND_DN: SERVICE_DN,
      RMS_LDAP_BIND_PASSWORD: SERVICE_PASSWORD,
      RMS_LDAP_USER_BASE: directory.userBase,
      RMS_LDAP_GROUP_BASE: directory.groupBase,
      RMS_NOTIFY_WEBHOOK_URL: webhook.url,
      RMS_NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // nginx in front (e2e/reverse-proxy.spec.ts) connects from its own address; the browser's direct requests
      // (127.0.0.1, every other walkthrough) stay untrusted and keep their own origin.
      RMS_PUBLIC_URL: E2E_PUBLIC_URL,
      RMS_TRUSTED_PROXIES: E2E_PROXY_ADDRESS,
    },
  };
  const admin = { userName: "alice", password: `Adm!n-${randomBytes(6).toString("hex")}-pass` };
  const user = { userName: "bob", password: `Us3r-${randomBytes(6).toString("hex")}-pass` };
  const env = consoleEnv(consoleOptions);
  runCli(env, ["user", "add", admin.userName, "--group", "Administrators", "--password-stdin", "--create"], `${admin.password}\n`);
  runCli(env, ["user", "add", user.userName, "--group", "Users", "--password-stdin"], `${user.password}\n`);
  await seedWebSites(dataDir);
  await seedOwnClusterWebSites(dataDir);

  const state: E2eState = {
    dataDir,
    consoleUrl: `http://127.0.0.1:${E2E_PORTS.console}`,
    enrollmentUrl,
    consolePid: 0,
    enrollmentPid: 0,
    admin,
    user,
    consoleOptions: { ...consoleOptions },
  };
  // The two processes are detached and unreferenced; this keeps the stack's own process alive until it is told to stop.
  const keepAlive = setInterval(() => undefined, 60_000);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    clearInterval(keepAlive);
    // A walkthrough may have restarted the enrollment service: the state file has its current process.
    const current = fs.existsSync(dataDir) ? readE2eState() : state;
    terminateGroup(current.consolePid);
    terminateGroup(current.enrollmentPid);
    // Gone means exited, not only no longer listening: the databases are closed (and their files written) by then.
    void Promise.all([
      waitForHttpGone(`${state.consoleUrl}/sign-in`, 10_000),
      waitForHttpGone(`${enrollmentUrl}/healthz`, 10_000),
      waitForGroupGone(current.consolePid, 15_000),
      waitForGroupGone(current.enrollmentPid, 15_000),
    ])
      .catch((error: unknown) => console.error(String(error)))
      .finally(async () => {
        await directory.stop().catch((error: unknown) => console.error(String(error)));
        webhook.server.close();
        fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
        process.exit(0);
      });
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  state.enrollmentPid = (await startEnrollment({ dataDir, port: E2E_PORTS.enrollment, sweep: false })).pid;
  writeE2eState(state);
  state.consolePid = (await startConsole(consoleOptions)).pid;
  writeE2eState(state);
  console.log(`[e2e] console ${state.consoleUrl}, enrollment service ${enrollmentUrl}, data ${dataDir}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
