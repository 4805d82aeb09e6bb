// Names this server and its accounts the way Windows would: SERVER\user.
import os from "node:os";

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

/**
 * A local account as Windows shows it: MACHINE\name, with this host's name even when RMS_DOMAIN is set (that is the
 * directory's domain; a local account must not read like a directory account of the same name).
 */
export function qualifiedUserName(displayName: string): string {
  return `${localServerName()}\\${displayName}`;
}
