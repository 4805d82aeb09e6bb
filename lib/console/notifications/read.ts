// What the Settings page reads about notifications, through the console's own database handle (server-only, read once
// per request), so the page holds no handle. No access check here: the page passes the administrator check first.
import "server-only";
import { cache } from "react";
import { latestAuditEvent } from "@/lib/console/audit/audit";
import { getDb } from "@/lib/console/db";
import { channelsInForce } from "./console-channels";
import { getStoredNotificationSettings } from "./settings";

/**
 * The last test notification, the saved settings, and the channels in force — null when saved secrets cannot be opened
 * by this master key (restored from another console): the page reports that rather than failing.
 */
export const readNotificationSettings = cache(async () => {
  const db = await getDb();
  const lastTest = await latestAuditEvent(db, "notification_test");
  const stored = await getStoredNotificationSettings(db);
  const channels = await channelsInForce(db).catch(() => null);
  return { lastTest, stored, channels };
});
