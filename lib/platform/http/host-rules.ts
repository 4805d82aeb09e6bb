// The host rules both processes (the console and the enrollment service) apply to every request, pure string work:
//  - which Host header values a server answers (DNS rebinding defence, 421 otherwise): loopback names on its own port
//    by default, or the operator's list (RMS_ALLOWED_HOSTS, RMS_ENROLLMENT_ALLOWED_HOSTS);
//  - the same-origin rule for a state-changing browser request (CSRF defence, 403 otherwise): its Origin header is the
//    request's own origin or the configured public URL's (isOwnOrigin). The console requires the header on every such
//    request (only browsers post there); the service lets a post without one through, as its non-browser clients
//    (the console's server, scripts) send none and a browser always sends it.

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
 * Reads a list of `host` / `host:port` entries (RMS_ENROLLMENT_ALLOWED_HOSTS, a listen address as a Host names it);
 * throws naming the first entry that is neither.
 */
export function allowedHostList(entries: readonly string[]): AllowedHost[] {
  return entries.map((text) => {
    const entry = parseHostAndPort(text);
    if (!entry) throw new Error(`"${text.slice(0, 80)}" is not a host or host:port (IPv6 in brackets)`);
    return entry;
  });
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

export type Scheme = "http" | "https";

/** An origin: lower-case host (IPv6 in brackets) and an explicit port. */
export interface Origin {
  scheme: Scheme;
  host: string;
  port: number;
}

const DEFAULT_PORT: Record<Scheme, number> = { http: 80, https: 443 };

export function defaultPort(scheme: Scheme): number {
  return DEFAULT_PORT[scheme];
}

/** `host[:port]` as a browser's Origin or Host names it: the scheme's default port left out. */
export function originHost(origin: Origin): string {
  return origin.port === DEFAULT_PORT[origin.scheme] ? origin.host : `${origin.host}:${origin.port}`;
}

/** The serialised origin, as a browser sends it in `Origin` (`https://rms.contoso.com:8443`). */
export function originText(origin: Origin): string {
  return `${origin.scheme}://${originHost(origin)}`;
}

/** Reads `scheme://host[:port]` (what ORIGIN_HEADER carries); null for anything else. */
export function parseOrigin(text: string | null | undefined): Origin | null {
  const match = /^(https?):\/\/(.+)$/.exec(text ?? "");
  if (!match) return null;
  const scheme = match[1] as Scheme;
  const hostAndPort = parseHostAndPort(match[2] ?? "");
  if (!hostAndPort) return null;
  return { scheme, host: hostAndPort.host, port: hostAndPort.port ?? DEFAULT_PORT[scheme] };
}

/**
 * Whether a state-changing request came from a page of this server: its Origin is the request's own origin (as
 * requestOrigin found it) or the public URL's. A browser always sends Origin on such requests and a page cannot forge it.
 */
export function isOwnOrigin(originHeader: string | null, own: Origin | null, publicUrl: Origin | null): boolean {
  const origin = parseOrigin(originHeader);
  if (!origin) return false;
  const text = originText(origin);
  return (own !== null && text === originText(own)) || (publicUrl !== null && text === originText(publicUrl));
}
