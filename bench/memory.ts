// Benchmark "memory": the whole `npm start` stack on PGlite (node scripts/run-compiled.mjs scripts/start.ts: the supervisor, the bundled enrollment
// service, the console, and whatever they run), each process's resident memory at idle after a first start on a new
// data folder and again after a restart on the same folder, against its ceilings (TARGET_MB below).
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { commandLine, freePort, processTree, residentMb, spawnNode, stopProcess, tempDir, waitForStatus } from "./lib/processes";
import { type BenchResult, latency } from "./lib/results";

export interface MemoryOptions {
  quick: boolean;
  log: (message: string) => void;
}

/** The ceilings, MB of resident memory. */
const TARGET_MB = { stack: 700, enrollment: 300, supervisor: 80 } as const;
/** Idle: the processes settle (lazy starts, timers) before they are read. */
const SETTLE_MS = 10_000;

type Role = "supervisor" | "enrollment service" | "console" | "other";

function roleOf(pid: number, supervisor: number): Role {
  if (pid === supervisor) return "supervisor";
  const cmd = commandLine(pid);
  // Under tsx its entry, as `npm start` runs it its compiled bundle (node_modules/.cache/rms-compiled/enrollment-<hash>.mjs).
  if (/\benrollment(\.ts|-[0-9a-f]{12}\.mjs)\b/.test(cmd)) return "enrollment service";
  if (cmd.startsWith("next-server") || cmd.includes("console-server")) return "console";
  return "other";
}

interface Sample {
  byRole: Record<Role, number>;
  total: number;
  processes: string[];
}

function sample(supervisor: number): Sample {
  const byRole: Record<Role, number> = { supervisor: 0, "enrollment service": 0, console: 0, other: 0 };
  const processes: string[] = [];
  let total = 0;
  for (const pid of processTree(supervisor)) {
    const mb = residentMb(pid);
    const role = roleOf(pid, supervisor);
    byRole[role] += mb;
    total += mb;
    processes.push(`${role === "other" ? commandLine(pid).slice(0, 40) || `pid ${pid}` : role} ${mb.toFixed(0)} MB`);
  }
  return { byRole, total, processes };
}

async function startAndSample(dataDir: string, logName: string, log: (m: string) => void): Promise<Sample> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    HOST: "127.0.0.1",
    PORT: String(port),
    RMS_ENROLLMENT_PORT: String(await freePort()),
    RMS_DATA_DIR: dataDir,
  };
  for (const name of ["RMS_ENROLLMENT_URL", "RMS_TRUST_ANCHORS", "DATABASE_URL", "NODE_OPTIONS"]) delete env[name];
  const since = performance.now();
  const child = spawnNode(
    [path.join("scripts", "run-compiled.mjs"), path.join("scripts", "start.ts")],
    env,
    path.join(path.dirname(dataDir), `${logName}.log`),
  );
  try {
    const ms = await waitForStatus(`http://127.0.0.1:${port}/sign-in`, since, 600_000, child);
    await sleep(SETTLE_MS);
    const taken = sample(child.pid ?? 0);
    log(
      `memory (${logName}): answered after ${(ms / 1000).toFixed(1)} s; ${taken.processes.join(", ")}; total ${taken.total.toFixed(0)} MB`,
    );
    return taken;
  } finally {
    await stopProcess(child);
  }
}

function rows(label: string, s: Sample): BenchResult[] {
  const detail = s.processes.join(", ");
  return [
    latency(
      `Memory: whole npm start stack, idle (PGlite, ${label})`,
      s.total,
      "MB",
      `target ≤ ${TARGET_MB.stack} MB`,
      TARGET_MB.stack,
      1,
      detail,
    ),
    latency(
      `Memory: enrollment service, idle (PGlite, ${label})`,
      s.byRole["enrollment service"],
      "MB",
      `target ≤ ${TARGET_MB.enrollment} MB`,
      TARGET_MB.enrollment,
      1,
    ),
    latency(
      `Memory: supervisor (scripts/start.ts), idle (${label})`,
      s.byRole.supervisor,
      "MB",
      `target ≤ ${TARGET_MB.supervisor} MB`,
      TARGET_MB.supervisor,
      1,
    ),
    latency(
      `Memory: console, idle (PGlite, ${label})`,
      s.byRole.console,
      "MB",
      "the console's after-load target",
      450,
      null,
      "report-only: idle; the target is after load (console rows)",
    ),
  ];
}

export async function runMemoryBench(opts: MemoryOptions): Promise<BenchResult[]> {
  const dataDir = path.join(tempDir("memory"), "data");
  const first = await startAndSample(dataDir, "first start", opts.log);
  const restart = await startAndSample(dataDir, "restart", opts.log);
  return [...rows("first start", first), ...rows("restart", restart)];
}
