// The notification channels in force for this console process: its environment's, else the Settings page's, with the
// stored secrets opened by the console's master key. One place for the page, the test button and the monitor.
import "server-only";
import type { Database } from "@/lib/db/client";
import { env } from "@/lib/env";
import { consoleKeyEncryptionKey, masterKeySettings } from "@/lib/renewal/cluster-keys";
import { type EffectiveChannels, effectiveNotificationChannels } from "./settings";

export function channelsInForce(db: Database): Promise<EffectiveChannels> {
  const config = env();
  return effectiveNotificationChannels(db, config, () => consoleKeyEncryptionKey(masterKeySettings(config)));
}
