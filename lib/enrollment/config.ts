// The enrollment service process's configuration: one createEnv over the environment, validated once, so a bad value
// stops the start with a message naming the variable. Public to the console's start script (it imports no service internals).

import path from "node:path";
import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";
import { envOptions, validateEnv } from "@/lib/platform/config/env-issues";
import { pgliteSharedBuffers } from "@/lib/platform/db/pglite-memory";
import { parseHostAndPort } from "@/lib/platform/http/host-rules";

export interface EnrollmentConfig {
  host: string;
  port: number;
  dataDir: string;
  validityDays: number;
  issuerName: string;
  /** Who gets an SLC without an operator: `approval` (default) holds every new enrollment; `open` (demos) issues it. */
  policy: "open" | "approval";
  /** PostgreSQL for the service's store (its own schema); PGlite in dataDir when unset. */
  databaseUrl?: string;
  databaseSchema?: string;
  /** Operator-supplied TLS certificate (chain) and key files; otherwise the service issues its own from its CA. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Extra names (DNS or IP) the service's own TLS certificate covers, beyond localhost and loopback addresses. */
  tlsNames: string[];
  /**
   * RMS_ENROLLMENT_ALLOWED_HOSTS: Host header values served besides the loopback names on the service's own port
   * (`host` or `host:port`; a bare host allows any port); null when unset (the listen address on its port).
   */
  allowedHosts: string[] | null;
  /** Submissions per minute per client address (POST /api/enroll, POST /submissions, operator sign-in). */
  rateLimitPerMinute: number;
  /** Issuing pool: worker threads, queue length, per-task deadline. */
  workers: number | null;
  queueLength: number;
  taskTimeoutMs: number;
  /** Bearer token that lets a scraper off this machine read /metrics (loopback needs none). */
  metricsToken: string | null;
  /**
   * RMS_TRUSTED_PROXIES (the console's setting, read here too): reverse proxies whose X-Forwarded-For names the client,
   * so rate limits, pending caps and the event record count each client behind the proxy, not the proxy.
   */
  trustedProxies?: string[];
  /** Held submissions one source may have at once, and in all (RMS_ENROLLMENT_MAX_PENDING_PER_SOURCE, _MAX_PENDING). */
  maxPendingPerSource?: number;
  maxPending?: number;
}

const DEFAULT_VALIDITY_DAYS = 365;
export const MAX_VALIDITY_DAYS = 3650;
const DEFAULT_ENROLLMENT_PORT = 3001;
const DEFAULT_ISSUER_NAME = "RMS Enrollment Service";

const integerText = (name: string, min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\s*\d+\s*$/, { message: `${name} must be a whole number between ${min} and ${max}` })
    .transform((text) => Number(text.trim()))
    .pipe(
      z
        .number()
        .int()
        .min(min, { message: `${name} must be at least ${min}` })
        .max(max, { message: `${name} must be at most ${max}` }),
    )
    .optional()
    .transform((value) => value ?? fallback);

const nameList = (variable: string) =>
  z
    .string()
    .optional()
    .transform((text) =>
      (text ?? "")
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== ""),
    )
    .pipe(
      z.array(
        z
          .string()
          .max(255)
          .regex(/^[A-Za-z0-9.:\-[\]]+$/, { message: `${variable} must be a comma-separated list of host names or IP addresses` }),
      ),
    );

const server = {
  RMS_ENROLLMENT_PORT: integerText("RMS_ENROLLMENT_PORT", 0, 65535, DEFAULT_ENROLLMENT_PORT),
  HOST: z
    .string()
    .trim()
    .max(255)
    .regex(/^[A-Za-z0-9.:\-[\]]+$/, { message: "HOST must be a host name or IP address, e.g. 127.0.0.1" })
    .default("127.0.0.1"),
  RMS_DATA_DIR: z.string().optional(),
  RMS_ENROLLMENT_DATA_DIR: z.string().optional(),
  RMS_SLC_VALIDITY_DAYS: integerText("RMS_SLC_VALIDITY_DAYS", 1, MAX_VALIDITY_DAYS, DEFAULT_VALIDITY_DAYS),
  RMS_ENROLLMENT_ISSUER: z
    .string()
    .trim()
    .max(200, { message: "RMS_ENROLLMENT_ISSUER must be at most 200 characters" })
    .regex(/^[^\u0000-\u001f\u007f]+$/, { message: "RMS_ENROLLMENT_ISSUER must not contain control characters" })
    .default(DEFAULT_ISSUER_NAME),
  RMS_ENROLLMENT_POLICY: z
    .enum(["approval", "open"], { message: "RMS_ENROLLMENT_POLICY must be approval (the default) or open (demos only)" })
    .default("approval"),
  RMS_ENROLLMENT_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, message: "RMS_ENROLLMENT_DATABASE_URL must be a postgres:// URL" })
    .optional(),
  // The embedded store's page cache (read where PGlite is opened, lib/platform/db/pglite-memory.ts; checked here at start).
  RMS_PGLITE_SHARED_BUFFERS: pgliteSharedBuffers,
  RMS_ENROLLMENT_DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, { message: "RMS_ENROLLMENT_DATABASE_SCHEMA must be a lower-case PostgreSQL identifier" })
    .optional(),
  RMS_ENROLLMENT_TLS_CERT: z.string().trim().optional(),
  RMS_ENROLLMENT_TLS_KEY: z.string().trim().optional(),
  RMS_ENROLLMENT_TLS_NAMES: nameList("RMS_ENROLLMENT_TLS_NAMES"),
  // The service's own list; the console's RMS_ALLOWED_HOSTS is not read here (each process its own settings).
  RMS_ENROLLMENT_ALLOWED_HOSTS: nameList("RMS_ENROLLMENT_ALLOWED_HOSTS").superRefine((entries, ctx) => {
    const bad = entries.find((entry) => parseHostAndPort(entry) === null);
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `RMS_ENROLLMENT_ALLOWED_HOSTS must be a comma-separated list of host or host:port (IPv6 in brackets); "${bad.slice(0, 80)}" is not one`,
      });
    }
  }),
  RMS_ENROLLMENT_RATE_LIMIT: integerText("RMS_ENROLLMENT_RATE_LIMIT", 1, 100_000, 120),
  RMS_ENROLLMENT_WORKERS: integerText("RMS_ENROLLMENT_WORKERS", 0, 64, 0),
  RMS_ENROLLMENT_QUEUE: integerText("RMS_ENROLLMENT_QUEUE", 1, 10_000, 64),
  RMS_ENROLLMENT_TASK_TIMEOUT_MS: integerText("RMS_ENROLLMENT_TASK_TIMEOUT_MS", 100, 600_000, 10_000),
  RMS_TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((text) =>
      (text ?? "")
        .split(",")
        .map((part) => part.trim())
        .filter((part) => part !== ""),
    )
    .pipe(
      z.array(
        z.union(
          [z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()],
          "RMS_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges (10.0.0.0/8)",
        ),
      ),
    ),
  RMS_ENROLLMENT_MAX_PENDING_PER_SOURCE: integerText("RMS_ENROLLMENT_MAX_PENDING_PER_SOURCE", 1, 10_000, 5),
  RMS_ENROLLMENT_MAX_PENDING: integerText("RMS_ENROLLMENT_MAX_PENDING", 1, 100_000, 200),
  RMS_METRICS_TOKEN: z.string().trim().min(16, "RMS_METRICS_TOKEN must be at least 16 characters").optional(),
};

export type ConfigResult = { ok: true; config: EnrollmentConfig } | { ok: false; message: string };

/** Reads the enrollment service settings from `source` (empty strings count as unset); relative folders resolve against `cwd`. */
export function loadEnrollmentConfig(source: Record<string, string | undefined>, cwd: string = process.cwd()): ConfigResult {
  const validated = validateEnv("Invalid enrollment service settings:", (onValidationError) =>
    createEnv({ server, ...envOptions(source, onValidationError) }),
  );
  if (!validated.ok) return validated;
  const e: z.output<z.ZodObject<typeof server>> = validated.value;
  if ((e.RMS_ENROLLMENT_TLS_CERT === undefined) !== (e.RMS_ENROLLMENT_TLS_KEY === undefined)) {
    return {
      ok: false,
      message:
        "Invalid enrollment service settings:\n  RMS_ENROLLMENT_TLS_CERT and RMS_ENROLLMENT_TLS_KEY go together: set both (an operator-supplied certificate) or neither (the service issues its own).",
    };
  }
  const dataDir = e.RMS_ENROLLMENT_DATA_DIR
    ? path.resolve(cwd, e.RMS_ENROLLMENT_DATA_DIR)
    : path.resolve(cwd, e.RMS_DATA_DIR ?? "data", "enrollment");
  return {
    ok: true,
    config: {
      host: e.HOST,
      port: e.RMS_ENROLLMENT_PORT,
      dataDir,
      validityDays: e.RMS_SLC_VALIDITY_DAYS,
      issuerName: e.RMS_ENROLLMENT_ISSUER,
      policy: e.RMS_ENROLLMENT_POLICY,
      databaseUrl: e.RMS_ENROLLMENT_DATABASE_URL,
      databaseSchema: e.RMS_ENROLLMENT_DATABASE_SCHEMA,
      tlsCertFile: e.RMS_ENROLLMENT_TLS_CERT ? path.resolve(cwd, e.RMS_ENROLLMENT_TLS_CERT) : undefined,
      tlsKeyFile: e.RMS_ENROLLMENT_TLS_KEY ? path.resolve(cwd, e.RMS_ENROLLMENT_TLS_KEY) : undefined,
      tlsNames: e.RMS_ENROLLMENT_TLS_NAMES,
      allowedHosts: e.RMS_ENROLLMENT_ALLOWED_HOSTS.length > 0 ? e.RMS_ENROLLMENT_ALLOWED_HOSTS : null,
      rateLimitPerMinute: e.RMS_ENROLLMENT_RATE_LIMIT,
      workers: e.RMS_ENROLLMENT_WORKERS === 0 ? null : e.RMS_ENROLLMENT_WORKERS,
      queueLength: e.RMS_ENROLLMENT_QUEUE,
      taskTimeoutMs: e.RMS_ENROLLMENT_TASK_TIMEOUT_MS,
      metricsToken: e.RMS_METRICS_TOKEN ?? null,
      trustedProxies: e.RMS_TRUSTED_PROXIES,
      maxPendingPerSource: e.RMS_ENROLLMENT_MAX_PENDING_PER_SOURCE,
      maxPending: e.RMS_ENROLLMENT_MAX_PENDING,
    },
  };
}

/** The enrollment service process's own settings (`process.env`). */
export function enrollmentConfig(): ConfigResult {
  return loadEnrollmentConfig(process.env);
}
