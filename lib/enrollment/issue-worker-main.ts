// Inside an issuing worker (piscina): the signing key and chain arrive once with workerData; each task is one step.
import { workerData } from "node:worker_threads";
import type { RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { checkRequest, type IssuancePolicy, type IssuingKey, type RequestCheck, type SignedSlc, signSlc } from "./issue";

// Null when the key is in a PKCS#11 token: the main thread signs, the workers only verify.
const key = (workerData as { key: IssuingKey | null }).key;

export function verify(task: { body: Uint8Array; now: Date }): RequestCheck {
  return checkRequest(task.body, task.now);
}

export function sign(task: { request: RenewalRequestFields; policy: IssuancePolicy }): SignedSlc {
  if (!key) throw new Error("This issuing worker holds no signing key (the key is in a PKCS#11 token).");
  return signSlc(task.request, key, task.policy);
}
