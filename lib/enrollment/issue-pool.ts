// Runs issueSlc on worker threads so a multi-core machine signs SLCs in parallel; falls back to this thread if a worker fails.
import { Worker } from "node:worker_threads";
import type { CaMaterial } from "./ca";
import { type IssuancePolicy, type IssueResult, issueSlc } from "./issue";

interface Pending {
  resolve: (result: IssueResult) => void;
  reject: (error: Error) => void;
  body: Uint8Array;
  policy: IssuancePolicy;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, Pending>;
  alive: boolean;
}

export interface IssuePool {
  /** Number of workers in use (0: everything runs on the calling thread). */
  readonly size: number;
  issue(body: Uint8Array, policy: IssuancePolicy): Promise<IssueResult>;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** Starts `size` workers (0 = none) and waits until they are ready; workers that fail to start are left out. */
export async function createIssuePool(
  ca: CaMaterial,
  size: number,
  logError: (message: string, error: unknown) => void,
): Promise<IssuePool> {
  let nextId = 1;
  const started = await Promise.all(Array.from({ length: Math.max(0, Math.floor(size)) }, () => startWorker(ca, logError)));
  const workers = started.filter((w): w is PoolWorker => w !== null);
  const runHere = (body: Uint8Array, policy: IssuancePolicy) => Promise.resolve().then(() => issueSlc(body, ca, policy));

  for (const w of workers) {
    w.worker.on("message", (message: { id?: number; result?: IssueResult; error?: string }) => {
      if (message.id === undefined) return;
      const job = w.pending.get(message.id);
      if (!job) return;
      w.pending.delete(message.id);
      if (message.error !== undefined || message.result === undefined) job.reject(new Error(message.error ?? "no result"));
      else job.resolve(message.result);
    });
    const fail = (error: unknown) => {
      if (!w.alive) return;
      w.alive = false;
      logError("an issuing worker stopped; its requests run on the main thread", error);
      // Jobs it had not answered are issued here instead: none is lost, none is answered twice.
      for (const job of w.pending.values()) runHere(job.body, job.policy).then(job.resolve, job.reject);
      w.pending.clear();
    };
    w.worker.on("error", fail);
    w.worker.on("exit", (code) => fail(new Error(`exit code ${code}`)));
  }

  return {
    size: workers.length,
    issue(body, policy) {
      let best: PoolWorker | undefined;
      for (const w of workers) if (w.alive && (!best || w.pending.size < best.pending.size)) best = w;
      if (!best) return runHere(body, policy);
      const target = best;
      const id = nextId++;
      return new Promise<IssueResult>((resolve, reject) => {
        target.pending.set(id, { resolve, reject, body, policy });
        target.worker.postMessage({ id, body, policy });
      });
    },
    async close() {
      for (const w of workers) w.alive = false;
      await Promise.all(workers.map((w) => w.worker.terminate()));
    },
  };
}

function startWorker(ca: CaMaterial, logError: (message: string, error: unknown) => void): Promise<PoolWorker | null> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL("./issue-worker.mjs", import.meta.url), { workerData: { ca } });
    } catch (error) {
      logError("cannot start an issuing worker; issuing on the main thread", error);
      resolve(null);
      return;
    }
    const giveUp = (error: unknown) => {
      clearTimeout(timer);
      logError("an issuing worker did not start; issuing on the main thread", error);
      void worker.terminate();
      resolve(null);
    };
    const timer = setTimeout(() => giveUp(new Error("not ready in time")), READY_TIMEOUT_MS);
    worker.once("error", giveUp);
    worker.once("message", (message: { ready?: boolean }) => {
      clearTimeout(timer);
      worker.off("error", giveUp);
      if (message.ready) resolve({ worker, pending: new Map(), alive: true });
      else giveUp(new Error("unexpected first message"));
    });
  });
}
