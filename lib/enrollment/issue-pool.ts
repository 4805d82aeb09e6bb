// The bounded issuing pool (piscina): request verification and SLC signing run on worker threads that hold only the
// signing key and chain, each task under a deadline, behind a bounded queue. The main thread only routes and stores.
// The queue is fair: signing and registered clusters' renewals ("high") go ahead of unknown callers ("low"), and when
// the queue is full a high task takes the place of the newest low one, which is answered busy.
import os from "node:os";
import path from "node:path";
import { Piscina } from "piscina";
import type { RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { compiledScript } from "@/lib/platform/workers/compiled-script";
import { type IssuancePolicy, type IssuingKey, type RequestCheck, type SignedSlc, signSlc } from "./issue";

export interface IssuePoolOptions {
  /** Worker threads; one per core by default. */
  threads?: number;
  /** Tasks that may wait for a free worker; beyond that the pool answers "busy". */
  maxQueue?: number;
  /** Deadline per task, queueing included; a task past it is abandoned (its worker is replaced). */
  taskTimeoutMs?: number;
}

export type PoolFailure = { kind: "busy" } | { kind: "deadline" };

export class IssuePoolError extends Error {
  constructor(readonly failure: PoolFailure) {
    super(failure.kind === "busy" ? "the issuing queue is full" : "an issuing task ran past its deadline");
    this.name = "IssuePoolError";
  }
}

export type TaskPriority = "high" | "low";

export interface IssuePool {
  readonly threads: number;
  verify(body: Uint8Array, now: Date, priority?: TaskPriority): Promise<RequestCheck>;
  sign(request: RenewalRequestFields, policy: IssuancePolicy): Promise<SignedSlc>;
  close(): Promise<void>;
}

const DEFAULT_MAX_QUEUE = 64;
const DEFAULT_TASK_TIMEOUT_MS = 10_000;

export function createIssuePool(key: IssuingKey, opts: IssuePoolOptions = {}): IssuePool {
  const threads = Math.max(1, Math.floor(opts.threads ?? os.availableParallelism()));
  const taskTimeoutMs = opts.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
  const maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE;
  const piscina = new Piscina({
    // The steps run compiled: no TypeScript loader per worker (lib/platform/workers/compiled-script.ts).
    filename: compiledScript(path.join("lib", "enrollment", "issue-worker-main.ts")),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: Number.POSITIVE_INFINITY,
    // A token key stays with this thread (one session, one login per process); the workers then only verify.
    workerData: { key: key.token ? null : key },
  });
  // Our own queue in front of piscina, which only ever gets as many tasks as it has threads.
  type Waiting = { start: () => void; fail: (error: IssuePoolError) => void };
  const queues: Record<TaskPriority, Waiting[]> = { high: [], low: [] };
  let running = 0;
  const waitingCount = () => queues.high.length + queues.low.length;

  function dispatch(): void {
    while (running < threads) {
      const next = queues.high.shift() ?? queues.low.shift();
      if (!next) return;
      running += 1;
      next.start();
    }
  }

  function slot(priority: TaskPriority, signal: AbortSignal): Promise<void> {
    if (running < threads && waitingCount() === 0) {
      running += 1;
      return Promise.resolve();
    }
    if (waitingCount() >= maxQueue) {
      const displaced = priority === "high" ? queues.low.pop() : undefined;
      if (!displaced) return Promise.reject(new IssuePoolError({ kind: "busy" }));
      displaced.fail(new IssuePoolError({ kind: "busy" }));
    }
    return new Promise<void>((resolve, reject) => {
      const entry: Waiting = {
        start: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        fail: (error) => {
          signal.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        const queue = queues[priority];
        const at = queue.indexOf(entry);
        if (at >= 0) queue.splice(at, 1);
        reject(new IssuePoolError({ kind: "deadline" }));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      queues[priority].push(entry);
    });
  }

  async function run<T>(name: "verify" | "sign", task: unknown, priority: TaskPriority): Promise<T> {
    const signal = AbortSignal.timeout(taskTimeoutMs);
    await slot(priority, signal);
    try {
      return (await piscina.run(task, { name, signal })) as T;
    } catch (error) {
      if (signal.aborted) throw new IssuePoolError({ kind: "deadline" });
      throw error;
    } finally {
      running -= 1;
      dispatch();
    }
  }

  return {
    threads,
    verify: (body, now, priority = "low") => run<RequestCheck>("verify", { body, now }, priority),
    sign: key.token
      ? // The token does the RSA work; what is left here (one digest, one template) is too little for a worker.
        async (request, policy) => signSlc(request, key, policy)
      : (request, policy) => run<SignedSlc>("sign", { request, policy }, "high"),
    close: () => piscina.destroy(),
  };
}
