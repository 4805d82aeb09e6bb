// Keeps the cluster private key encrypted at rest (AES-256-GCM) under a key-encryption key that never enters the database.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { join } from "node:path";
import { CodedError } from "@/lib/errors/coded-error";

export type KeyEncryptionErrorCode = "missing" | "invalid" | "wrong_key" | "corrupt";

export class KeyEncryptionError extends CodedError<KeyEncryptionErrorCode> {
  override readonly name = "KeyEncryptionError";
}

export interface KeyEncryptionKey {
  id: string;
  key: Buffer;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MASTER_KEY_FILE = "master.key";

function kekFromBytes(key: Buffer): KeyEncryptionKey {
  return { id: createHash("sha256").update(key).digest("hex").slice(0, 16), key };
}

function decodeMasterKey(text: string, source: string): KeyEncryptionKey {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, "base64") : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new KeyEncryptionError(
      "invalid",
      `${source} must be the base64 encoding of exactly ${KEY_BYTES} random bytes (for example: openssl rand -base64 32).`,
    );
  }
  return kekFromBytes(key);
}

function readKeyFile(path: string, source: string): KeyEncryptionKey {
  let text: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) {
      throw new KeyEncryptionError("invalid", `${source} is not a regular file; restore the master key file from backup.`);
    }
    if (process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
      throw new KeyEncryptionError(
        "invalid",
        `${source} is readable or writable by other users (mode ${(stat.mode & 0o777).toString(8)}); run chmod 600 on it (owned by the user the console runs as) and start again.`,
      );
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof KeyEncryptionError || isErrnoCode(error, "ENOENT")) throw error;
    const code = error instanceof Error && "code" in error ? String(error.code) : String(error);
    throw new KeyEncryptionError(
      "invalid",
      `${source} cannot be read (${code}); make it readable by the user the console runs as, mode 600.`,
    );
  }
  return decodeMasterKey(text, source);
}

function isErrnoCode(error: unknown, code: string): boolean {
  return error instanceof Error && "code" in error && error.code === code;
}

/** Where a console's master key comes from: RMS_MASTER_KEY, else the file RMS_MASTER_KEY_FILE names, else the data folder's master.key. */
export interface MasterKeySettings {
  dataDir: string;
  masterKey?: string;
  masterKeyFile?: string;
}

/** The master key's source in words, for messages: the variable, or the file's path. */
export function masterKeySource(opts: MasterKeySettings): string {
  if (opts.masterKey !== undefined && opts.masterKey.trim() !== "") return "RMS_MASTER_KEY";
  if (opts.masterKeyFile !== undefined && opts.masterKeyFile.trim() !== "") return `RMS_MASTER_KEY_FILE (${opts.masterKeyFile})`;
  return join(opts.dataDir, MASTER_KEY_FILE);
}

/**
 * The key-encryption key. Only the data folder's master.key is ever created (createIfMissing, mode 0600): a key given by
 * RMS_MASTER_KEY or RMS_MASTER_KEY_FILE is handed over by the operator, so a missing one is an error.
 */
export function loadKeyEncryptionKey(opts: MasterKeySettings & { createIfMissing: boolean }): KeyEncryptionKey {
  if (opts.masterKey !== undefined && opts.masterKey.trim() !== "") {
    return decodeMasterKey(opts.masterKey, "RMS_MASTER_KEY");
  }
  if (opts.masterKeyFile !== undefined && opts.masterKeyFile.trim() !== "") {
    const source = masterKeySource(opts);
    try {
      return readKeyFile(opts.masterKeyFile, source);
    } catch (error) {
      if (!isErrnoCode(error, "ENOENT")) throw error;
      throw new KeyEncryptionError("missing", `No master key: ${source} does not exist; copy the master key there (mode 600).`);
    }
  }
  const path = join(opts.dataDir, MASTER_KEY_FILE);
  try {
    return readKeyFile(path, path);
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT")) throw error;
  }
  if (!opts.createIfMissing) {
    throw new KeyEncryptionError(
      "missing",
      `No master key: set RMS_MASTER_KEY or RMS_MASTER_KEY_FILE, or restore ${path}. Without it the encrypted cluster keys cannot be read.`,
    );
  }
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    // "wx": never overwrite a key another process created meanwhile.
    fd = openSync(path, "wx", 0o600);
  } catch (error) {
    if (isErrnoCode(error, "EEXIST")) return readKeyFile(path, path);
    throw error;
  }
  try {
    writeSync(fd, `${randomBytes(KEY_BYTES).toString("base64")}\n`);
  } finally {
    closeSync(fd);
  }
  return readKeyFile(path, path);
}

/** The fingerprint of the master key an envelope was encrypted under (the key's id), or null for a damaged envelope. */
export function envelopeKeyId(envelope: string): string | null {
  const [version, kekId] = envelope.split(".");
  return version === "v1" && kekId !== undefined && /^[0-9a-f]{16}$/.test(kekId) ? kekId : null;
}

export function encryptPrivateKey(privateKeyPem: string, kek: KeyEncryptionKey, associatedData: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", kek.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const ciphertext = Buffer.concat([cipher.update(privateKeyPem, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return ["v1", kek.id, iv.toString("base64"), tag.toString("base64"), ciphertext.toString("base64")].join(".");
}

export function decryptPrivateKey(envelope: string, kek: KeyEncryptionKey, associatedData: string): string {
  const parts = envelope.split(".");
  const [version, kekId, ivB64, tagB64, ctB64] = parts;
  if (parts.length !== 5 || version !== "v1" || kekId === undefined || ivB64 === undefined || tagB64 === undefined || ctB64 === undefined) {
    throw new KeyEncryptionError("corrupt", "The stored private key envelope is damaged; restore it from backup or enroll again.");
  }
  if (kekId !== kek.id) {
    throw new KeyEncryptionError(
      "wrong_key",
      `The private key was encrypted under master key ${kekId}, but master key ${kek.id} is loaded; configure the original master key.`,
    );
  }
  const iv = Buffer.from(ivB64, "base64");
  const tag = Buffer.from(tagB64, "base64");
  const ciphertext = Buffer.from(ctB64, "base64");
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES || ciphertext.length === 0) {
    throw new KeyEncryptionError("corrupt", "The stored private key envelope is damaged; restore it from backup or enroll again.");
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", kek.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, "utf8"));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString("utf8");
  } catch {
    throw new KeyEncryptionError(
      "wrong_key",
      "The private key could not be decrypted with the loaded master key (or it was altered); configure the original master key.",
    );
  }
}
