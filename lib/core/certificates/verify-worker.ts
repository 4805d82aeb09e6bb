// Worker entry of the off-thread SLC verifier, run compiled (lib/platform/workers/compiled-script.ts): answers each
// { id, input, opts } with verifySlc's verdict.
import { parentPort } from "node:worker_threads";
import { verifySlc } from "./verify-slc";

type Task = { id: number; input: Uint8Array | string; opts: Parameters<typeof verifySlc>[1] };

parentPort?.on("message", (task: Task) => {
  parentPort?.postMessage({ id: task.id, verdict: verifySlc(task.input, task.opts) });
});
parentPort?.postMessage({ ready: true });
