// The notification channels in force for this console process: its environment's, else the Settings page's, with the
// stored secrets opened by the console's master key. One place for the page, the test button and the monitor.
import "server-only";
import { env } from "@/lib/console/env";
import { effectiveProxyPolicy } from "@/lib/console/proxy/settings";
import { consoleKeyEncryptionKey, masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import type { Database } from "@/lib/platform/db/client";
import { type EffectiveChannels, effectiveNotificationChannels } from "./settings";

/** The channels in force; an https:// webhook goes through the forward proxy in force (RMS proxy settings, else HTTPS_PROXY). */
export async function channelsInForce(db: Database): Promise<EffectiveChannels> {
  const config = env();
  const kek = () => consoleKeyEncryptionKey(masterKeySettings(config));
  const channels = await effectiveNotificationChannels(db, config, kek);
  if (!channels.webhook) return channels;
  return { ...channels, webhook: { ...channels.webhook, proxy: () => effectiveProxyPolicy(db, config, kek) } };
}
