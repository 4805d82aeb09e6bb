// Processes, ports and temp folders the benchmarks create: all tracked, all stopped and removed at the end (also on failure).
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { spawnNode as harnessSpawnNode } from "../../tests/support/processes";

const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();
const cleanups: Array<() => Promise<void> | void> = [];

export const ROOT = process.cwd();

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rms-bench-${prefix}-`));
  tempDirs.add(dir);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
  tempDirs.delete(dir);
}

export { freePort } from "../../tests/support/processes";

/** Starts `node <args>` in its own process group, output to `logFile` (the tests' harness, which also sweeps it on exit). */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const { child } = harnessSpawnNode(args, env, logFile);
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** SIGTERM to the child's process group, SIGKILL after `graceMs`; resolves when the child has exited. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child, "SIGKILL"); // grandchildren left behind, if any
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(child, "SIGTERM");
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
  // start.ts stops its own children; anything left in the group goes now.
  signalGroup(child, "SIGKILL");
}

export async function cleanupAll(): Promise<void> {
  for (const work of cleanups.splice(0).reverse()) {
    try {
      await work();
    } catch (error) {
      console.error("[bench] cleanup step failed:", error);
    }
  }
  await Promise.all([...children].map((child) => stopProcess(child, 5_000)));
  for (const dir of [...tempDirs]) removeTempDir(dir);
}

/**
 * One GET of `url` (plain HTTP, a connection of its own), its body read: the status, or why there was none. Waits as long
 * as `ms` for the answer (a page's first render on a busy machine can take many seconds), and gives up at once when
 * `child` exits.
 */
function statusOf(url: string, ms: number, child?: ChildProcess): Promise<number | string> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false }, (response) => {
      response.resume();
      response.once("end", () => resolve(response.statusCode ?? 0));
      response.once("error", (error) => resolve(error.message));
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${Math.round(ms)} ms`)), ms);
    const onExit = () => request.destroy(new Error("the process exited"));
    child?.once("exit", onExit);
    request.once("error", (error) => resolve(error.message));
    request.once("close", () => {
      clearTimeout(timer);
      child?.off("exit", onExit);
    });
  });
}

/**
 * Polls `url` until it answers `status` (200 by default); returns the elapsed ms from `since`. One request at a time,
 * each given until the deadline to answer: a refused connection (not listening yet) is retried after a short pause, but
 * a request the server has accepted is never abandoned. (It used to be abandoned after 2 s and sent again: while the
 * console's first renders took longer than that — its first request opens the database and loads the page's code, and
 * on a busy machine each takes seconds — every attempt was given up and a new one queued behind the abandoned ones,
 * which the server still rendered to the end, so the wait never saw the 200 the console was giving anyone who waited.)
 */
export async function waitForStatus(url: string, since: number, timeoutMs: number, child?: ChildProcess, status = 200): Promise<number> {
  const deadline = since + timeoutMs;
  let last: number | string = "nothing";
  while (performance.now() < deadline) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`the process serving ${url} exited early`);
    last = await statusOf(url, Math.max(1, deadline - performance.now()), child);
    if (last === status) return performance.now() - since;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of fs.readdirSync(`/proc/${pid}/task`)) {
      const text = fs.readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    // process gone
  }
  return out;
}

/** The process and all its descendants. */
export function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...childPids(all[i] ?? 0));
  return all;
}

export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Resident set size in MB of one process (VmRSS). */
export function residentMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0");
    return kb / 1024;
  } catch {
    return 0;
  }
}

export function treeRssMb(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + residentMb(p), 0);
}
