// System-test processes: free loopback ports, child processes in their own groups, and a sweep that kills them all.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";

export const ROOT = process.cwd();
const NEXT_BIN = path.join(ROOT, "node_modules", "next", "dist", "bin", "next");

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

/** Spawns node with args in its own process group, output appended to logFile. */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv, logFile: string): Started {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ["ignore", out, out], detached: true });
  fs.closeSync(out);
  if (!child.pid) throw new Error(`could not start node ${args.join(" ")}`);
  const pid = child.pid;
  started.add(pid);
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

export async function stopGracefully(proc: Started, timeoutMs = 10_000): Promise<void> {
  try {
    process.kill(-proc.pid, "SIGTERM");
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {
      // gone
    }
  }, timeoutMs);
  await proc.exited;
  clearTimeout(timer);
}

export async function waitForHttp(url: string, timeoutMs: number, proc?: Started): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${url}: the process exited before answering; log:\n${proc ? tail(proc.log) : ""}`);
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(3_000) });
      await response.arrayBuffer();
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms${proc ? `; log:\n${tail(proc.log)}` : ""}`);
}

export function tail(file: string, chars = 3_000): string {
  try {
    const text = fs.readFileSync(file, "utf8");
    return text.slice(-chars);
  } catch {
    return "(no log)";
  }
}

/** The enrollment service (scripts/enrollment.ts) on its own port and data folder. */
export async function startEnrollment(opts: { dataDir: string; port: number }): Promise<Started & { url: string }> {
  const proc = spawnNode(
    ["--import", "tsx", "scripts/enrollment.ts"],
    {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      HOST: "127.0.0.1",
      RMS_DATA_DIR: opts.dataDir,
      RMS_ENROLLMENT_PORT: String(opts.port),
    },
    path.join(opts.dataDir, "enrollment.log"),
  );
  const url = `http://127.0.0.1:${opts.port}`;
  await waitForHttp(`${url}/healthz`, 60_000, proc);
  return { ...proc, url };
}

export interface ConsoleOptions {
  dataDir: string;
  port: number;
  enrollmentUrl: string;
  databaseUrl?: string;
  masterKey?: string;
  extraEnv?: Record<string, string>;
  logName?: string;
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
    RMS_TRUST_ANCHORS: path.join(opts.dataDir, "trust-anchors.pem"),
    ...(opts.masterKey ? { RMS_MASTER_KEY: opts.masterKey } : {}),
    ...opts.extraEnv,
  };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  else delete env.DATABASE_URL;
  return env;
}

/** `next start` directly (as scripts/start.ts runs it), so kill -9 hits the console process itself. */
export async function startConsole(opts: ConsoleOptions): Promise<Started & { url: string }> {
  const proc = spawnNode(
    [NEXT_BIN, "start", "-H", "127.0.0.1", "-p", String(opts.port)],
    consoleEnv(opts),
    path.join(opts.dataDir, opts.logName ?? "console.log"),
  );
  const url = `http://127.0.0.1:${opts.port}`;
  await waitForHttp(`${url}/sign-in`, 90_000, proc);
  return { ...proc, url };
}
