// A verification worker with faults on demand, for the off-thread verifier's tests: the input "HANG" never returns,
// "CRASH" kills the worker, "THROW" throws inside it; anything else is verified by the real verifier.
import { parentPort } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const { verifySlc } = await import("../../lib/core/certificates/verify-slc.ts");

parentPort?.on("message", (task) => {
  const text = typeof task.input === "string" ? task.input : Buffer.from(task.input).toString("utf8");
  if (text === "HANG") for (;;);
  if (text === "CRASH") process.exit(3);
  if (text === "THROW") throw new Error("fault on demand");
  parentPort?.postMessage({ id: task.id, verdict: verifySlc(task.input, task.opts) });
});
parentPort?.postMessage({ ready: true });
