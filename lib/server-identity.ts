// Names this server and its accounts the way Windows would: SERVER\user.
import os from "node:os";
import { env } from "@/lib/env";

/** NetBIOS-style name of this host (upper case, at most 15 characters), or RMS01. */
export function localServerName(): string {
  const name = os
    .hostname()
    .split(".")[0]
    ?.replace(/[^A-Za-z0-9-]/g, "")
    .toUpperCase()
    .slice(0, 15);
  return name || "RMS01";
}

export function qualifiedUserName(displayName: string): string {
  return `${env().RMS_DOMAIN?.toUpperCase() ?? localServerName()}\\${displayName}`;
}
