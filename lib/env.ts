// Console configuration, read from the environment once and validated with zod.
import path from "node:path";
import { z } from "zod";

const port = z.coerce.number().int().min(1).max(65535);
const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const envSchema = z.object({
  HOST: z.string().trim().min(1).default("127.0.0.1"),
  PORT: port.default(3000),
  RMS_DATA_DIR: z.string().trim().min(1).default("./data"),
  DATABASE_URL: optionalText.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
      .optional(),
  ),
  RMS_ENROLLMENT_PORT: port.default(3001),
  RMS_ENROLLMENT_URL: optionalText.pipe(z.url({ protocol: /^https?$/ }).optional()),
  RMS_MASTER_KEY: optionalText,
  RMS_TRUST_ANCHORS: optionalText,
  RMS_DOMAIN: optionalText.pipe(
    z
      .string()
      .regex(/^[A-Za-z0-9-]{1,15}$/, "RMS_DOMAIN must be a NetBIOS-style name (letters, digits, -; at most 15)")
      .optional(),
  ),
  RMS_SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(30),
  RMS_SESSION_MAX_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 7)
    .default(8),
  RMS_ENROLLMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  RMS_ENROLLMENT_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(3_000),
  RMS_SECURE_COOKIES: z.enum(["true", "false", "auto"]).default("auto"),
  RMS_TRUSTED_PROXIES: z
    .string()
    .trim()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.union([z.ipv4(), z.ipv6()], "RMS_TRUSTED_PROXIES must be a comma-separated list of IP addresses"))),
});

export type Env = z.infer<typeof envSchema> & {
  dataDir: string;
  enrollmentUrl: string;
  trustAnchorsPath: string;
};

export class EnvError extends Error {}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "env"}: ${i.message}`);
    throw new EnvError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(/*turbopackIgnore: true*/ env.RMS_DATA_DIR);
  return {
    ...env,
    dataDir,
    enrollmentUrl: env.RMS_ENROLLMENT_URL ?? `http://127.0.0.1:${env.RMS_ENROLLMENT_PORT}`,
    trustAnchorsPath: path.resolve(/*turbopackIgnore: true*/ env.RMS_TRUST_ANCHORS ?? path.join(dataDir, "trust-anchors.pem")),
  };
}

let cached: Env | undefined;

/** The process environment, validated on first use. */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
