// The running console's renewal context, built from its validated environment and its one database handle: what the
// server actions' middleware hands them (ctx.renewal), the monitor and lib/console/renewal/downloads.ts run with.
import "server-only";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import type { RenewalContext } from "./context";
import { renewalContextFrom } from "./settings-context";

export async function renewalContext(): Promise<RenewalContext> {
  return renewalContextFrom(env(), await getDb());
}
