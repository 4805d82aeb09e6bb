// What the RMS proxy settings page reads, through the console's own database handle (server-only, read once per
// request), so the page holds no handle. No access check here: the page passes the administrator check first.
import "server-only";
import { cache } from "react";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { getStoredProxySettings, proxyPasswordReadable } from "./settings";

/** The saved proxy settings (password never included), and whether this console's master key opens the saved password. */
export const readProxySettings = cache(async () => {
  const db = await getDb();
  const stored = await getStoredProxySettings(db);
  const readable = await proxyPasswordReadable(db, env());
  return { stored, readable };
});
