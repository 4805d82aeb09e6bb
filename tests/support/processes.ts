// The one process harness of the system tests, the e2e stack and the benchmarks: free loopback ports, the enrollment
// service and the console as child processes in their own groups, readiness by polling, and a sweep that kills them all.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { compiledScript } from "@/lib/platform/workers/compiled-script";
import { request } from "./https-client";

export const ROOT = process.cwd();

/**
 * Node's arguments to run one of the project's programs (`scripts/<name>.ts`) the way `npm start` runs its programs: as
 * its compiled bundle (lib/platform/workers/compiled-script.ts), built once per change of its sources — no TypeScript
 * loader started per spawn.
 */
export function program(name: string, ...args: string[]): string[] {
  return [compiledScript(path.join("scripts", `${name}.ts`), ROOT), ...args];
}
const started = new Set<number>();

/** SIGKILLs every process group this test file started (safe to call twice; also runs on exit). */
export function killAllStarted(): void {
  for (const pid of started) {
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  started.clear();
}
process.once("exit", killAllStarted);

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface Started {
  pid: number;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log: string;
}

/**
 * Spawns node with args in its own process group, output appended to logFile. `sweep: false` leaves it out of the
 * exit sweep, for a process that must outlive this one (the e2e stack owns and stops it).
 */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv, logFile: string, opts: { sweep?: boolean } = {}): Started {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", out, out], detached: true });
  fs.closeSync(out);
  if (!child.pid) throw new Error(`could not start node ${args.join(" ")}`);
  const pid = child.pid;
  if (opts.sweep === false) child.unref();
  else started.add(pid);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      started.delete(pid);
      resolve({ code, signal });
    });
  });
  return { pid, child, exited, log: logFile };
}

/** kill -9 of the whole process group; resolves once the leader is gone. */
export async function kill9(proc: Started): Promise<void> {
  try {
    process.kill(-proc.pid, "SIGKILL");
  } catch {
    // already gone
  }
  await proc.exited;
}

/**
 * Polls until url answers below 500. An https:// URL is verified against the PEM file `caFile` (read on every attempt:
 * the enrollment service writes its root when it first starts), never left unverified.
 */
export async function waitForHttp(url: string, timeoutMs: number, proc?: Started, opts: { caFile?: string } = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  let last = "";
  void proc?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${url}: the process exited before answering; log:\n${proc ? tail(proc.log) : ""}`);
    try {
      const ca = opts.caFile && fs.existsSync(opts.caFile) ? fs.readFileSync(opts.caFile, "utf8") : undefined;
      if (!url.startsWith("https:") || ca) {
        const response = await request(url, { ca, timeoutMs: 3_000 });
        if (response.status < 500) return;
        last = `HTTP ${response.status}`;
      }
    } catch (error) {
      // not up yet (a TLS failure is kept: it says why, if it never comes up)
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms (${last || "nothing"})${proc ? `; log:\n${tail(proc.log)}` : ""}`);
}

function tail(file: string, chars = 3_000): string {
  try {
    const text = fs.readFileSync(file, "utf8");
    return text.slice(-chars);
  } catch {
    return "(no log)";
  }
}

/** SIGTERM to a process group by its leader's id (a process another harness process started). */
export function terminateGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
}

/** Polls until no process of the group is left (it finished closing its files), for at most timeoutMs. */
export async function waitForGroupGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port right now. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Polls until nothing accepts connections at url's host and port any more (the process behind it has stopped listening). */
export async function waitForHttpGone(url: string, timeoutMs: number): Promise<void> {
  const { hostname, port, protocol } = new URL(url);
  const target = { host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || (protocol === "https:" ? 443 : 80)) };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const listening = await new Promise<boolean>((resolve) => {
      const socket = net.connect(target);
      socket.setTimeout(500, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (!listening) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} still answers after ${timeoutMs} ms`);
}

/** What a program printed, and how it ended. */
export interface ProgramRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the project's programs (`program`) to its end with exactly `env`, stdin closed. */
export function runProgram(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, program(name, ...args), { cwd: ROOT, env, stdio: "pipe" });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** `npm run rms -- <args>` against a data folder, with stdin (for --password-stdin); throws with its output on failure. */
export function runCli(env: NodeJS.ProcessEnv, args: string[], stdin = ""): void {
  const result = spawnSync(process.execPath, program("rms", ...args), {
    cwd: ROOT,
    env,
    input: stdin,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`rms ${args.join(" ")} failed: ${result.stdout}${result.stderr}`);
}

/** Where the enrollment service started with RMS_DATA_DIR=dataDir keeps its root certificate (the trust anchor). */
export function enrollmentRootPath(dataDir: string): string {
  return path.join(dataDir, "enrollment", "ca", "root.pem");
}

/**
 * The enrollment service (scripts/enrollment.ts) on its own port and data folder, over HTTPS; ready once /healthz
 * answers, verified with the root it wrote to its data folder. Policy `open` (immediate issuance) unless `policy` says.
 */
export async function startEnrollment(opts: {
  dataDir: string;
  port: number;
  sweep?: boolean;
  policy?: "open" | "approval";
  extraEnv?: Record<string, string>;
  /**
   * A new, empty PGlite cluster (the run's `pgliteBlank`) copied in as the service's store before it starts, where the
   * store is not what the test is about: the service migrates it as on a first start, without the ≈ 6 s of initdb.
   */
  blankStore?: string;
}): Promise<Started & { url: string; rootPath: string }> {
  const storeDir = path.join(opts.dataDir, "enrollment", "db", "pglite");
  if (opts.blankStore && !fs.existsSync(storeDir)) fs.cpSync(opts.blankStore, storeDir, { recursive: true });
  const proc = spawnNode(
    program("enrollment"),
    {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      HOST: "127.0.0.1",
      RMS_DATA_DIR: opts.dataDir,
      RMS_ENROLLMENT_PORT: String(opts.port),
      RMS_ENROLLMENT_POLICY: opts.policy ?? "open",
      ...opts.extraEnv,
    },
    path.join(opts.dataDir, "enrollment.log"),
    { sweep: opts.sweep },
  );
  const url = `https://127.0.0.1:${opts.port}`;
  const rootPath = enrollmentRootPath(opts.dataDir);
  await waitForHttp(`${url}/healthz`, 60_000, proc, { caFile: rootPath });
  return { ...proc, url, rootPath };
}

export interface ConsoleOptions {
  dataDir: string;
  port: number;
  enrollmentUrl: string;
  databaseUrl?: string;
  masterKey?: string;
  extraEnv?: Record<string, string>;
  logName?: string;
  /** `start-script`: scripts/start.ts --console-only, which migrates and provisions the demo first (as `npm start`). */
  via?: "next" | "start-script";
  sweep?: boolean;
  /**
   * PEM files the console trusts, copied into its trust-anchor file by startConsole; by default the root of the
   * enrollment service started on the same data folder (never a download).
   */
  trustRoots?: string[];
}

/** The console's trust-anchor file in its data folder (RMS_TRUST_ANCHORS of consoleEnv). */
export function trustAnchorsPath(dataDir: string): string {
  return path.join(dataDir, "trust-anchors.pem");
}

/**
 * Writes the console's trust-anchor file from `trustRoots`, or, when none are given and the file does not exist yet,
 * from the enrollment root in the same data folder; a root that is not there is a clear error.
 */
export function writeTrustAnchors(opts: Pick<ConsoleOptions, "dataDir" | "trustRoots">): void {
  const file = trustAnchorsPath(opts.dataDir);
  if (!opts.trustRoots && fs.existsSync(file)) return;
  const roots = opts.trustRoots ?? [enrollmentRootPath(opts.dataDir)];
  const missing = roots.filter((root) => !fs.existsSync(root));
  if (missing.length > 0)
    throw new Error(`no trust anchor for the console: ${missing.join(", ")} does not exist (start the enrollment service first)`);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  fs.writeFileSync(file, `${roots.map((root) => fs.readFileSync(root, "utf8").trim()).join("\n")}\n`);
}

export function consoleEnv(opts: ConsoleOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(opts.port),
    RMS_DATA_DIR: opts.dataDir,
    RMS_ENROLLMENT_URL: opts.enrollmentUrl,
    RMS_TRUST_ANCHORS: trustAnchorsPath(opts.dataDir),
    ...(opts.masterKey ? { RMS_MASTER_KEY: opts.masterKey } : {}),
    ...opts.extraEnv,
  };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  else delete env.DATABASE_URL;
  return env;
}

/**
 * By default the console server directly (as scripts/start.ts runs it), so kill -9 hits the console process itself; with
 * `via: "start-script"` the way `npm start` runs it, first run included.
 */
export async function startConsole(opts: ConsoleOptions): Promise<Started & { url: string }> {
  writeTrustAnchors(opts);
  const args = opts.via === "start-script" ? program("start", "--console-only") : program("console-server");
  const proc = spawnNode(args, consoleEnv(opts), path.join(opts.dataDir, opts.logName ?? "console.log"), { sweep: opts.sweep });
  const url = `http://127.0.0.1:${opts.port}`;
  await waitForHttp(`${url}/sign-in`, 120_000, proc);
  return { ...proc, url };
}
