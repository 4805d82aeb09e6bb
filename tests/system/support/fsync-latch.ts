// A latch inside a process's durable commit, for fault injection: strace attaches to the process and holds every
// fsync(2) it enters (strace's syscall fault injection, `inject=fsync:delay_enter`). The embedded database syncs
// its write-ahead log with fsync on each commit (lib/platform/db/pglite-durable.ts), so a process held there is inside a
// commit: its data written, not yet synced, no answer sent. The test kills it there.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export interface FsyncLatch {
  /** Resolves once the process has entered its n-th fsync since the latch was attached (and is held in it). */
  entered(n: number, timeoutMs: number): Promise<void>;
  /** Detaches strace (the process, if alive, goes on). */
  release(): Promise<void>;
}

/**
 * Attaches to pid; every fsync is held holdMs before it runs. Resolves once strace is attached. strace prints a
 * call's entry ("fsync(17") the moment the call is entered, before the hold; its result (or "<... fsync resumed>",
 * which does not match) comes later.
 */
export async function attachFsyncLatch(pid: number, holdMs = 5_000): Promise<FsyncLatch> {
  const strace = spawn(
    "strace",
    ["-f", "-qq", "-p", String(pid), "-e", "trace=fsync", "-e", `inject=fsync:delay_enter=${holdMs * 1_000}`],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let output = "";
  const entries = () => output.match(/\bfsync\(/g)?.length ?? 0;
  const waiters = new Set<{ n: number; resolve: () => void }>();
  const exited = new Promise<void>((resolve) => strace.once("exit", () => resolve()));
  strace.stderr.setEncoding("utf8");
  strace.stderr.on("data", (chunk: string) => {
    output += chunk;
    for (const w of waiters) {
      if (entries() >= w.n) {
        waiters.delete(w);
        w.resolve();
      }
    }
  });
  // strace prints nothing on attach with -qq: wait until the kernel shows the process traced.
  await waitForTracer(pid, 10_000);
  return {
    entered: (n, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (entries() >= n) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`no fsync #${n} within ${timeoutMs} ms (saw ${entries()}): ${output.slice(-500)}`)),
          timeoutMs,
        );
        waiters.add({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
    release: async () => {
      if (strace.exitCode === null) strace.kill("SIGINT");
      await exited;
    },
  };
}

/** Polls /proc/<pid>/status until a tracer is attached (TracerPid not 0). */
async function waitForTracer(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const tracer = /^TracerPid:\s+(\d+)/m.exec(status)?.[1];
    if (tracer && tracer !== "0") return;
    if (Date.now() > deadline) throw new Error(`strace did not attach to ${pid} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
