// Inside an issuing worker (piscina): the signing key and chain arrive once with workerData; each task is one step.
import { workerData } from "node:worker_threads";
import type { RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { checkRequest, type IssuancePolicy, type IssuingKey, type RequestCheck, type SignedSlc, signSlc } from "./issue";

const key = (workerData as { key: IssuingKey }).key;

export function verify(task: { body: Uint8Array; now: Date }): RequestCheck {
  return checkRequest(task.body, task.now);
}

export function sign(task: { request: RenewalRequestFields; policy: IssuancePolicy }): SignedSlc {
  return signSlc(task.request, key, task.policy);
}
