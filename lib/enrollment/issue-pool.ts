// The bounded issuing pool (piscina): request verification and SLC signing run on worker threads that hold only the
// signing key and chain, each task under a deadline, behind a bounded queue. The main thread only routes and stores.
import os from "node:os";
import { Piscina } from "piscina";
import type { RenewalRequestFields } from "@/lib/certificates/renewal-request";
import type { IssuancePolicy, IssuingKey, RequestCheck, SignedSlc } from "./issue";

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

export interface IssuePool {
  readonly threads: number;
  verify(body: Uint8Array, now: Date): Promise<RequestCheck>;
  sign(request: RenewalRequestFields, policy: IssuancePolicy): Promise<SignedSlc>;
  close(): Promise<void>;
}

const DEFAULT_MAX_QUEUE = 64;
const DEFAULT_TASK_TIMEOUT_MS = 10_000;

export function createIssuePool(key: IssuingKey, opts: IssuePoolOptions = {}): IssuePool {
  const threads = Math.max(1, Math.floor(opts.threads ?? os.availableParallelism()));
  const taskTimeoutMs = opts.taskTimeoutMs ?? DEFAULT_TASK_TIMEOUT_MS;
  const maxQueue = opts.maxQueue ?? DEFAULT_MAX_QUEUE;
  // Counted here: piscina parks tasks that carry an AbortSignal in a side queue its maxQueue does not bound.
  const capacity = threads + maxQueue;
  let inFlight = 0;
  const piscina = new Piscina({
    filename: new URL("./issue-worker.mjs", import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    maxQueue,
    idleTimeout: Number.POSITIVE_INFINITY,
    workerData: { key },
  });

  async function run<T>(name: "verify" | "sign", task: unknown): Promise<T> {
    if (inFlight >= capacity) throw new IssuePoolError({ kind: "busy" });
    inFlight += 1;
    const signal = AbortSignal.timeout(taskTimeoutMs);
    try {
      return (await piscina.run(task, { name, signal })) as T;
    } catch (error) {
      if (signal.aborted) throw new IssuePoolError({ kind: "deadline" });
      if (error instanceof Error && error.message === "Task queue is at limit") throw new IssuePoolError({ kind: "busy" });
      throw error;
    } finally {
      inFlight -= 1;
    }
  }

  return {
    threads,
    verify: (body, now) => run<RequestCheck>("verify", { body, now }),
    sign: (request, policy) => run<SignedSlc>("sign", { request, policy }),
    close: () => piscina.destroy(),
  };
}
