// Worker entry of the off-thread SLC verifier: registers the TypeScript loader (the console runs from source files
// under `next start`, tsx and Vitest alike), then answers each { id, input, opts } with verifySlc's verdict.
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { verifySlc } = await import("./verify-slc.ts");

parentPort?.on("message", (task) => {
  parentPort?.postMessage({ id: task.id, verdict: verifySlc(task.input, task.opts) });
});
parentPort?.postMessage({ ready: true });
