// The request files the console's route handlers download, run with the console's renewal context, so a route file
// takes no context and sees no database handle. The caller has passed the administrator check (lib/console/auth/guard.ts).
import "server-only";
import type { RenewalActor } from "./context";
import { exportRenewalRequest } from "./offline";
import { exportRekeyRequest } from "./rekey";
import { renewalContext } from "./server-context";

/** Offline Export: the cluster's pending renewal request (created when there is none), audited as `actor`'s. */
export async function exportRenewalRequestAs(clusterId: string, actor: RenewalActor) {
  return exportRenewalRequest(await renewalContext(), { clusterId, actor });
}

/** Re-key, offline: the pending re-key request's file, each download audited as `actor`'s. */
export async function exportRekeyRequestAs(clusterId: string, actor: RenewalActor) {
  return exportRekeyRequest(await renewalContext(), { clusterId, actor });
}
