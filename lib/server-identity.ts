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

/** The DOMAIN of DOMAIN\\user: the directory's domain, or this server's name for local accounts. */
export function accountDomain(): string {
  return env().RMS_DOMAIN?.toUpperCase() ?? localServerName();
}

export function qualifiedUserName(displayName: string): string {
  return `${accountDomain()}\\${displayName}`;
}
