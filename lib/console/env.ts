// The console process's configuration: one createEnv over the environment, validated once; a bad value stops the start
// with a message naming the variable.
import path from "node:path";
import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";
import { pkcs11Fields, pkcs11SettingsFrom } from "../core/certificates/pkcs11-settings";
import type { Pkcs11Settings } from "../core/certificates/pkcs11-token";
import { EnvError, envOptions, validateEnv } from "../platform/config/env-issues";
import { pgliteSharedBuffers } from "../platform/db/pglite-memory";
import { parseProxyUrl } from "../platform/http/forward-proxy";
import {
  type AllowedHost,
  defaultAllowedHosts,
  defaultPort,
  hostForHeader,
  isWildcardHost,
  type Origin,
  parseHostAndPort,
  parseOrigin,
} from "../platform/http/host-rules";
import { webhookUrlAllowed } from "./notifications/webhook";

export { EnvError };

const port = z.coerce.number().int().min(1).max(65535);
/** A comma-separated list: entries trimmed, empty ones dropped; unset is the empty list. */
const commaList = z
  .string()
  .trim()
  .default("")
  .transform((v) =>
    v
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean),
  );
const minutesOrHours = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

const server = {
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  PORT: port.default(3000),
  RMS_DATA_DIR: z.string().trim().min(1).default("./data"),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
    .optional(),
  RMS_ENROLLMENT_PORT: port.default(3001),
  // The embedded database's page cache (lib/platform/db/pglite-memory.ts reads it where PGlite is opened; checked here at start).
  RMS_PGLITE_SHARED_BUFFERS: pgliteSharedBuffers,
  // HTTPS only: the console verifies the service against its trust anchors; a plain-HTTP answer could be anyone's.
  RMS_ENROLLMENT_URL: z
    .url({ protocol: /^https$/, error: "RMS_ENROLLMENT_URL must be an https:// address, e.g. https://enroll.contoso.com:3001" })
    .optional(),
  RMS_MASTER_KEY: z.string().trim().optional(),
  // A file holding the master key (base64 of 32 bytes, mode 600): how a second console on the same database gets it.
  RMS_MASTER_KEY_FILE: z.string().trim().optional(),
  // Cluster keys in a PKCS#11 token (README "Keys in an HSM"): the module, the token, its user PIN, and where new keys go.
  RMS_PKCS11_MODULE: pkcs11Fields.module,
  RMS_PKCS11_TOKEN_LABEL: pkcs11Fields.tokenLabel,
  RMS_PKCS11_SLOT: pkcs11Fields.slot,
  RMS_PKCS11_PIN: pkcs11Fields.pin,
  RMS_PKCS11_PIN_FILE: pkcs11Fields.pinFile,
  RMS_CLUSTER_KEY_STORE: z.enum(["file", "pkcs11"]).default("file"),
  RMS_TRUST_ANCHORS: z.string().trim().optional(),
  // The enrollment root's SHA-256 fingerprint, as `openssl x509 -noout -fingerprint -sha256` prints it (colons optional).
  RMS_TRUST_ANCHOR_SHA256: z
    .string()
    .trim()
    .regex(
      /^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$/,
      "RMS_TRUST_ANCHOR_SHA256 must be a SHA-256 fingerprint: 64 hexadecimal digits, colons between pairs optional",
    )
    .transform((v) => v.replace(/:/g, "").toUpperCase())
    .optional(),
  RMS_ALLOWED_HOSTS: z
    .string()
    .trim()
    .transform((v, ctx) => {
      const entries: AllowedHost[] = [];
      for (const text of v.split(",").map((e) => e.trim())) {
        const entry = text ? parseHostAndPort(text) : null;
        if (entry) entries.push(entry);
        else {
          ctx.addIssue({
            code: "custom",
            message: `RMS_ALLOWED_HOSTS must be a comma-separated list of host or host:port (IPv6 in brackets); "${text.slice(0, 80)}" is not one`,
          });
          return z.NEVER;
        }
      }
      return entries;
    })
    .optional(),
  // The console's address as browsers reach it (a reverse proxy's): scheme, host, optional port, nothing else.
  RMS_PUBLIC_URL: z
    .string()
    .trim()
    .transform((text, ctx) => {
      const origin = parseOrigin(text.replace(/\/$/, ""));
      if (!origin) {
        ctx.addIssue({
          code: "custom",
          message: `RMS_PUBLIC_URL must be the console's address as browsers reach it: http(s)://host or http(s)://host:port, without a path (e.g. https://rms.contoso.com:8443); "${text.slice(0, 80)}" is not one`,
        });
        return z.NEVER;
      }
      return origin;
    })
    .optional(),
  RMS_DOMAIN: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9-]{1,15}$/, "RMS_DOMAIN must be a NetBIOS-style name (letters, digits, -; at most 15)")
    .optional(),
  RMS_SESSION_IDLE_MINUTES: minutesOrHours(24 * 60, 30),
  RMS_SESSION_MAX_HOURS: minutesOrHours(24 * 7, 8),
  // Online renewal asks before replacing a certificate with more days left than this (or gaining under 30 days);
  // `off`: it never asks, and installs what the service signed at once (as the CLI and automatic renewal do).
  RMS_RENEW_CONFIRM_DAYS_LEFT: z
    .union([z.literal("off"), z.coerce.number().int().min(0).max(3650)], {
      error: "RMS_RENEW_CONFIRM_DAYS_LEFT must be a number of days (0 to 3650) or off",
    })
    .default(30),
  // Bearer token that lets a scraper off this machine read /metrics (loopback needs none); at least 16 characters.
  RMS_METRICS_TOKEN: z.string().trim().min(16, "RMS_METRICS_TOKEN must be at least 16 characters").optional(),
  // Notifications of expiry events: a signed webhook and/or e-mail over SMTP with STARTTLS.
  RMS_NOTIFY_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: "RMS_NOTIFY_WEBHOOK_URL must be an http(s):// URL" }).optional(),
  RMS_NOTIFY_WEBHOOK_SECRET: z.string().min(16, "RMS_NOTIFY_WEBHOOK_SECRET must be at least 16 characters").optional(),
  RMS_SMTP_HOST: z.string().trim().min(1).max(253).optional(),
  RMS_SMTP_PORT: port.default(587),
  RMS_SMTP_USER: z.string().min(1).max(256).optional(),
  RMS_SMTP_PASSWORD: z.string().min(1).max(1024).optional(),
  RMS_SMTP_CA_FILE: z.string().trim().min(1).optional(),
  RMS_NOTIFY_EMAIL_FROM: z.email("RMS_NOTIFY_EMAIL_FROM must be an e-mail address").optional(),
  RMS_NOTIFY_EMAIL_TO: commaList.pipe(z.array(z.email("RMS_NOTIFY_EMAIL_TO must be a comma-separated list of e-mail addresses"))),
  RMS_ENROLLMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  RMS_ENROLLMENT_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(3_000),
  RMS_SECURE_COOKIES: z.enum(["true", "false", "auto"]).default("auto"),
  // How often the expiry monitor checks every cluster's SLC: 90s, 15m, 1h (1 s to 24 h; seconds serve tests that watch rounds).
  RMS_MONITOR_INTERVAL: z
    .string()
    .trim()
    .default("1h")
    .transform((text, ctx) => {
      const match = /^([0-9]{1,6})(s|m|h)$/.exec(text);
      const ms = match ? Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as "s" | "m" | "h"] : Number.NaN;
      if (!(ms >= 1_000 && ms <= 24 * 3_600_000)) {
        ctx.addIssue({
          code: "custom",
          message: `RMS_MONITOR_INTERVAL must be a duration such as 90s, 15m or 1h, from 1s to 24h; "${text.slice(0, 40)}" is not`,
        });
        return z.NEVER;
      }
      return ms;
    }),
  RMS_TRUSTED_PROXIES: commaList.pipe(
    z.array(
      z.union(
        [z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()],
        "RMS_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges (10.0.0.0/8)",
      ),
    ),
  ),
  // Internal addresses (loopback, link-local, private, metadata) that notification targets set on the Settings page may
  // reach anyway; by default they may reach none (lib/console/notifications/outbound.ts).
  RMS_OUTBOUND_ALLOW_PRIVATE: commaList.pipe(
    z.array(
      z.union(
        [z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()],
        "RMS_OUTBOUND_ALLOW_PRIVATE must be a comma-separated list of IP addresses or CIDR ranges (10.0.0.0/8)",
      ),
    ),
  ),
  // Directory accounts (LDAP / Active Directory); TLS always: ldaps://, or ldap:// on which StartTLS is required.
  RMS_LDAP_URL: z
    .url({
      protocol: /^ldaps?$/,
      error: "RMS_LDAP_URL must be an ldaps:// address (or ldap://, used with StartTLS), e.g. ldaps://dc1.contoso.com",
    })
    .optional(),
  RMS_LDAP_CA_FILE: z.string().trim().optional(),
  RMS_LDAP_BIND_DN: z.string().trim().max(1024).optional(),
  RMS_LDAP_BIND_PASSWORD: z.string().max(1024).optional(),
  RMS_LDAP_USER_DN_TEMPLATE: z
    .string()
    .trim()
    .refine((v) => v.includes("{user}"), "RMS_LDAP_USER_DN_TEMPLATE must contain {user}, e.g. uid={user},ou=people,dc=contoso,dc=com")
    .optional(),
  RMS_LDAP_USER_BASE: z.string().trim().max(1024).optional(),
  RMS_LDAP_USER_FILTER: z
    .string()
    .trim()
    .refine(
      (v) => v.includes("{user}") && v.startsWith("(") && v.endsWith(")"),
      "RMS_LDAP_USER_FILTER must be an LDAP filter in parentheses containing {user}",
    )
    .optional(),
  RMS_LDAP_GROUP_BASE: z.string().trim().max(1024).optional(),
  RMS_LDAP_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  // The UPN suffixes user@suffix signs in with (comma-separated); unset: the directory's own (lib/console/auth/directory.ts).
  RMS_LDAP_UPN_SUFFIXES: z
    .string()
    .trim()
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(
          z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/, "RMS_LDAP_UPN_SUFFIXES must list DNS names, e.g. contoso.com,corp.contoso.com"),
        )
        .min(1, "RMS_LDAP_UPN_SUFFIXES must name at least one suffix, e.g. contoso.com"),
    )
    .optional(),
  RMS_ADMIN_GROUPS: z
    .string()
    .trim()
    .default("Administrators,Domain Admins")
    .transform((v) =>
      v
        .split(",")
        .map((g) => g.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().max(256)).min(1, "RMS_ADMIN_GROUPS must name at least one group")),
  RMS_LOCAL_ACCOUNTS: z.enum(["on", "off"], "RMS_LOCAL_ACCOUNTS must be on or off").default("on"),
  // The forward proxy for outbound HTTPS when the RMS proxy settings page sets none (https_proxy/no_proxy also read).
  HTTPS_PROXY: z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      try {
        parseProxyUrl(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `HTTPS_PROXY: ${error instanceof Error ? error.message : String(error)}` });
      }
    })
    .optional(),
  NO_PROXY: z.string().trim().optional(),
};

type Parsed = z.output<z.ZodObject<typeof server>>;

/** What the directory settings lack when RMS_LDAP_URL is set, or null. */
function directoryProblem(parsed: Parsed): string | null {
  if (!parsed.RMS_LDAP_URL) {
    return parsed.RMS_LOCAL_ACCOUNTS === "off"
      ? "RMS_LOCAL_ACCOUNTS: off needs RMS_LDAP_URL (directory accounts); with neither, nobody could sign in"
      : null;
  }
  if (!parsed.RMS_DOMAIN)
    return "RMS_DOMAIN: set it to the directory's domain name (e.g. CONTOSO) when RMS_LDAP_URL is set; users appear as DOMAIN\\user";
  if (!parsed.RMS_LDAP_GROUP_BASE) return "RMS_LDAP_GROUP_BASE: set the DN under which groups are searched (e.g. dc=contoso,dc=com)";
  if (!parsed.RMS_LDAP_USER_DN_TEMPLATE && !parsed.RMS_LDAP_USER_BASE) {
    return "RMS_LDAP_USER_BASE: set the DN under which users are searched, or RMS_LDAP_USER_DN_TEMPLATE";
  }
  if (parsed.RMS_LDAP_BIND_DN && parsed.RMS_LDAP_BIND_PASSWORD === undefined)
    return "RMS_LDAP_BIND_PASSWORD: set the service account's password";
  return null;
}

/** Notification settings that cannot work as given, or null. */
function notificationProblem(parsed: Parsed): string | null {
  if (parsed.RMS_NOTIFY_WEBHOOK_URL) {
    if (!parsed.RMS_NOTIFY_WEBHOOK_SECRET) return "RMS_NOTIFY_WEBHOOK_SECRET: set the secret the webhook's signature is made with";
    if (!webhookUrlAllowed(new URL(parsed.RMS_NOTIFY_WEBHOOK_URL)))
      return "RMS_NOTIFY_WEBHOOK_URL: use https:// (plain http:// only to this machine)";
  }
  if (parsed.RMS_SMTP_HOST) {
    if (!parsed.RMS_NOTIFY_EMAIL_FROM) return "RMS_NOTIFY_EMAIL_FROM: set the sender address of notification e-mail";
    if (parsed.RMS_NOTIFY_EMAIL_TO.length === 0) return "RMS_NOTIFY_EMAIL_TO: set who receives notification e-mail";
    if (parsed.RMS_SMTP_USER && !parsed.RMS_SMTP_PASSWORD) return "RMS_SMTP_PASSWORD: set the password of RMS_SMTP_USER";
  }
  return null;
}

export type Env = Parsed & {
  dataDir: string;
  enrollmentUrl: string;
  trustAnchorsPath: string;
  /**
   * RMS_ALLOWED_HOSTS, or loopback names and HOST on PORT; plus RMS_PUBLIC_URL's host on its port and without a port
   * (a proxy's `Host $host`): the Host values the console answers (others get 421).
   */
  allowedHosts: AllowedHost[];
  /** RMS_PUBLIC_URL, or null. */
  publicUrl: Origin | null;
  /** The PKCS#11 token for cluster keys (RMS_PKCS11_*), or null when none is configured. */
  pkcs11: Pkcs11Settings | null;
};

/** The allowed Host values with the public URL's: its host:port, and its host alone (a Host without a port). */
function withPublicHost(hosts: AllowedHost[], publicUrl: Origin | undefined): AllowedHost[] {
  if (!publicUrl) return hosts;
  const own = [
    { host: publicUrl.host, port: publicUrl.port },
    { host: publicUrl.host, port: defaultPort(publicUrl.scheme) },
  ];
  return [...hosts, ...own.filter((e) => !hosts.some((h) => h.host === e.host && h.port === e.port))];
}

/** Validates `source` (the process environment, or a test's own object); empty strings count as unset. */
export function loadEnv(source: Record<string, string | undefined>): { ok: true; env: Env } | { ok: false; message: string } {
  const validated = validateEnv("Invalid configuration:", (onValidationError) =>
    createEnv({
      server,
      ...envOptions(
        { ...source, HTTPS_PROXY: source.HTTPS_PROXY || source.https_proxy, NO_PROXY: source.NO_PROXY || source.no_proxy },
        onValidationError,
      ),
    }),
  );
  if (!validated.ok) return validated;
  const parsed: Parsed = validated.value;
  const dataDir = path.resolve(/*turbopackIgnore: true*/ parsed.RMS_DATA_DIR);
  const problem =
    directoryProblem(parsed) ??
    notificationProblem(parsed) ??
    (parsed.RMS_MASTER_KEY && parsed.RMS_MASTER_KEY_FILE ? "RMS_MASTER_KEY_FILE: set it or RMS_MASTER_KEY, not both" : null);
  const pkcs11 = pkcs11SettingsFrom(
    {
      module: parsed.RMS_PKCS11_MODULE,
      tokenLabel: parsed.RMS_PKCS11_TOKEN_LABEL,
      slot: parsed.RMS_PKCS11_SLOT,
      pin: parsed.RMS_PKCS11_PIN,
      pinFile: parsed.RMS_PKCS11_PIN_FILE,
    },
    "RMS_PKCS11",
    parsed.RMS_CLUSTER_KEY_STORE === "pkcs11" ? "RMS_CLUSTER_KEY_STORE=pkcs11 puts new cluster keys in the token" : null,
  );
  if (problem) return { ok: false, message: `Invalid configuration:\n  ${problem}` };
  if (!pkcs11.ok) return { ok: false, message: `Invalid configuration:\n  ${pkcs11.problem}` };
  return {
    ok: true,
    env: {
      ...parsed,
      RMS_MASTER_KEY_FILE: parsed.RMS_MASTER_KEY_FILE && path.resolve(/*turbopackIgnore: true*/ parsed.RMS_MASTER_KEY_FILE),
      dataDir,
      pkcs11: pkcs11.settings,
      // Unset: the bundled service `npm start` runs, which listens on HOST (a wildcard is reached at 127.0.0.1).
      enrollmentUrl:
        parsed.RMS_ENROLLMENT_URL ??
        `https://${isWildcardHost(parsed.HOST) ? "127.0.0.1" : hostForHeader(parsed.HOST)}:${parsed.RMS_ENROLLMENT_PORT}`,
      trustAnchorsPath: path.resolve(/*turbopackIgnore: true*/ parsed.RMS_TRUST_ANCHORS ?? path.join(dataDir, "trust-anchors.pem")),
      allowedHosts: withPublicHost(parsed.RMS_ALLOWED_HOSTS ?? defaultAllowedHosts(parsed.HOST, parsed.PORT), parsed.RMS_PUBLIC_URL),
      publicUrl: parsed.RMS_PUBLIC_URL ?? null,
    },
  };
}

let cached: Env | undefined;

/** The process environment, validated on first use; throws EnvError (naming the variables) when it is invalid. */
export function env(): Env {
  if (cached) return cached;
  const loaded = loadEnv(process.env);
  if (!loaded.ok) throw new EnvError(loaded.message);
  cached = loaded.env;
  return cached;
}
