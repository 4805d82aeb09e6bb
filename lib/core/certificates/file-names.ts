// Download file names derived from a server name that may contain anything.
export function sanitizeServerName(serverName: string): string {
  const cleaned = serverName
    .replace(/[^A-Za-z0-9._-]/g, "")
    .replace(/^\.+/, "")
    .slice(0, 100);
  return cleaned === "" ? "server" : cleaned;
}
