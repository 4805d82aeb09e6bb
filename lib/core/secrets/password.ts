// Password hashing with scrypt: self-describing hashes, constant-time checks, and a dummy path for unknown users.
import { randomBytes, type ScryptOptions, scrypt as scryptCallback, timingSafeEqual } from "node:crypto";
import os from "node:os";
import { SCRYPT_COST } from "./password-cost";

export const MAX_PASSWORD_LENGTH = 1024;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** Current cost; hashes made with other parameters are upgraded at the next successful sign-in. */
const SCRYPT_PARAMS: ScryptParams = SCRYPT_COST;
const SALT_BYTES = 32;
const KEY_BYTES = 64;
/** Upper bounds for parameters read back from the database, so a bad row cannot exhaust memory. */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/**
 * A well-formed hash that no password is known to match; verifying against it costs the same as a real
 * check, so an unknown user name takes as long as a wrong password.
 */
export const DUMMY_HASH =
  `scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$7dGk1lT0y5YbJ4mZp2m8T9p8e6m2r1q0w3e4r5t6y7U=$` +
  "Qm9ndXNoYXNoLWZvci11bmtub3duLXVzZXJzLW5vLXBhc3N3b3JkLW1hdGNoZXMtdGhpcy1vbmUtYXQtYWxsLg==";

export class PasswordTooLongError extends Error {
  constructor() {
    super(`Passwords can be at most ${MAX_PASSWORD_LENGTH} characters long.`);
    this.name = "PasswordTooLongError";
  }
}

// At most one scrypt per core at a time: a burst of sign-ins queues here instead of exhausting CPU and memory.
const MAX_CONCURRENT_HASHES = Math.max(1, os.availableParallelism());
let running = 0;
const waiting: Array<() => void> = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waiting.push(resolve));
  else running += 1;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  }
}

function scrypt(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  return withHashSlot(() => scryptNow(password, salt, keyLength, params));
}

let scryptRuns = 0;

/** How many scrypt runs this process has done: what a test counts to show every sign-in path does the same work. */
export function scryptRunCount(): number {
  return scryptRuns;
}

function scryptNow(password: string, salt: Buffer, keyLength: number, params: ScryptParams): Promise<Buffer> {
  scryptRuns += 1;
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // scrypt needs 128 * N * r bytes (128 MiB at the current cost, above Node's 32 MiB default cap).
    maxmem: 256 * params.N * params.r,
  };
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize("NFC"), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

function parseHash(hash: string): ParsedHash | null {
  const parts = hash.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [, n, r, p, salt, key] = parts;
  const num = (v: string | undefined) => (v !== undefined && /^[1-9][0-9]{0,9}$/.test(v) ? Number(v) : NaN);
  const params = { N: num(n), r: num(r), p: num(p) };
  if (!Number.isInteger(params.N) || params.N > MAX_N || (params.N & (params.N - 1)) !== 0 || params.N < 2) return null;
  if (!Number.isInteger(params.r) || params.r > MAX_R || !Number.isInteger(params.p) || params.p > MAX_P) return null;
  const saltBytes = Buffer.from(salt ?? "", "base64");
  const keyBytes = Buffer.from(key ?? "", "base64");
  if (saltBytes.length < 16 || keyBytes.length < 32 || keyBytes.length > 128) return null;
  return { ...params, salt: saltBytes, key: keyBytes };
}

/** Hashes a password as `scrypt$N$r$p$saltB64$hashB64`. Throws PasswordTooLongError beyond 1024 characters. */
export async function hashPassword(password: string): Promise<string> {
  if (password.length > MAX_PASSWORD_LENGTH) throw new PasswordTooLongError();
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(password, salt, KEY_BYTES, SCRYPT_PARAMS);
  const { N, r, p } = SCRYPT_PARAMS;
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/**
 * True when the password matches the hash. Never throws for bad input: an over-long password or a malformed
 * hash still costs one scrypt run (against DUMMY_HASH) and returns false.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  const target = parsed ?? (parseHash(DUMMY_HASH) as ParsedHash);
  const tooLong = password.length > MAX_PASSWORD_LENGTH;
  const candidate = await scrypt(tooLong ? "" : password, target.salt, target.key.length, target);
  return timingSafeEqual(candidate, target.key) && parsed !== null && !tooLong && hash !== DUMMY_HASH;
}

/** True when the hash was made with other parameters than the current ones (or cannot be read). */
export function needsRehash(hash: string): boolean {
  const parsed = parseHash(hash);
  if (!parsed) return true;
  return (
    parsed.N !== SCRYPT_PARAMS.N ||
    parsed.r !== SCRYPT_PARAMS.r ||
    parsed.p !== SCRYPT_PARAMS.p ||
    parsed.salt.length !== SALT_BYTES ||
    parsed.key.length !== KEY_BYTES
  );
}
