// Verifies SLC files on a worker thread under a deadline, so one hostile file can never stall the console's other users:
// the event loop only copies the bytes and waits; a file past the deadline (or a crashed worker) is a typed rejection.
import path from "node:path";
import type { Worker } from "node:worker_threads";
import { compiledScript } from "@/lib/platform/workers/compiled-script";
import type { SlcVerification, verifySlc } from "./verify-slc";

type VerifyOptions = Parameters<typeof verifySlc>[1];

export interface OffThreadVerifierOptions {
  /** The worker script; the console's own (verify-worker.ts, compiled) unless a test supplies another. */
  workerFile?: string;
  /** How long one verification may run on the worker; past it the worker is stopped and the file refused. */
  deadlineMs?: number;
  /** How long a new worker may take to load before verification is reported as unavailable. */
  startupMs?: number;
}

export interface OffThreadVerifier {
  verify(input: Uint8Array | string, opts: VerifyOptions): Promise<SlcVerification>;
  close(): Promise<void>;
}

/** A genuine SLC verifies in a few milliseconds and the worst file the XML gate admits in a few hundred. */
const DEFAULT_VERIFY_DEADLINE_MS = 5_000;
const DEFAULT_STARTUP_MS = 60_000;

interface Task {
  id: number;
  input: Uint8Array | string;
  opts: VerifyOptions;
  resolve: (verdict: SlcVerification) => void;
}

function refusal(reason: "verification_deadline" | "verification_failed", detail: string): SlcVerification {
  const check = { name: "input", ok: false, reason, detail } as const;
  return { ok: false, failed: "input", reason, detail, checks: [check] };
}

/**
 * The worker script: verify-worker.ts compiled to JavaScript (lib/platform/workers/compiled-script.ts), found from the project
 * folder the process runs in (under `next start` this module is bundled into .next; the worker's sources are not).
 */
function defaultWorkerFile(): string {
  return compiledScript(path.join("lib", "core", "certificates", "verify-worker.ts"));
}

/**
 * worker_threads' Worker, imported so the bundler does not see `new Worker(...)`: Turbopack would try to bundle the
 * script as a worker entry (ignoring turbopackIgnore there); the script is compiled on its own instead.
 */
const { Worker: WorkerThread } = await import(/* turbopackIgnore: true */ "node:worker_threads");

/** One worker, started on first use, verifying one file at a time; queued files wait (their deadline starts on dispatch). */
export function createOffThreadVerifier(options: OffThreadVerifierOptions = {}): OffThreadVerifier {
  const deadlineMs = options.deadlineMs ?? DEFAULT_VERIFY_DEADLINE_MS;
  const startupMs = options.startupMs ?? DEFAULT_STARTUP_MS;
  const queue: Task[] = [];
  let worker: Worker | null = null;
  let ready = false;
  let current: { task: Task; timer: NodeJS.Timeout } | null = null;
  let startupTimer: NodeJS.Timeout | null = null;
  let nextId = 1;
  let closed = false;

  const stopWorker = (failure: SlcVerification | null) => {
    const running = current;
    current = null;
    if (startupTimer) clearTimeout(startupTimer);
    startupTimer = null;
    if (running) {
      clearTimeout(running.timer);
      running.task.resolve(failure ?? refusal("verification_failed", "The verification worker stopped."));
    }
    const stopped = worker;
    worker = null;
    ready = false;
    if (stopped) {
      stopped.removeAllListeners();
      stopped.on("error", () => undefined);
      void stopped.terminate();
    }
  };

  const failAll = (detail: string) => {
    stopWorker(refusal("verification_failed", detail));
    for (const task of queue.splice(0)) task.resolve(refusal("verification_failed", detail));
  };

  const dispatch = () => {
    if (closed || current || queue.length === 0) return;
    if (!worker) {
      start();
      return;
    }
    if (!ready) return;
    const task = queue.shift() as Task;
    const timer = setTimeout(() => {
      stopWorker(refusal("verification_deadline", `Verifying the file took longer than ${deadlineMs} ms, so it was stopped.`));
      dispatch();
    }, deadlineMs);
    current = { task, timer };
    worker.postMessage({ id: task.id, input: task.input, opts: task.opts });
  };

  const start = () => {
    const started = new WorkerThread(options.workerFile ?? defaultWorkerFile());
    started.unref();
    worker = started;
    startupTimer = setTimeout(() => failAll(`The verification worker did not start within ${startupMs} ms.`), startupMs);
    started.on("message", (message: { ready?: true; id?: number; verdict?: SlcVerification }) => {
      if (worker !== started) return;
      if (message.ready) {
        ready = true;
        if (startupTimer) clearTimeout(startupTimer);
        startupTimer = null;
      } else if (current && message.id === current.task.id && message.verdict) {
        clearTimeout(current.timer);
        current.task.resolve(message.verdict);
        current = null;
      }
      dispatch();
    });
    const crashed = (detail: string) => {
      if (worker !== started) return;
      if (!ready && !current) {
        // It never came up: every waiting file gets the same answer rather than a restart loop.
        failAll(detail);
        return;
      }
      stopWorker(refusal("verification_failed", detail));
      dispatch();
    };
    started.on("error", (error) => crashed(`The verification worker failed: ${error.message}`));
    started.on("exit", (code) => crashed(`The verification worker stopped (exit code ${code}).`));
  };

  return {
    verify(input, opts) {
      if (closed) return Promise.resolve(refusal("verification_failed", "The verifier is closed."));
      return new Promise<SlcVerification>((resolve) => {
        queue.push({ id: nextId++, input, opts, resolve });
        dispatch();
      });
    },
    async close() {
      closed = true;
      failAll("The verifier is closed.");
    },
  };
}

let shared: OffThreadVerifier | null = null;

/** The console's verifier: one per process, its worker started on the first file. */
export function sharedVerifier(): OffThreadVerifier {
  shared ??= createOffThreadVerifier();
  return shared;
}
