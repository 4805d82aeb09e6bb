// Who is really on the other end of a request. `next start` keeps X-Forwarded-* headers the client sent, so the
// audit log's "from where", the per-address sign-in throttle and the Origin check could be fed by the client.
// Installed once per server process (instrumentation.ts): every incoming request's X-Forwarded-For/-Host/-Proto are
// replaced by what the socket says, unless the peer is a configured trusted proxy (RMS_TRUSTED_PROXIES).
import http from "node:http";
import type { TLSSocket } from "node:tls";

const INSTALLED = Symbol.for("rms.clientAddressGuard");

function normaliseAddress(address: string | undefined): string | undefined {
  return address?.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
}

/** Rewrites the forwarding headers of a request that did not come through a trusted proxy. */
function overwriteForwardedHeaders(request: http.IncomingMessage, trustedProxies: ReadonlySet<string>): void {
  const peer = normaliseAddress(request.socket.remoteAddress);
  if (peer && trustedProxies.has(peer)) return;
  if (peer) request.headers["x-forwarded-for"] = peer;
  else delete request.headers["x-forwarded-for"];
  delete request.headers["x-forwarded-host"];
  delete request.headers["x-forwarded-port"];
  request.headers["x-forwarded-proto"] = (request.socket as TLSSocket).encrypted ? "https" : "http";
}

export function installClientAddressGuard(trustedProxies: ReadonlySet<string>): void {
  const proto = http.Server.prototype as http.Server & { [INSTALLED]?: boolean };
  if (proto[INSTALLED]) return;
  const emit = proto.emit;
  proto.emit = function emitWithGuard(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request" && args[0] instanceof http.IncomingMessage) overwriteForwardedHeaders(args[0], trustedProxies);
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as typeof emit;
  proto[INSTALLED] = true;
}
