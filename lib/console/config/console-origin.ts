// The console's address as people and scripts reach it: printed in setup links by `npm start` and `npm run rms`.
import type { Env } from "@/lib/console/env";
import { hostForHeader, isWildcardHost, originText } from "@/lib/platform/http/host-rules";

/** A listen address as clients reach it: a wildcard (0.0.0.0, ::) means this machine's loopback. */
export function reachableHost(host: string): string {
  return isWildcardHost(host) ? "127.0.0.1" : hostForHeader(host);
}

type OriginSettings = Pick<Env, "RMS_ALLOWED_HOSTS" | "HOST" | "PORT" | "publicUrl">;

/**
 * The address printed in links: RMS_PUBLIC_URL (what browsers reach, e.g. through a reverse proxy); else the first
 * RMS_ALLOWED_HOSTS entry, else HOST (a wildcard as 127.0.0.1), on PORT.
 */
export function consoleOrigin(env: OriginSettings): string {
  if (env.publicUrl) return originText(env.publicUrl);
  const [first] = env.RMS_ALLOWED_HOSTS ?? [];
  return first ? `http://${first.host}:${first.port ?? env.PORT}` : `http://${reachableHost(env.HOST)}:${env.PORT}`;
}

/** The one-time setup link for a token (lib/console/auth/setup-tokens.ts). */
export function setupLink(env: OriginSettings, token: string): string {
  return `${consoleOrigin(env)}/setup?token=${token}`;
}
