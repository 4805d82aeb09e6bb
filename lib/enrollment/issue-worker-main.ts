// Inside a pool worker: the CA material arrives once with workerData; each message is one issueSlc call.
import { parentPort, workerData } from "node:worker_threads";
import type { CaMaterial } from "./ca";
import { type IssuancePolicy, issueSlc } from "./issue";

interface Job {
  id: number;
  body: Uint8Array;
  policy: IssuancePolicy;
}

const ca = (workerData as { ca: CaMaterial }).ca;
const port = parentPort;
if (port) {
  port.on("message", (job: Job) => {
    try {
      port.postMessage({ id: job.id, result: issueSlc(job.body, ca, job.policy) });
    } catch (error) {
      port.postMessage({ id: job.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  port.postMessage({ ready: true });
}
