// Keeps the cluster private key encrypted at rest (AES-256-GCM) under a key-encryption key that never enters the database.

import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { CodedError } from "@/lib/platform/errors/coded-error";

export type KeyEncryptionErrorCode = "missing" | "invalid" | "wrong_key" | "corrupt";

export class KeyEncryptionError extends CodedError<KeyEncryptionErrorCode> {
  override readonly name = "KeyEncryptionError";
}

export interface KeyEncryptionKey {
  id: string;
  key: Buffer;
  /** Where this console holds it, for messages (the variable, or the file's path); unset for keys built in code. */
  source?: string;
  /**
   * Further keys this console accepts when decrypting (its keyring during a master-key rotation: the staged next key, or
   * the current one once the next is in use); encryption always uses `id`/`key`.
   */
  accepts?: KeyEncryptionKey[];
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
  const ring = loadMasterKeyring(opts);
  if (ring.current) return ring.next ? { ...ring.current, accepts: [ring.next] } : ring.current;
  // Only a rotation interrupted between wiping the old key and renaming the new one leaves the next key alone.
  if (ring.next) return ring.next;
  return loadCurrentKey(opts);
}

function loadCurrentKey(opts: MasterKeySettings & { createIfMissing: boolean }): KeyEncryptionKey {
  if (opts.masterKey !== undefined && opts.masterKey.trim() !== "") {
    return { ...decodeMasterKey(opts.masterKey, "RMS_MASTER_KEY"), source: "RMS_MASTER_KEY" };
  }
  if (opts.masterKeyFile !== undefined && opts.masterKeyFile.trim() !== "") {
    const source = masterKeySource(opts);
    try {
      return { ...readKeyFile(opts.masterKeyFile, source), source };
    } catch (error) {
      if (!isErrnoCode(error, "ENOENT")) throw error;
      throw new KeyEncryptionError("missing", `No master key: ${source} does not exist; copy the master key there (mode 600).`);
    }
  }
  const path = join(opts.dataDir, MASTER_KEY_FILE);
  try {
    return { ...readKeyFile(path, path), source: path };
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
    fd = openSync(/*turbopackIgnore: true*/ path, "wx", 0o600);
  } catch (error) {
    if (isErrnoCode(error, "EEXIST")) return { ...readKeyFile(path, path), source: path };
    throw error;
  }
  try {
    writeSync(fd, `${randomBytes(KEY_BYTES).toString("base64")}\n`);
  } finally {
    closeSync(fd);
  }
  return { ...readKeyFile(path, path), source: path };
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
    const held = kek.accepts?.find((other) => other.id === kekId);
    if (held) return decryptPrivateKey(envelope, { id: held.id, key: held.key }, associatedData);
    const has = [kek.id, ...(kek.accepts ?? []).map((other) => other.id)].join(" and ");
    throw new KeyEncryptionError(
      "wrong_key",
      `The cluster keys are encrypted with master key ${kekId}; this console has master key ${has}` +
        (kek.source ? ` (${kek.source})` : "") +
        ` — copy master key ${kekId} to ${kek.source ?? "this console's master key file"} (mode 600), or stage it as ${nextKeyHint(kek.source)}, then check with: npm run rms -- keys verify.`,
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

// ---------------------------------------------------------------------------------------------------------------------
// Master-key rotation (TechNet: "reset the password for the server's private key"). A console's keyring is its current
// master key plus, while a rotation is under way, the next one: a file beside the current key file named `<file>.next`
// (for RMS_MASTER_KEY, `$RMS_DATA_DIR/master.key.next`). Both decrypt; lib/console/provisioning/master-key-rotation.ts
// re-encrypts everything under the next key in one transaction, then promotes it here and wipes the old file.

const NEXT_SUFFIX = ".next";

function nextKeyHint(source: string | undefined): string {
  if (source === undefined || source === "RMS_MASTER_KEY") return `$RMS_DATA_DIR/${MASTER_KEY_FILE}${NEXT_SUFFIX}`;
  const path = source.startsWith("RMS_MASTER_KEY_FILE (") ? source.slice("RMS_MASTER_KEY_FILE (".length, -1) : source;
  return `${path}${NEXT_SUFFIX}`;
}

/** Where this console's keys live as files: the current key's file (null for RMS_MASTER_KEY) and the next key's file. */
interface MasterKeyPaths {
  /** The current key's file, or null when RMS_MASTER_KEY holds it (an environment variable the console cannot wipe). */
  current: string | null;
  /** The staged next key's file: `<current file>.next`, or the data folder's `master.key.next` beside RMS_MASTER_KEY. */
  next: string;
}

export function masterKeyPaths(opts: MasterKeySettings): MasterKeyPaths {
  if (opts.masterKey !== undefined && opts.masterKey.trim() !== "") {
    return { current: null, next: join(opts.dataDir, MASTER_KEY_FILE + NEXT_SUFFIX) };
  }
  const current =
    opts.masterKeyFile !== undefined && opts.masterKeyFile.trim() !== "" ? opts.masterKeyFile : join(opts.dataDir, MASTER_KEY_FILE);
  return { current, next: current + NEXT_SUFFIX };
}

/** A console's keyring: its current master key and the staged next one, each null when absent. */
interface MasterKeyring {
  current: KeyEncryptionKey | null;
  next: KeyEncryptionKey | null;
  paths: MasterKeyPaths;
}

/** Reads the keyring; a key that is present but unusable (bad mode, bad content) throws KeyEncryptionError. */
export function loadMasterKeyring(opts: MasterKeySettings): MasterKeyring {
  const paths = masterKeyPaths(opts);
  let current: KeyEncryptionKey | null = null;
  try {
    current = loadCurrentKey({ ...opts, createIfMissing: false });
  } catch (error) {
    if (!(error instanceof KeyEncryptionError && error.code === "missing")) throw error;
  }
  let next: KeyEncryptionKey | null = null;
  try {
    next = { ...readKeyFile(paths.next, `${paths.next} (the next master key)`), source: paths.next };
  } catch (error) {
    if (!isErrnoCode(error, "ENOENT")) throw error;
  }
  // The next key equal to the current one (RMS_MASTER_KEY already set to it) is one key, not two.
  if (current && next && next.id === current.id) return { current, next: null, paths };
  return { current, next, paths };
}

/** Creates the next master key file (mode 600, never over an existing one) with 32 fresh random bytes. */
export function createNextMasterKey(opts: MasterKeySettings): KeyEncryptionKey {
  const { next: path } = masterKeyPaths(opts);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(/*turbopackIgnore: true*/ path, "wx", 0o600);
  } catch (error) {
    if (isErrnoCode(error, "EEXIST")) {
      throw new KeyEncryptionError("invalid", `A next master key is already staged at ${path}; use it, or remove it first.`);
    }
    throw new KeyEncryptionError(
      "invalid",
      `The next master key cannot be created at ${path} (${error instanceof Error && "code" in error ? String(error.code) : String(error)}); make its folder writable by the console's user, or stage a key there yourself (openssl rand -base64 32, mode 600).`,
    );
  }
  try {
    writeSync(fd, `${randomBytes(KEY_BYTES).toString("base64")}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { ...readKeyFile(path, path), source: path };
}

/**
 * Overwrites a key file in place (random bytes, then zeros, each flushed to disk) and removes it. On a copy-on-write or
 * journalling file system, an SSD's remapped blocks, a snapshot or a backup, earlier copies may survive: README says so.
 */
export function wipeKeyFile(path: string): void {
  let fd: number;
  try {
    fd = openSync(path, "r+");
  } catch (error) {
    if (isErrnoCode(error, "ENOENT")) return;
    throw error;
  }
  try {
    const size = Math.max(statSync(path).size, 64);
    for (const fill of [randomBytes(size), Buffer.alloc(size)]) {
      writeSync(fd, fill, 0, size, 0);
      fsyncSync(fd);
    }
  } finally {
    closeSync(fd);
  }
  unlinkSync(path);
  syncFolder(dirname(path));
}

function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform can fsync a folder; the rename or unlink itself has happened.
  }
}

/**
 * After the database is re-encrypted under the next key: the next key becomes the current one. A current key file is
 * wiped first, then the next file renamed over it (a crash in between leaves the next key alone, which
 * loadKeyEncryptionKey uses). With RMS_MASTER_KEY the console cannot change its environment: the next file stays until
 * the variable holds the new key (then this wipes the file). Returns what was wiped and what the operator must still do.
 */
export function promoteNextMasterKey(opts: MasterKeySettings): { wiped: string | null; remaining: string | null } {
  const ring = loadMasterKeyring(opts);
  const { paths } = ring;
  if (paths.current === null) {
    const staged = (() => {
      try {
        return readKeyFile(paths.next, paths.next);
      } catch (error) {
        if (isErrnoCode(error, "ENOENT")) return null;
        throw error;
      }
    })();
    if (staged && ring.current && staged.id === ring.current.id) {
      wipeKeyFile(paths.next);
      return { wiped: paths.next, remaining: "the old master key's value in your secret store and in any environment that held it" };
    }
    return {
      wiped: null,
      remaining: `RMS_MASTER_KEY still holds the old key: put the content of ${paths.next} into RMS_MASTER_KEY on every console (and delete the old value from your secret store), restart, then run npm run rms -- keys rotate again to wipe ${paths.next}`,
    };
  }
  if (!ring.next) return { wiped: null, remaining: null };
  if (ring.current) wipeKeyFile(paths.current);
  else rmSync(paths.current, { force: true });
  renameSync(paths.next, paths.current);
  syncFolder(dirname(paths.current));
  return { wiped: paths.current, remaining: null };
}
