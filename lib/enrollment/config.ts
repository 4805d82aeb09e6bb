// Enrollment service settings: read once from the environment and validated, so a bad value stops the start with a clear message.
import path from "node:path";
import { z } from "zod";
import { DEFAULT_VALIDITY_DAYS } from "./issue";

export interface EnrollmentConfig {
  host: string;
  port: number;
  dataDir: string;
  validityDays: number;
  issuerName: string;
}

export const DEFAULT_ENROLLMENT_PORT = 3001;
export const MAX_VALIDITY_DAYS = 3650;
export const DEFAULT_ISSUER_NAME = "RMS Enrollment Service";

// Empty strings count as unset: `RMS_ENROLLMENT_PORT= npm start` should mean "default", not "invalid".
const unsetIfEmpty = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

const integerText = (name: string, min: number, max: number, fallback: number) =>
  z.preprocess(
    unsetIfEmpty,
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
      .transform((value) => value ?? fallback),
  );

const envSchema = z.object({
  RMS_ENROLLMENT_PORT: integerText("RMS_ENROLLMENT_PORT", 0, 65535, DEFAULT_ENROLLMENT_PORT),
  HOST: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .max(255)
      .regex(/^[A-Za-z0-9.:\-[\]]+$/, { message: "HOST must be a host name or IP address, e.g. 127.0.0.1" })
      .optional()
      .transform((value) => value ?? "127.0.0.1"),
  ),
  RMS_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().optional()),
  RMS_ENROLLMENT_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().optional()),
  RMS_SLC_VALIDITY_DAYS: integerText("RMS_SLC_VALIDITY_DAYS", 1, MAX_VALIDITY_DAYS, DEFAULT_VALIDITY_DAYS),
  RMS_ENROLLMENT_ISSUER: z.preprocess(
    unsetIfEmpty,
    z
      .string()
      .trim()
      .max(200, { message: "RMS_ENROLLMENT_ISSUER must be at most 200 characters" })
      .regex(/^[^\u0000-\u001f\u007f]+$/, { message: "RMS_ENROLLMENT_ISSUER must not contain control characters" })
      .optional()
      .transform((value) => value ?? DEFAULT_ISSUER_NAME),
  ),
});

export type ConfigResult = { ok: true; config: EnrollmentConfig } | { ok: false; message: string };

/** Reads the enrollment service settings; relative folders are resolved against `cwd`. */
export function loadEnrollmentConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): ConfigResult {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.join(".");
      return `${variable}: ${issue.message}`;
    });
    return { ok: false, message: `Invalid enrollment service settings. ${problems.join("; ")}.` };
  }
  const e = parsed.data;
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
