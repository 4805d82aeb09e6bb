// `npm start`: the enrollment service and the console side by side; on first run, migrate and provision the demo.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createSetupToken, needsSetup } from "@/lib/auth/setup-tokens";
import { type DatabaseHandle, migrateDatabase, openDatabase, withStartupLock } from "@/lib/db/client";
import { loadEnrollmentConfig } from "@/lib/enrollment/config";
import { type Env, loadEnv } from "@/lib/env";
import { DEMO_SLC_VALIDITY_DAYS, firstRunKeyEncryptionKey, provisionFirstRun, trustEnrollmentRoot } from "@/lib/provisioning/first-run";
import { exchange } from "@/lib/renewal/enrollment-client";
import { failureAuditDetails } from "@/lib/renewal/failures";
import { loadTrustAnchors } from "@/lib/renewal/trust-anchors";
import { localServerName } from "@/lib/server-identity";

const children = new Set<ChildProcess>();
let stopping = false;

function log(message: string): void {
  console.log(`[rms] ${message}`);
}

function fail(message: string, code = 1): never {
  console.error(`[rms] ${message}`);
  stopAll(code);
  process.exit(code);
}

function stopAll(code: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill("SIGTERM");
  setTimeout(() => process.exit(code), 5_000).unref();
}

function run(name: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "inherit", "inherit"] });
  children.add(child);
  child.on("exit", (code, signal) => {
    children.delete(child);
    if (stopping) {
      if (children.size === 0) process.exit(0);
      return;
    }
    console.error(`[rms] The ${name} stopped (${signal ?? `exit code ${code}`}); stopping everything.`);
    stopAll(code === 0 ? 1 : (code ?? 1));
  });
  return child;
}

async function waitFor(url: string, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) fail(`The ${what} did not start.`);
    try {
      const response = await exchange(url, { method: "GET" }, { connectTimeoutMs: 1_000, totalTimeoutMs: 5_000 });
      if (response.ok || (response.kind !== "unreachable" && response.kind !== "timeout" && response.kind !== "server_error")) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  fail(`The ${what} did not answer at ${url} within ${timeoutMs / 1000} s.`);
}

/**
 * Migrates, trusts the enrollment service's root, provisions the demo on first run (enrolled over the service's HTTP
 * API: this process never holds CA keys), and offers a setup link when no admin exists.
 */
async function prepareDatabase(handle: DatabaseHandle, env: Env, enrollmentUrl: string): Promise<void> {
  await migrateDatabase(handle);
  const http = { connectTimeoutMs: 3_000, totalTimeoutMs: 30_000 };
  const trusted = await trustEnrollmentRoot({ trustAnchorsPath: env.trustAnchorsPath, enrollmentUrl, http });
  if (!trusted.ok) fail(trusted.detail);
  if (trusted.downloaded) log(`Trusting the enrollment service's root certificate (${env.trustAnchorsPath}).`);

  const kek = await firstRunKeyEncryptionKey(handle.db, { dataDir: env.dataDir, masterKey: env.RMS_MASTER_KEY });
  const firstRun = await provisionFirstRun(
    {
      db: handle.db,
      kek: () => kek,
      trustAnchors: () => loadTrustAnchors(env.trustAnchorsPath),
      enrollmentUrl,
      http,
      now: () => new Date(),
      leaseMs: http.totalTimeoutMs + 30_000,
    },
    { serverName: localServerName(), validityDays: DEMO_SLC_VALIDITY_DAYS },
  );
  if (!firstRun.ok) {
    fail(
      `First run: the enrollment service at ${enrollmentUrl} did not enroll the demo cluster (${JSON.stringify(failureAuditDetails(firstRun))}). ` +
        "The cluster is kept: start again and use Enroll in Cluster resources.",
    );
  }
  if (firstRun.provisioned) {
    const days = Math.round((firstRun.validUntil.getTime() - Date.now()) / 86_400_000);
    log(`First run: created "Default Web Site" with a demo cluster whose SLC expires in ${days} days.`);
  }
  if (await needsSetup(handle.db)) {
    const token = await createSetupToken(handle.db, { now: new Date(), ttlMinutes: 60 });
    log("No administrator exists yet. Create the first one (link valid for 60 minutes, single use):");
    log(`  http://${env.HOST}:${env.PORT}/setup?token=${token}`);
    log("  or: npm run rms -- user add <name> --group Administrators --password-stdin");
  }
}

async function main(): Promise<void> {
  const loaded = loadEnv(process.env);
  if (!loaded.ok) fail(loaded.message, 2);
  const { env } = loaded;
  // The bundled service's own settings are checked here too, so a bad value stops the start before anything runs.
  const enrollmentConfig = loadEnrollmentConfig({ ...process.env, RMS_DATA_DIR: env.dataDir });
  if (!enrollmentConfig.ok) fail(enrollmentConfig.message, 2);
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));

  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  if (!fs.existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
    log("Building the console (first start only; `npm run build` rebuilds it)…");
    await new Promise<void>((resolve) => {
      const build = spawn(process.execPath, [nextBin, "build"], {
        stdio: "inherit",
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      });
      build.on("exit", (code) => (code === 0 ? resolve() : fail("`next build` failed; see above.")));
    });
  }

  // --console-only: the enrollment service runs as its own process (tests, or a separate signing station).
  const consoleOnly = process.argv.includes("--console-only");
  const enrollmentUrl = consoleOnly ? env.enrollmentUrl : `http://${enrollmentConfig.config.host}:${enrollmentConfig.config.port}`;
  if (!consoleOnly) {
    run("enrollment service", ["--import", "tsx", path.join("scripts", "enrollment.ts")], {
      ...process.env,
      RMS_DATA_DIR: env.dataDir,
    });
  }
  await waitFor(`${enrollmentUrl}/healthz`, "enrollment service", 60_000);

  const handle = await openDatabase({ dataDir: env.dataDir, databaseUrl: env.DATABASE_URL }).catch((error: unknown) =>
    fail(error instanceof Error ? error.message : String(error)),
  );
  try {
    await withStartupLock(handle, () => prepareDatabase(handle, env, enrollmentUrl));
  } finally {
    await handle.close();
  }

  run("console", [nextBin, "start", "-H", env.HOST, "-p", String(env.PORT)], {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    RMS_DATA_DIR: env.dataDir,
    RMS_ENROLLMENT_URL: enrollmentUrl,
    RMS_TRUST_ANCHORS: env.trustAnchorsPath,
  });
  await waitFor(`http://${env.HOST}:${env.PORT}/sign-in`, "console", 60_000);
  log(`RMS Administration console: http://${env.HOST}:${env.PORT}  (enrollment service: ${enrollmentUrl})`);
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
