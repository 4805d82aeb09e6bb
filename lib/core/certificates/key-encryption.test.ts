// The cluster private key at rest: AES-256-GCM under a master key kept outside the database.

import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createNextMasterKey,
  decryptPrivateKey,
  encryptPrivateKey,
  envelopeKeyId,
  KeyEncryptionError,
  type KeyEncryptionErrorCode,
  loadKeyEncryptionKey,
  loadMasterKeyring,
  masterKeyPaths,
  masterKeySource,
  promoteNextMasterKey,
  wipeKeyFile,
} from "./key-encryption";
import { generateClusterKeyPair } from "./keys";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "rms-kek-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(fn: () => unknown): KeyEncryptionErrorCode | "ok" {
  try {
    fn();
    return "ok";
  } catch (error) {
    if (error instanceof KeyEncryptionError) return error.code;
    throw error;
  }
}

describe("loadKeyEncryptionKey", () => {
  it("creates master.key once with mode 0600 and never regenerates it", () => {
    expect(codeOf(() => loadKeyEncryptionKey({ dataDir: dir, createIfMissing: false }))).toBe("missing");
    const first = loadKeyEncryptionKey({ dataDir: dir, createIfMissing: true });
    expect(first.key).toHaveLength(32);
    expect(first.id).toMatch(/^[0-9a-f]{16}$/);
    expect(statSync(join(dir, "master.key")).mode & 0o777).toBe(0o600);
    expect(loadKeyEncryptionKey({ dataDir: dir, createIfMissing: true }).id).toBe(first.id);
    expect(loadKeyEncryptionKey({ dataDir: dir, createIfMissing: false }).id).toBe(first.id);
  });

  it("prefers RMS_MASTER_KEY and validates its length", () => {
    const key = randomBytes(32);
    const kek = loadKeyEncryptionKey({ dataDir: dir, masterKey: key.toString("base64"), createIfMissing: false });
    expect(kek.key.equals(key)).toBe(true);
    expect(codeOf(() => loadKeyEncryptionKey({ dataDir: dir, masterKey: randomBytes(16).toString("base64"), createIfMissing: true }))).toBe(
      "invalid",
    );
    expect(codeOf(() => loadKeyEncryptionKey({ dataDir: dir, masterKey: "not base64!", createIfMissing: true }))).toBe("invalid");
  });

  it("refuses a key file that others can read, or of the wrong length", () => {
    const path = join(dir, "master.key");
    writeFileSync(path, randomBytes(32).toString("base64"), { mode: 0o644 });
    chmodSync(path, 0o644);
    expect(codeOf(() => loadKeyEncryptionKey({ dataDir: dir, createIfMissing: true }))).toBe("invalid");
    writeFileSync(path, randomBytes(31).toString("base64"), { mode: 0o600 });
    chmodSync(path, 0o600);
    expect(codeOf(() => loadKeyEncryptionKey({ dataDir: dir, createIfMissing: true }))).toBe("invalid");
    expect(readFileSync(path, "utf8")).not.toBe(""); // never overwritten
  });
});

describe("RMS_MASTER_KEY_FILE", () => {
  it("reads the named file only when no other user can read or write it, and never creates it", () => {
    const file = join(dir, "handed-over.key");
    const settings = { dataDir: join(dir, "data"), masterKeyFile: file, createIfMissing: true };
    expect(codeOf(() => loadKeyEncryptionKey(settings))).toBe("missing");
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    const key = randomBytes(32);
    for (const mode of [0o640, 0o604, 0o620]) {
      writeFileSync(file, key.toString("base64"));
      chmodSync(file, mode);
      expect(() => loadKeyEncryptionKey(settings)).toThrow(`RMS_MASTER_KEY_FILE (${file}) is readable or writable by other users`);
    }
    chmodSync(file, 0o400);
    expect(loadKeyEncryptionKey(settings).key.equals(key)).toBe(true);
    expect(masterKeySource(settings)).toBe(`RMS_MASTER_KEY_FILE (${file})`);
    expect(() => statSync(join(dir, "data", "master.key"))).toThrow(/ENOENT/);
  });

  it("names the master key an envelope was encrypted under", () => {
    const kek = loadKeyEncryptionKey({ dataDir: dir, createIfMissing: true });
    expect(envelopeKeyId(encryptPrivateKey("secret", kek, "x"))).toBe(kek.id);
    expect(envelopeKeyId("v1.not-a-key-id.a.b.c")).toBeNull();
  });
});

describe("encryptPrivateKey / decryptPrivateKey", () => {
  it("round-trips, and a dump of the envelope does not contain the PEM or its body", async () => {
    const { privateKeyPem } = await generateClusterKeyPair();
    const kek = loadKeyEncryptionKey({ dataDir: dir, createIfMissing: true });
    const envelope = encryptPrivateKey(privateKeyPem, kek, "cluster:1");
    expect(envelope).toMatch(/^v1\.[0-9a-f]{16}\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
    const dump = JSON.stringify({ private_key_envelope: envelope });
    expect(dump).not.toContain("PRIVATE KEY");
    const pemBody = privateKeyPem.split("\n")[5] ?? "";
    expect(pemBody.length).toBeGreaterThan(40);
    expect(dump).not.toContain(pemBody);
    expect(dump).not.toContain(Buffer.from(privateKeyPem).toString("base64").slice(40, 80));
    expect(decryptPrivateKey(envelope, kek, "cluster:1")).toBe(privateKeyPem);
    expect(encryptPrivateKey(privateKeyPem, kek, "cluster:1")).not.toBe(envelope); // random IV
  });

  it("wrong master key → wrong_key; wrong associated data or altered ciphertext → wrong_key; damaged envelope → corrupt", () => {
    const kek = loadKeyEncryptionKey({ dataDir: dir, createIfMissing: true });
    const other = loadKeyEncryptionKey({ dataDir: dir, masterKey: randomBytes(32).toString("base64"), createIfMissing: false });
    const envelope = encryptPrivateKey("-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n", kek, "cluster:1");
    expect(codeOf(() => decryptPrivateKey(envelope, other, "cluster:1"))).toBe("wrong_key");
    // Same id, different key bytes (an id collision or an edited envelope) still fails authentication.
    expect(codeOf(() => decryptPrivateKey(envelope, { id: kek.id, key: other.key }, "cluster:1"))).toBe("wrong_key");
    expect(codeOf(() => decryptPrivateKey(envelope, kek, "cluster:2"))).toBe("wrong_key");
    const parts = envelope.split(".");
    const ct = Buffer.from(parts[4] ?? "", "base64");
    ct[0] = (ct[0] ?? 0) ^ 1;
    expect(codeOf(() => decryptPrivateKey([...parts.slice(0, 4), ct.toString("base64")].join("."), kek, "cluster:1"))).toBe("wrong_key");
    expect(codeOf(() => decryptPrivateKey("v1.abc", kek, "cluster:1"))).toBe("corrupt");
    expect(codeOf(() => decryptPrivateKey(`v2.${parts.slice(1).join(".")}`, kek, "cluster:1"))).toBe("corrupt");
    expect(codeOf(() => decryptPrivateKey([parts[0], parts[1], "AAAA", parts[3], parts[4]].join("."), kek, "cluster:1"))).toBe("corrupt");
  });

  it("keyring: a staged next key is accepted beside the current one; after promotion only the next one is; a crash between wipe and rename leaves the next key in use", () => {
    const settings = { dataDir: dir };
    const current = loadKeyEncryptionKey({ ...settings, createIfMissing: true });
    const envelope = encryptPrivateKey("secret", current, "cluster:1");
    expect(loadMasterKeyring(settings)).toMatchObject({ current: { id: current.id }, next: null });
    const next = createNextMasterKey(settings);
    expect(statSync(join(dir, "master.key.next")).mode & 0o777).toBe(0o600);
    expect(codeOf(() => createNextMasterKey(settings))).toBe("invalid");
    const ring = loadKeyEncryptionKey({ ...settings, createIfMissing: false });
    expect(ring.id).toBe(current.id);
    expect(ring.accepts?.map((key) => key.id)).toEqual([next.id]);
    const underNext = encryptPrivateKey("secret", next, "cluster:1");
    expect(decryptPrivateKey(underNext, ring, "cluster:1")).toBe("secret");
    expect(decryptPrivateKey(envelope, ring, "cluster:1")).toBe("secret");
    // Without the keyring, the current key alone does not open the next key's envelope, and says which key it needs.
    expect(() => decryptPrivateKey(underNext, { ...current, accepts: [] }, "cluster:1")).toThrow(
      `The cluster keys are encrypted with master key ${next.id}; this console has master key ${current.id} (${join(dir, "master.key")}) — copy master key ${next.id} to ${join(dir, "master.key")} (mode 600), or stage it as ${join(dir, "master.key.next")}`,
    );

    // The crash window: the old file wiped, the next one not yet renamed.
    wipeKeyFile(join(dir, "master.key"));
    expect(loadKeyEncryptionKey({ ...settings, createIfMissing: true }).id).toBe(next.id);
    expect(promoteNextMasterKey(settings)).toEqual({ wiped: join(dir, "master.key"), remaining: null });
    const promoted = loadKeyEncryptionKey({ ...settings, createIfMissing: false });
    expect(promoted.id).toBe(next.id);
    expect(promoted.accepts).toBeUndefined();
    expect(codeOf(() => decryptPrivateKey(envelope, promoted, "cluster:1"))).toBe("wrong_key");
  });

  it("keyring with RMS_MASTER_KEY: the next key is staged in the data folder and stays until the variable holds it", () => {
    const old = randomBytes(32).toString("base64");
    const next = createNextMasterKey({ dataDir: dir, masterKey: old });
    expect(masterKeyPaths({ dataDir: dir, masterKey: old })).toEqual({ current: null, next: join(dir, "master.key.next") });
    expect(promoteNextMasterKey({ dataDir: dir, masterKey: old }).remaining).toContain("RMS_MASTER_KEY still holds the old key");
    expect(statSync(join(dir, "master.key.next")).isFile()).toBe(true);
    const text = readFileSync(join(dir, "master.key.next"), "utf8").trim();
    expect(promoteNextMasterKey({ dataDir: dir, masterKey: text })).toMatchObject({ wiped: join(dir, "master.key.next") });
    expect(() => statSync(join(dir, "master.key.next"))).toThrow(/ENOENT/);
    expect(loadKeyEncryptionKey({ dataDir: dir, masterKey: text, createIfMissing: false }).id).toBe(next.id);
  });
});
