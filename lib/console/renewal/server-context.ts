// The renewal context of the running console, built from its validated environment.
import "server-only";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import type { RenewalContext } from "./context";
import { renewalContextFromSettings } from "./settings-context";

export async function renewalContext(): Promise<RenewalContext> {
  return renewalContextFromSettings(await getDb(), env());
}
