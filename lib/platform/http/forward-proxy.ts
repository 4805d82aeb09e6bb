// The organisation's forward proxy (RMS proxy settings, or HTTPS_PROXY/NO_PROXY): which https:// targets go through it,
// and the CONNECT tunnel they go through (Node's own HTTP client; TLS to the target runs inside the tunnel, so the target's
// certificate is still verified end to end). Only Basic authentication: Node has no Digest or NTLM/Negotiate for proxies.
import http from "node:http";
import net from "node:net";

export interface ForwardProxy {
  host: string;
  port: number;
  /** Basic credentials; `domain` is sent as DOMAIN\user, as Windows proxies expect it. */
  auth: { user: string; password: string; domain: string | null } | null;
}

export interface ProxyPolicy {
  proxy: ForwardProxy;
  /** "Do not use the proxy server for local addresses": names without a dot, localhost and loopback addresses. */
  bypassLocal: boolean;
  /** Host names, domain suffixes (.contoso.com or *.contoso.com), IP addresses, CIDR ranges, or * for everything. */
  bypass: readonly string[];
  source: "settings" | "environment";
}

/** Where a caller finds the policy in force when it connects (read afresh, so a saved change applies at once). */
export type ProxyLookup = () => Promise<ProxyPolicy | null>;

export type TunnelFailure =
  | { kind: "proxy_unreachable"; proxy: string; detail: string }
  // 407: the proxy wants (other) credentials; `detail` names the schemes it offered.
  | { kind: "proxy_auth_required"; proxy: string; detail: string }
  // Any other answer than 200 to CONNECT (403 by policy, 502 when the proxy cannot reach the target, …).
  | { kind: "proxy_refused"; proxy: string; status: number; detail: string }
  // Connected to the proxy, but no answer to CONNECT in time.
  | { kind: "proxy_timeout"; proxy: string; detail: string };

export type TunnelResult = { ok: true; socket: net.Socket } | ({ ok: false } & TunnelFailure);

const stripBrackets = (host: string) => host.replace(/^\[|\]$/g, "");

/** The proxy as an operator writes it: host:port (IPv6 in brackets). */
export function proxyAddress(proxy: Pick<ForwardProxy, "host" | "port">): string {
  const host = stripBrackets(proxy.host);
  return `${net.isIPv6(host) ? `[${host}]` : host}:${proxy.port}`;
}

/** One bypass entry, checked: a host name or domain suffix, an IP address, a CIDR range, or `*`. */
export function validBypassEntry(entry: string): boolean {
  if (entry === "*") return true;
  const [address, bits, extra] = entry.split("/");
  if (bits !== undefined) {
    const ip = stripBrackets(address ?? "");
    const max = net.isIPv4(ip) ? 32 : net.isIPv6(ip) ? 128 : -1;
    return extra === undefined && /^[0-9]{1,3}$/.test(bits) && Number(bits) <= max;
  }
  if (net.isIP(stripBrackets(entry))) return true;
  return /^(\*\.|\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(entry) && entry.length <= 253;
}

/** A bypass list as typed (semicolons, commas or white space between entries, as Windows and NO_PROXY write them). */
export function splitBypassList(text: string): string[] {
  return text
    .split(/[;,\s]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
}

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (net.isIPv4(host)) return host.startsWith("127.");
  return host === "::1";
}

function matches(entry: string, host: string): boolean {
  if (entry === "*") return true;
  if (entry.includes("/")) {
    const [address = "", bits = "0"] = entry.split("/");
    const ip = stripBrackets(address);
    const family = net.isIPv4(ip) ? "ipv4" : "ipv6";
    if (net.isIP(host) !== (family === "ipv4" ? 4 : 6)) return false;
    const list = new net.BlockList();
    list.addSubnet(ip, Number(bits), family);
    return list.check(host, family);
  }
  const name = stripBrackets(entry);
  if (net.isIP(name)) return name === host;
  const suffix = name.replace(/^\*?\./, "");
  // As NO_PROXY: contoso.com covers contoso.com and every name under it.
  return host === suffix || host.endsWith(`.${suffix}`);
}

/** The proxy to use for `target`, or null to connect directly (plain http:// is never proxied: only loopback uses it). */
export function proxyFor(policy: ProxyPolicy | null, target: URL): ForwardProxy | null {
  if (!policy || target.protocol !== "https:") return null;
  const host = stripBrackets(target.hostname.toLowerCase()).replace(/\.$/, "");
  const local = (!host.includes(".") && !net.isIP(host)) || isLoopback(host);
  if (policy.bypassLocal && local) return null;
  if (policy.bypass.some((entry) => matches(entry, host))) return null;
  return policy.proxy;
}

/** HTTPS_PROXY (or https_proxy) as a proxy: http://[user:password@]host[:port] or host:port. Throws on anything else. */
export function parseProxyUrl(text: string): ForwardProxy {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new Error(`"${text.slice(0, 80)}" is not a proxy address (http://host:port)`);
  }
  if (url.protocol !== "http:") {
    throw new Error(`only an http:// proxy is supported (the tunnel to the service is TLS of its own), not ${url.protocol}//`);
  }
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash) {
    throw new Error(`a proxy address has no path: "${text.slice(0, 80)}"`);
  }
  const user = decodeURIComponent(url.username);
  const [domain, name] = user.includes("\\") ? (user.split("\\", 2) as [string, string]) : [null, user];
  return {
    host: stripBrackets(url.hostname),
    port: url.port ? Number(url.port) : 80,
    auth: name ? { user: name, password: decodeURIComponent(url.password), domain } : null,
  };
}

/** The environment's proxy (HTTPS_PROXY/https_proxy with NO_PROXY/no_proxy), or null when none is set. */
export function proxyPolicyFromEnvironment(env: { HTTPS_PROXY?: string | undefined; NO_PROXY?: string | undefined }): ProxyPolicy | null {
  if (!env.HTTPS_PROXY) return null;
  return { proxy: parseProxyUrl(env.HTTPS_PROXY), bypassLocal: false, bypass: splitBypassList(env.NO_PROXY ?? ""), source: "environment" };
}

function basicCredentials(auth: NonNullable<ForwardProxy["auth"]>): string {
  const user = auth.domain ? `${auth.domain}\\${auth.user}` : auth.user;
  return `Basic ${Buffer.from(`${user}:${auth.password}`, "utf8").toString("base64")}`;
}

/**
 * Asks the proxy for a tunnel to host:port (HTTP CONNECT). Each step has its own deadline and failure: reaching the
 * proxy (`connectTimeoutMs`), then the proxy's answer to CONNECT (`tunnelTimeoutMs`). Nothing is sent to the target.
 */
export function openTunnel(
  proxy: ForwardProxy,
  target: { host: string; port: number },
  timeouts: { connectTimeoutMs: number; tunnelTimeoutMs: number },
): Promise<TunnelResult> {
  const where = proxyAddress(proxy);
  const host = stripBrackets(target.host);
  const authority = `${net.isIPv6(host) ? `[${host}]` : host}:${target.port}`;
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: TunnelResult) => {
      if (settled) {
        if (result.ok) result.socket.destroy();
        return;
      }
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = http.request({
      host: proxy.host,
      port: proxy.port,
      method: "CONNECT",
      path: authority,
      agent: false,
      headers: { Host: authority, ...(proxy.auth ? { "Proxy-Authorization": basicCredentials(proxy.auth) } : {}) },
    });
    timer = setTimeout(() => {
      finish({ ok: false, kind: "proxy_unreachable", proxy: where, detail: `no connection within ${timeouts.connectTimeoutMs} ms` });
      request.destroy();
    }, timeouts.connectTimeoutMs);
    request.on("socket", (socket: net.Socket) => {
      const connected = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          finish({ ok: false, kind: "proxy_timeout", proxy: where, detail: `no answer to CONNECT within ${timeouts.tunnelTimeoutMs} ms` });
          request.destroy();
        }, timeouts.tunnelTimeoutMs);
      };
      if (socket.connecting) socket.once("connect", connected);
      else connected();
    });
    request.on("error", (error: NodeJS.ErrnoException) => {
      // An error after the TCP connection (the proxy hung up on CONNECT) is still the proxy's doing.
      finish({ ok: false, kind: "proxy_unreachable", proxy: where, detail: error.code ?? error.message });
    });
    request.on("connect", (response: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      const status = response.statusCode ?? 0;
      if (status === 200) {
        if (head.length > 0) socket.unshift(head);
        finish({ ok: true, socket });
        return;
      }
      socket.destroy();
      if (status === 407) {
        const offered = response.headers["proxy-authenticate"];
        const schemes = (Array.isArray(offered) ? offered : offered ? [offered] : []).map((value) => value.split(/\s/)[0]).join(", ");
        const detail = `${proxy.auth ? "credentials refused" : "no credentials sent"}${schemes ? `; it offers ${schemes}` : ""}`;
        finish({ ok: false, kind: "proxy_auth_required", proxy: where, detail });
        return;
      }
      finish({ ok: false, kind: "proxy_refused", proxy: where, status, detail: `HTTP ${status} ${response.statusMessage ?? ""}`.trim() });
    });
    request.end();
  });
}
