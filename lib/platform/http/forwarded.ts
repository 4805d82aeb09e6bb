// The origin a browser used to reach the console (scheme, host, port), as the same-origin check, Secure cookies and HSTS
// need it behind a reverse proxy: the Host header, completed by RMS_PUBLIC_URL, and X-Forwarded-Host/-Proto/-Port or
// RFC 7239 Forwarded only when the peer is a trusted proxy. Pure string work; the request gate decides who is trusted.
import { defaultPort, type Origin, parseHostAndPort, type Scheme } from "./host-rules";

/**
 * The request header in which the console's server (lib/platform/http/request-gate.ts) hands the request's origin to the
 * console's own code; always overwritten there, so a client cannot set it.
 */
export const ORIGIN_HEADER = "x-rms-origin";

/** The last comma-separated value of a header (what the nearest proxy appended or set), trimmed; undefined if none. */
function lastValue(header: string | undefined): string | undefined {
  const value = header?.split(",").pop()?.trim();
  return value ? value : undefined;
}

/** Splits on `separator` outside double-quoted strings. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i] ?? "";
    if (char === "\\" && quoted) {
      current += char + (text[i + 1] ?? "");
      i++;
    } else if (char === '"') {
      quoted = !quoted;
      current += char;
    } else if (char === separator && !quoted) {
      parts.push(current);
      current = "";
    } else current += char;
  }
  parts.push(current);
  return parts;
}

/**
 * RFC 7239: the parameters of the header's last element (the one the nearest proxy added), names lower case, quoted
 * values unquoted. An element that does not parse gives no parameters at all.
 */
export function lastForwardedElement(header: string | undefined): Map<string, string> {
  const params = new Map<string, string>();
  const element = header === undefined ? undefined : splitOutsideQuotes(header, ",").pop();
  if (!element?.trim()) return params;
  for (const pair of splitOutsideQuotes(element, ";")) {
    const match = /^\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)=("(?:[^"\\]|\\.)*"|[^\s";,]*)\s*$/.exec(pair);
    if (!match) return new Map();
    const raw = match[2] ?? "";
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, "$1") : raw;
    params.set((match[1] ?? "").toLowerCase(), value);
  }
  return params;
}

function scheme(text: string | undefined): Scheme | undefined {
  const lower = text?.toLowerCase();
  return lower === "http" || lower === "https" ? lower : undefined;
}

export interface OriginInputs {
  /** Whether the connection to the console itself is TLS. */
  encrypted: boolean;
  /** Whether the socket's peer is in RMS_TRUSTED_PROXIES: only then do forwarding headers count. */
  peerTrusted: boolean;
  host: string | undefined;
  forwarded: string | undefined;
  forwardedHost: string | undefined;
  forwardedProto: string | undefined;
  forwardedPort: string | undefined;
}

/**
 * The origin the browser used. Host and scheme: a trusted proxy's X-Forwarded-Host / X-Forwarded-Proto (each the last
 * value), else its Forwarded `host=` / `proto=`, else the Host header and the connection's own scheme. A host without a
 * port takes a trusted X-Forwarded-Port. A request for RMS_PUBLIC_URL's host name, with no port or with the public
 * URL's port, came through the public URL: its scheme (unless a trusted proxy said otherwise) and port are the public
 * URL's — so nginx's `proxy_set_header Host $host;`, which drops the port, still gives the browser's origin.
 * Null when there is no usable host.
 */
export function requestOrigin(inputs: OriginInputs, publicUrl: Origin | null): Origin | null {
  const fromProxy = inputs.peerTrusted ? lastForwardedElement(inputs.forwarded) : new Map<string, string>();
  const told = inputs.peerTrusted ? (scheme(lastValue(inputs.forwardedProto)) ?? scheme(fromProxy.get("proto"))) : undefined;
  const hostText = (inputs.peerTrusted ? (lastValue(inputs.forwardedHost) ?? fromProxy.get("host")) : undefined) ?? inputs.host;
  const named = parseHostAndPort(hostText ?? "");
  if (!named) return null;
  let port = named.port;
  if (port === null && inputs.peerTrusted) {
    const reported = lastValue(inputs.forwardedPort);
    if (reported && /^[0-9]{1,5}$/.test(reported) && Number(reported) >= 1 && Number(reported) <= 65535) port = Number(reported);
  }
  const viaPublic =
    publicUrl !== null &&
    named.host === publicUrl.host &&
    (port === null || port === publicUrl.port) &&
    (told === undefined || told === publicUrl.scheme);
  if (viaPublic) return { ...publicUrl };
  const resolved: Scheme = told ?? (inputs.encrypted ? "https" : "http");
  return { scheme: resolved, host: named.host, port: port ?? defaultPort(resolved) };
}
