// What every route of the enrollment service gets: the desk, its settings, the operator store, and per-request locale,
// translator and client address (set by the app's first middleware).
import type { Context } from "hono";
import { isOwnOrigin, parseOrigin } from "@/lib/platform/http/host-rules";
import type { Locale } from "@/lib/platform/i18n/locales";
import type { Translator } from "@/lib/platform/i18n/messages";
import type { EnrollmentConfig } from "../config";
import type { EnrollmentDb, EnrollmentDbHandle } from "../db/client";
import type { Desk } from "../desk";
import type { EnrollmentMetrics } from "../metrics";
import type { OperatorThrottle } from "../operator-throttle";
import type { RateLimiter } from "../rate-limit";
import type { CrlPublisher } from "../revocations";

export interface ServiceDeps {
  config: EnrollmentConfig;
  desk: Desk;
  db: EnrollmentDb;
  /** The store with its kind (revocation takes the GUID's advisory lock on PostgreSQL). */
  handle: EnrollmentDbHandle;
  /** The signed revocation list (GET /crl) and its issuer (GET /ca.pem). */
  crl: CrlPublisher;
  limiter: RateLimiter;
  operatorThrottle: OperatorThrottle;
  rootFingerprint: string;
  rootCertPem: string;
  clock: () => Date;
  logError: (message: string, error: unknown) => void;
  metrics: EnrollmentMetrics;
}

export type AppEnv = { Variables: { locale: Locale; t: Translator; client: string | null } };
export type AppContext = Context<AppEnv>;

/** The API's error shape: a stable code and an English sentence saying what to do. */
export function apiError(c: AppContext, status: number, error: string, message: string, headers: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.json({ error, message }, status as 400);
}

/**
 * A browser form post is accepted only from this service's own pages: the same rule as the console's
 * (lib/platform/http/host-rules.ts), the request's own origin being https:// and the Host it was sent to.
 */
export function isSameOrigin(c: AppContext): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  return isOwnOrigin(origin, parseOrigin(`https://${c.req.header("host") ?? ""}`), null);
}

/** Content-Disposition for a download; the name is reduced to safe characters whatever it held. */
export function attachment(fileName: string): string {
  const safe =
    fileName
      .replace(/[^A-Za-z0-9._-]/g, "_")
      .replace(/^\.+/, "_")
      .slice(0, 200) || "download";
  return `attachment; filename="${safe}"`;
}

export const SUBMISSION_ID = /^[0-9a-f]{32}$/;
export const REQUEST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
