// Which Host header values a server answers (DNS rebinding defence): loopback names on its own port by default, or the
// operator's RMS_ALLOWED_HOSTS list. Pure string work, so the console's proxy can use it on every request.

/** One allowed `host` or `host:port`; `port: null` allows any port. Hosts are lower case, IPv6 in brackets. */
export interface AllowedHost {
  host: string;
  port: number | null;
}

// A DNS name or IPv4 address (labels of letters, digits and inner hyphens), or an IPv6 address in brackets.
const NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV6 = /^\[[0-9a-f:.]{2,45}\]$/;
const HOST_AND_PORT = /^(\[[^\]]*\]|[^:[\]]+)(?::(\d{1,5}))?$/;

const WILDCARD_HOSTS = new Set(["0.0.0.0", "[::]", "::"]);

/** Reads `host`, `host:port`, `[v6]` or `[v6]:port` (a Host header or a list entry); null when it is not one of those. */
export function parseHostAndPort(text: string): AllowedHost | null {
  const match = HOST_AND_PORT.exec(text.trim().toLowerCase());
  if (!match) return null;
  const host = match[1] ?? "";
  if (!NAME.test(host) && !IPV6.test(host)) return null;
  if (match[2] === undefined) return { host, port: null };
  const port = Number(match[2]);
  return port >= 1 && port <= 65535 ? { host, port } : null;
}

/** A listen address as it appears in a Host header: IPv6 in brackets, lower case. */
export function hostForHeader(host: string): string {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  return bare.includes(":") ? `[${bare}]` : bare;
}

/** True for an address that listens on every interface (0.0.0.0, ::): no client addresses the server by it. */
export function isWildcardHost(host: string): boolean {
  return WILDCARD_HOSTS.has(host.trim().toLowerCase());
}

/** The default list: localhost, 127.0.0.1, [::1] and the configured listen address (unless a wildcard), on `port`. */
export function defaultAllowedHosts(listenHost: string, port: number): AllowedHost[] {
  const names = ["localhost", "127.0.0.1", "[::1]"];
  const own = hostForHeader(listenHost);
  if (!isWildcardHost(own) && !names.includes(own)) names.push(own);
  return names.map((host) => ({ host, port }));
}

/**
 * True when the Host header names an allowed host. A Host without a port (the scheme's default port, behind a
 * reverse proxy) matches a bare entry, or one on port 80 or 443.
 */
export function isAllowedHost(hostHeader: string | null, allowed: readonly AllowedHost[]): boolean {
  if (!hostHeader) return false;
  const requested = parseHostAndPort(hostHeader);
  if (!requested) return false;
  return allowed.some((entry) => {
    if (entry.host !== requested.host) return false;
    if (entry.port === null) return true;
    return requested.port === null ? entry.port === 80 || entry.port === 443 : entry.port === requested.port;
  });
}
