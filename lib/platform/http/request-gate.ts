// What the console's own HTTP server (scripts/console-server.ts) does to every request before Next sees it:
//  - who is on the other end: the socket's address, or X-Forwarded-For walked from the right while the hop that
//    reported it is a trusted proxy (RMS_TRUSTED_PROXIES; proxy-addr semantics). The result replaces the client's
//    forwarding headers, so the audit log, the sign-in throttle and the origin checks never see a made-up address;
//  - which origin the browser used (lib/platform/http/forwarded.ts: Host, RMS_PUBLIC_URL, a trusted proxy's forwarding
//    headers), handed to the console's code in x-rms-origin. Next itself is told only the connection's own scheme
//    (x-forwarded-proto): it fetches a server action's redirect target from itself at that scheme, and the console
//    listens on plain HTTP behind a TLS-terminating proxy;
//  - how large a state-changing body is, counted as it arrives rather than read from Content-Length: a chunked
//    upload over the limit gets 413, never a 500 from deep inside the framework.
// Plain Node, no framework imports and no patched prototypes: the server passes requests through `gate`.
import http from "node:http";
import net from "node:net";
import type { TLSSocket } from "node:tls";
import { ORIGIN_HEADER, requestOrigin } from "./forwarded";
import { type Origin, originHost, originText } from "./host-rules";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** The largest state-changing body; must equal experimental.serverActions.bodySizeLimit in next.config.js. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Trusted proxies as a BlockList: single addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`). */
export function trustedProxyList(entries: readonly string[]): net.BlockList {
  const list = new net.BlockList();
  for (const entry of entries) {
    const [address = "", prefix] = entry.split("/");
    const family = net.isIPv6(address) ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(prefix), family);
  }
  return list;
}

function normaliseAddress(address: string): string {
  return address.startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** Whether an IP address (either family) is in the list; anything that is not an address is not. */
export function inAddressList(address: string | null, list: net.BlockList): boolean {
  if (address && net.isIPv4(address)) return list.check(address, "ipv4");
  if (address && net.isIPv6(address)) return list.check(address, "ipv6");
  return false;
}

/**
 * The client's address: start at the socket's peer and move one hop left in X-Forwarded-For for as long as the
 * current hop is a trusted proxy; an entry that is not an IP address stops the walk at the hop that sent it.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trusted: net.BlockList): string | null {
  if (!peer) return null;
  let current = normaliseAddress(peer);
  const hops = (forwardedFor ?? "")
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  while (inAddressList(current, trusted)) {
    const next = hops.pop();
    if (next === undefined || !net.isIP(normaliseAddress(next))) break;
    current = normaliseAddress(next);
  }
  return current;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

export interface GateOptions {
  trustedProxies: net.BlockList;
  /** RMS_PUBLIC_URL, when set. */
  publicUrl: Origin | null;
  /** Largest body a state-changing request may carry, in bytes. */
  bodyLimitBytes: number;
}

/** What a refused client may still send (discarded) before the connection is cut: enough to read the answer. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;
const DRAIN_LIMIT_MS = 5_000;

/**
 * Answers 413 and discards the rest of the body, so the client, still sending, gets to read the answer instead of a
 * reset connection; a client that keeps sending past the drain limits is cut off.
 */
function refuseTooLarge(request: http.IncomingMessage, response: http.ServerResponse): void {
  let discarded = 0;
  const cut = () => request.socket.destroy();
  const timer = setTimeout(cut, DRAIN_LIMIT_MS);
  timer.unref();
  request.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DRAIN_LIMIT_BYTES) cut();
  });
  request.once("close", () => clearTimeout(timer));
  request.resume();
  response.writeHead(413, { "content-type": "text/plain; charset=utf-8" });
  response.end("Request too large.\n");
}

/**
 * A copy of `original` carrying `body` as a complete, known-length stream: what the framework reads after the
 * gate has counted a chunked body.
 */
function withBody(original: http.IncomingMessage, body: Buffer): http.IncomingMessage {
  const replay = new http.IncomingMessage(original.socket);
  replay.method = original.method;
  replay.url = original.url;
  replay.httpVersion = original.httpVersion;
  replay.httpVersionMajor = original.httpVersionMajor;
  replay.httpVersionMinor = original.httpVersionMinor;
  const headers = { ...original.headers, "content-length": String(body.length) };
  delete headers["transfer-encoding"];
  replay.headers = headers;
  replay.rawHeaders = Object.entries(headers).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value ?? ""]).flatMap((v) => [name, v]),
  );
  replay.complete = true;
  replay.push(body);
  replay.push(null);
  return replay;
}

/**
 * `withBody` builds an IncomingMessage itself (Node documents no constructor for it): checked once at start, on this
 * Node, that the copy reads as the framework reads a request — method, URL, headers and raw headers with the counted
 * length and no Transfer-Encoding, complete, its body exactly the bytes given. Throws naming what differs.
 */
export function checkReplayShape(): void {
  const socket = new net.Socket();
  try {
    const original = new http.IncomingMessage(socket);
    original.method = "POST";
    original.url = "/check";
    original.headers = { host: "127.0.0.1", "transfer-encoding": "chunked" };
    const replay = withBody(original, Buffer.from("body"));
    const problems: string[] = [];
    if (!(replay instanceof http.IncomingMessage)) problems.push("not an http.IncomingMessage");
    if (replay.method !== "POST" || replay.url !== "/check") problems.push("method or URL lost");
    if (replay.headers["content-length"] !== "4" || "transfer-encoding" in replay.headers) problems.push("headers not replaced");
    if (replay.rawHeaders.join(" ") !== "host 127.0.0.1 content-length 4") problems.push(`raw headers ${replay.rawHeaders.join(" ")}`);
    if (!replay.complete) problems.push("not complete");
    const body = replay.read() as Buffer | null;
    if (body?.toString() !== "body" || replay.read() !== null) problems.push("body not replayed exactly");
    if (problems.length > 0) {
      throw new Error(
        `This Node.js (${process.version}) builds the request gate's replayed request differently (${problems.join("; ")}); ` +
          "chunked uploads would reach the framework wrong. Adapt withBody in lib/platform/http/request-gate.ts.",
      );
    }
  } finally {
    socket.destroy();
  }
}

/** Reads a body of unknown length, up to `limit` bytes; null when it is larger (the rest is not read). */
function readBounded(request: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off("data", onData);
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    request.on("data", onData);
    request.once("end", () => resolve(Buffer.concat(chunks)));
    request.once("error", reject);
  });
}

/**
 * Sanitises the forwarding headers, enforces the body limit, and calls `next` with the request the framework
 * should see, or answers 413 itself.
 */
export async function gate(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  options: GateOptions,
  next: (request: http.IncomingMessage) => void,
): Promise<void> {
  const address = clientAddress(request.socket.remoteAddress, headerValue(request.headers["x-forwarded-for"]), options.trustedProxies);
  const peer = request.socket.remoteAddress;
  const encrypted = Boolean((request.socket as TLSSocket).encrypted);
  const origin = requestOrigin(
    {
      encrypted,
      peerTrusted: peer !== undefined && inAddressList(normaliseAddress(peer), options.trustedProxies),
      host: request.headers.host,
      forwarded: headerValue(request.headers.forwarded),
      forwardedHost: headerValue(request.headers["x-forwarded-host"]),
      forwardedProto: headerValue(request.headers["x-forwarded-proto"]),
      forwardedPort: headerValue(request.headers["x-forwarded-port"]),
    },
    options.publicUrl,
  );
  if (address) request.headers["x-forwarded-for"] = address;
  else delete request.headers["x-forwarded-for"];
  if (origin) {
    request.headers[ORIGIN_HEADER] = originText(origin);
    request.headers["x-forwarded-host"] = originHost(origin);
  } else {
    delete request.headers[ORIGIN_HEADER];
    delete request.headers["x-forwarded-host"];
  }
  // The connection's own scheme, never the proxy's: Next builds the URL it fetches itself at from it.
  request.headers["x-forwarded-proto"] = encrypted ? "https" : "http";
  delete request.headers["x-forwarded-port"];
  delete request.headers.forwarded;

  if (SAFE_METHODS.has(request.method ?? "GET")) return next(request);
  const declared = request.headers["content-length"];
  if (declared !== undefined && request.headers["transfer-encoding"] === undefined) {
    // Node's parser delivers exactly Content-Length bytes, so a declared length within the limit is the real one.
    if (!/^[0-9]{1,12}$/.test(declared) || Number(declared) > options.bodyLimitBytes) {
      return refuseTooLarge(request, response);
    }
    return next(request);
  }
  const body = await readBounded(request, options.bodyLimitBytes).catch(() => null);
  if (body === null) return refuseTooLarge(request, response);
  next(withBody(request, body));
}
