// Who may read /metrics: a scraper on this machine (loopback), or one presenting RMS_METRICS_TOKEN as a bearer token.
// Nothing else, so a console listening on every interface does not publish its figures by accident.
import { createHash, timingSafeEqual } from "node:crypto";
import net from "node:net";
import { inAddressList } from "@/lib/platform/http/request-gate";

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export type MetricsAccess = "allowed" | "token_required" | "loopback_only";

/** `clientAddress` is the one the console's server settled (socket, or past trusted proxies). */
export function metricsAccess(clientAddress: string | null, authorization: string | null, token: string | undefined): MetricsAccess {
  const bearer = /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization ?? "")?.[1];
  if (token && bearer && sameSecret(bearer, token)) return "allowed";
  if (inAddressList(clientAddress, LOOPBACK)) return "allowed";
  return token ? "token_required" : "loopback_only";
}
