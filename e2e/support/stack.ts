// Starts and stops the processes under test: the enrollment service and the console, on their own ports and data folder.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

export interface StackState {
  dataDir: string;
  consoleUrl: string;
  enrollmentUrl: string;
  enrollmentPort: number;
  consolePid: number;
  enrollmentPid: number;
  admin: { userName: string; password: string };
  user: { userName: string; password: string };
}

const ROOT = process.cwd();
export const STATE_FILE = path.join(ROOT, "test-results", "e2e-stack.json");
const CONSOLE_PORT = Number(process.env.E2E_CONSOLE_PORT ?? 3100);
const ENROLLMENT_PORT = Number(process.env.E2E_ENROLLMENT_PORT ?? 3101);

export function readState(): StackState {
  return JSON.parse(fs.readFileSync(STATE_FILE, "utf8")) as StackState;
}

function writeState(state: StackState): void {
  fs.mkdirSync(path.dirname(STATE_FILE), { recursive: true });
  fs.writeFileSync(STATE_FILE, JSON.stringify(state, null, 2));
}

function baseEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    HOST: "127.0.0.1",
    PORT: String(CONSOLE_PORT),
    RMS_ENROLLMENT_PORT: String(ENROLLMENT_PORT),
    RMS_ENROLLMENT_URL: `http://127.0.0.1:${ENROLLMENT_PORT}`,
    RMS_DATA_DIR: dataDir,
    RMS_ENROLLMENT_TIMEOUT_MS: "5000",
  };
  // The walkthroughs run on the embedded database, as `npm start` does.
  delete env.DATABASE_URL;
  return env;
}

function logFile(dataDir: string, name: string): number {
  return fs.openSync(path.join(dataDir, `${name}.log`), "a");
}

async function waitForUrl(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(2_000) });
      if (response.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function cli(dataDir: string, args: string[], stdin: string): void {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/rms.ts", ...args], {
    cwd: ROOT,
    env: baseEnv(dataDir),
    input: stdin,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`rms ${args.join(" ")} failed: ${result.stdout}${result.stderr}`);
}

export function spawnEnrollment(dataDir: string): number {
  const out = logFile(dataDir, "enrollment");
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/enrollment.ts"], {
    cwd: ROOT,
    env: baseEnv(dataDir),
    stdio: ["ignore", out, out],
    detached: true,
  });
  child.unref();
  if (!child.pid) throw new Error("could not start the enrollment service");
  return child.pid;
}

export async function startEnrollment(): Promise<void> {
  const state = readState();
  state.enrollmentPid = spawnEnrollment(state.dataDir);
  writeState(state);
  await waitForUrl(`${state.enrollmentUrl}/healthz`, 60_000);
}

export function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGTERM");
  } catch {
    // already gone
  }
}

export async function stopEnrollment(): Promise<void> {
  const state = readState();
  killGroup(state.enrollmentPid);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      await fetch(`${state.enrollmentUrl}/healthz`, { signal: AbortSignal.timeout(500) });
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the enrollment service did not stop");
}

export async function startStack(): Promise<StackState> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-e2e-"));
  const admin = { userName: "alice", password: `Adm!n-${Math.random().toString(36).slice(2)}-pass` };
  const user = { userName: "bob", password: `Us3r-${Math.random().toString(36).slice(2)}-pass` };
  cli(dataDir, ["user", "add", admin.userName, "--group", "Administrators", "--password-stdin"], `${admin.password}\n`);
  cli(dataDir, ["user", "add", user.userName, "--group", "Users", "--password-stdin"], `${user.password}\n`);

  const enrollmentPid = spawnEnrollment(dataDir);
  await waitForUrl(`http://127.0.0.1:${ENROLLMENT_PORT}/healthz`, 60_000);
  const out = logFile(dataDir, "console");
  const consoleProcess = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts", "--console-only"], {
    cwd: ROOT,
    env: baseEnv(dataDir),
    stdio: ["ignore", out, out],
    detached: true,
  });
  consoleProcess.unref();
  if (!consoleProcess.pid) throw new Error("could not start the console");
  const state: StackState = {
    dataDir,
    consoleUrl: `http://127.0.0.1:${CONSOLE_PORT}`,
    enrollmentUrl: `http://127.0.0.1:${ENROLLMENT_PORT}`,
    enrollmentPort: ENROLLMENT_PORT,
    consolePid: consoleProcess.pid,
    enrollmentPid,
    admin,
    user,
  };
  writeState(state);
  await waitForUrl(`${state.consoleUrl}/sign-in`, 120_000);
  return state;
}

export function stopStack(): void {
  if (!fs.existsSync(STATE_FILE)) return;
  const state = readState();
  killGroup(state.consolePid);
  killGroup(state.enrollmentPid);
}
