// `npm start`: the console, with the bundled enrollment service beside it unless RMS_ENROLLMENT_URL names another one;
// `npm run start:console` (--console-only): the console alone, serving pages even while the service is unreachable.
// On first run: migrate and provision the demo. Trust anchors come from disk, never from the network.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { consoleOrigin, reachableHost } from "@/lib/console/config/console-origin";
import { type Env, loadEnv } from "@/lib/console/env";
import { type EnrollmentFailure, exchange } from "@/lib/console/renewal/enrollment-client";
import { checkTrustAnchorFile, installBundledRoot, loadTrustAnchors } from "@/lib/console/renewal/trust-anchors";
import { type EnrollmentConfig, loadEnrollmentConfig } from "@/lib/enrollment/config";
import { embeddedDatabaseExists } from "@/lib/platform/db/embedded";
import { isWildcardHost } from "@/lib/platform/http/host-rules";
import { compiledScript } from "@/lib/platform/workers/compiled-script";

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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Why a look at the service's /healthz failed, briefly, for a log line. */
function failureLine(failure: EnrollmentFailure): string {
  switch (failure.kind) {
    case "unreachable":
    case "timeout":
    case "tls_failed":
    case "bad_response":
    case "proxy_unusable":
      return `${failure.kind}: ${failure.detail}`;
    case "proxy_unreachable":
    case "proxy_auth_required":
    case "proxy_refused":
    case "proxy_timeout":
      return `${failure.kind} (proxy ${failure.proxy}): ${failure.detail}`;
    case "untrusted":
      return `untrusted: its TLS certificate does not chain to the trust anchors or names another host (${failure.code}); check RMS_TRUST_ANCHORS`;
    case "misdirected":
      return "it does not serve that host name (HTTP 421)";
    case "conflict":
      return "HTTP 409";
    case "busy":
    case "server_error":
    case "rejected":
      return `HTTP ${failure.status}`;
  }
}

/** The bundled service is this script's own child: wait for its root on disk, then for /healthz verified with that root. */
async function waitForBundledService(url: string, rootPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "its root certificate was not created";
  while (Date.now() < deadline) {
    if (stopping) fail("The bundled enrollment service did not start.");
    if (fs.existsSync(rootPath)) {
      const root = fs.readFileSync(rootPath, "utf8");
      const response = await exchange(`${url}/healthz`, { method: "GET" }, { connectTimeoutMs: 1_000, totalTimeoutMs: 5_000, ca: [root] });
      if (response.ok) return;
      last = failureLine(response);
    }
    await pause(150);
  }
  fail(`The bundled enrollment service did not answer at ${url} within ${timeoutMs / 1000} s (${last}).`);
}

/** Any HTTP answer below 500 from the console (a 421 for a Host it does not list still means it is up). */
async function waitForConsole(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) fail("The console did not start.");
    const status = await new Promise<number>((resolve) => {
      const request = http.get(url, { agent: false, timeout: 5_000 }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("timeout", () => request.destroy());
      request.on("error", () => resolve(0));
    });
    if (status > 0 && status < 500) return;
    await pause(150);
  }
  fail(`The console did not answer at ${url} within ${timeoutMs / 1000} s.`);
}

/**
 * Bundled mode: starts the service (policy `open` unless RMS_ENROLLMENT_POLICY says otherwise: this setup is the demo),
 * waits for it, and installs its root from its data folder as the console's trust anchor when none is installed yet.
 */
async function startBundledService(env: Env, config: EnrollmentConfig): Promise<string> {
  const url = `https://${reachableHost(config.host)}:${config.port}`;
  const policy = process.env.RMS_ENROLLMENT_POLICY || "open";
  log(
    `Starting the bundled enrollment service at ${url} (data ${config.dataDir}, policy ${policy}${policy === "open" ? ": signs every request at once, for demos" : ""}).`,
  );
  run("enrollment service", [compiledScript(path.join("scripts", "enrollment.ts"))], {
    ...process.env,
    RMS_DATA_DIR: env.dataDir,
    RMS_ENROLLMENT_POLICY: policy,
  });
  const rootPath = path.join(config.dataDir, "ca", "root.pem");
  await waitForBundledService(url, rootPath, 120_000);
  const installed = installBundledRoot({ rootPath, trustAnchorsPath: env.trustAnchorsPath, pin: env.RMS_TRUST_ANCHOR_SHA256 });
  if (!installed.ok) fail(installed.message);
  if (installed.installed) {
    log(
      `Trusting the bundled enrollment service's root (SHA-256 ${installed.fingerprint}), copied from ${rootPath} to ${env.trustAnchorsPath}.`,
    );
  } else {
    const check = checkTrustAnchorFile(env.trustAnchorsPath, env.RMS_TRUST_ANCHOR_SHA256);
    if (check.ok && !check.fingerprints.includes(installed.fingerprint)) {
      log(
        `Warning: ${env.trustAnchorsPath} does not hold the bundled enrollment service's root (SHA-256 ${installed.fingerprint}); ` +
          `online renewal will refuse the service until that root is added (it is at ${rootPath}).`,
      );
    }
  }
  return url;
}

/** Console-only, or a service named by RMS_ENROLLMENT_URL: one look, one line, never a wait — the console serves regardless. */
async function describeExternalService(url: string, anchors: string[]): Promise<void> {
  const response = await exchange(`${url}/healthz`, { method: "GET" }, { connectTimeoutMs: 2_000, totalTimeoutMs: 5_000, ca: anchors });
  if (response.ok) {
    log(`Enrollment service: ${url} (reachable, TLS certificate verified against the trust anchors).`);
    return;
  }
  log(
    `The enrollment service at ${url} cannot be used right now (${failureLine(response)}); the console starts anyway — ` +
      "online renewal reports this until it is fixed, and Offline renewal works meanwhile.",
  );
}

/**
 * The start's database work (scripts/start-database.ts) runs in a child process that exits when done: the supervisor
 * never holds a database (PGlite's WebAssembly heap stays with whoever opened it, at least until a full GC). The child
 * prints its own lines; its failure ends the start with its exit code. Resolves with the setup link it sends, if any.
 */
function databaseStep(args: string[]): Promise<SetupLink | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [compiledScript(path.join("scripts", "start-database.ts")), ...args], {
      env: process.env,
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    children.add(child);
    let link: SetupLink | null = null;
    child.on("message", (message: { link?: unknown; minutes?: unknown }) => {
      if (typeof message.link === "string" && typeof message.minutes === "number") link = { url: message.link, minutes: message.minutes };
    });
    child.on("exit", (code, signal) => {
      children.delete(child);
      if (code === 0) return resolve(link);
      if (stopping) return;
      // An exit code means the step said why (one line, or Node's own report of a crash); a signal leaves no word.
      if (signal) console.error(`[rms] The database step stopped (${signal}); the console did not start.`);
      stopAll(code ?? 1);
      process.exit(code ?? 1);
    });
  });
}

interface SetupLink {
  url: string;
  minutes: number;
}

const BUILD_PROGRESS_MS = 10_000;

/**
 * The environment of the start's one build: no telemetry, and no Turbopack build cache (next.config.js reads
 * RMS_BUILD_CACHE) — it only speeds up a later rebuild, and writing it held up the end of the first start.
 */
export function firstBuildEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...base, NEXT_TELEMETRY_DISABLED: "1", RMS_BUILD_CACHE: "off" };
}

/**
 * The first start's build: its output passed through as it comes, and a line every `progressMs` with the time so far, so
 * whoever waits sees it working through the build's silent stretches (compiling, collecting pages).
 */
export function buildConsole(opts: {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  progressMs?: number;
  log?: (message: string) => void;
  write?: (chunk: Buffer) => void;
}): Promise<{ ok: boolean; seconds: number }> {
  const say = opts.log ?? log;
  const write = opts.write ?? ((chunk: Buffer) => process.stdout.write(chunk));
  const started = Date.now();
  const seconds = () => Math.round((Date.now() - started) / 1000);
  return new Promise((resolve) => {
    const build = spawn(opts.command, opts.args, { env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    build.stdout.on("data", write);
    build.stderr.on("data", write);
    const progress = setInterval(() => say(`Still building the console: ${seconds()} s so far…`), opts.progressMs ?? BUILD_PROGRESS_MS);
    let finished = false;
    const done = (ok: boolean) => {
      if (finished) return;
      finished = true;
      clearInterval(progress);
      resolve({ ok, seconds: seconds() });
    };
    build.on("error", (error) => {
      say(`The build could not be started: ${error.message}`);
      done(false);
    });
    build.on("close", (code) => done(code === 0));
  });
}

/** The last lines of the start: nothing the console prints afterwards at start-up can push the link out of sight. */
function printSetupLink(link: SetupLink): void {
  const rule = "=".repeat(78);
  log(rule);
  log(`No administrator exists yet. Create the first one (link valid for ${link.minutes} minutes, single use):`);
  log("");
  log(`    ${link.url}`);
  log("");
  log("Or: npm run rms -- user add <name> --group Administrators --password-stdin");
  log("A new link, if this one expires: npm run rms -- setup-link");
  log(rule);
}

async function main(): Promise<void> {
  const loaded = loadEnv(process.env);
  if (!loaded.ok) fail(loaded.message, 2);
  const { env } = loaded;
  // The bundled service runs only for `npm start` without RMS_ENROLLMENT_URL; its settings are checked first, so a bad
  // value stops the start before anything runs.
  const consoleOnly = process.argv.includes("--console-only");
  const bundled = !consoleOnly && !env.RMS_ENROLLMENT_URL;
  let enrollmentConfig: EnrollmentConfig | null = null;
  if (bundled) {
    const checked = loadEnrollmentConfig({ ...process.env, RMS_DATA_DIR: env.dataDir });
    if (!checked.ok) fail(checked.message, 2);
    enrollmentConfig = checked.config;
  }
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  // A new data folder's embedded database holds nothing encrypted yet: nothing to check, and no database to create twice.
  if (env.DATABASE_URL || embeddedDatabaseExists(env.dataDir)) await databaseStep(["check"]);

  const nextBin = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");
  if (!fs.existsSync(path.join(process.cwd(), ".next", "BUILD_ID"))) {
    log(
      "Building the console: first start only, about a minute on an idle 2-core machine (`npm run build` rebuilds it; " +
        "type-checking is `npm run check`). Progress every 10 s:",
    );
    const built = await buildConsole({
      command: process.execPath,
      args: [nextBin, "build"],
      env: firstBuildEnv(process.env),
    });
    if (!built.ok) fail(`\`next build\` failed after ${built.seconds} s; see above.`);
    log(`Built the console in ${built.seconds} s.`);
  }

  let enrollmentUrl = env.enrollmentUrl;
  if (enrollmentConfig) enrollmentUrl = await startBundledService(env, enrollmentConfig);
  else if (consoleOnly) log(`Console only: the enrollment service is expected at ${enrollmentUrl} (RMS_ENROLLMENT_URL).`);
  else log(`Using the enrollment service at ${enrollmentUrl} (RMS_ENROLLMENT_URL); the bundled one is not started.`);

  const trust = checkTrustAnchorFile(env.trustAnchorsPath, env.RMS_TRUST_ANCHOR_SHA256);
  if (!trust.ok) fail(`${trust.message} The console did not start.`);
  if (!enrollmentConfig) await describeExternalService(enrollmentUrl, loadTrustAnchors(env.trustAnchorsPath));

  if (!env.RMS_ALLOWED_HOSTS && !env.publicUrl && isWildcardHost(env.HOST)) {
    log(
      `HOST is ${env.HOST}: the console answers only localhost, 127.0.0.1 and [::1]; set RMS_PUBLIC_URL (or RMS_ALLOWED_HOSTS) to the address clients use.`,
    );
  }

  const link = await databaseStep(["prepare", enrollmentUrl]);

  run("console", [compiledScript(path.join("scripts", "console-server.ts"))], {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    RMS_DATA_DIR: env.dataDir,
    RMS_ENROLLMENT_URL: enrollmentUrl,
    RMS_TRUST_ANCHORS: env.trustAnchorsPath,
  });
  await waitForConsole(`http://${reachableHost(env.HOST)}:${env.PORT}/sign-in`, 60_000);
  log(`RMS Administration console: ${consoleOrigin(env)}  (enrollment service: ${enrollmentUrl})`);
  if (link) printSetupLink(link);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
}
