// The enrollment service process's configuration: one createEnv over the environment, validated once, so a bad value
// stops the start with a message naming the variable. Public to the console's start script (it imports no service internals).
import path from "node:path";
import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";
import { envOptions, validateEnv } from "@/lib/config/env-issues";

export interface EnrollmentConfig {
  host: string;
  port: number;
  dataDir: string;
  validityDays: number;
  issuerName: string;
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
};

export type ConfigResult = { ok: true; config: EnrollmentConfig } | { ok: false; message: string };

/** Reads the enrollment service settings from `source` (empty strings count as unset); relative folders resolve against `cwd`. */
export function loadEnrollmentConfig(source: Record<string, string | undefined>, cwd: string = process.cwd()): ConfigResult {
  const validated = validateEnv("Invalid enrollment service settings:", (onValidationError) =>
    createEnv({ server, ...envOptions(source, onValidationError) }),
  );
  if (!validated.ok) return validated;
  const e: z.output<z.ZodObject<typeof server>> = validated.value;
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
    },
  };
}

/** The enrollment service process's own settings (`process.env`). */
export function enrollmentConfig(): ConfigResult {
  return loadEnrollmentConfig(process.env);
}
