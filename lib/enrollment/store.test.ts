// The data folder: CA created once and kept, never silently regenerated, private files private.
import { execFileSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CaMaterial, createCaHierarchy } from "./ca";
import { type CreateCa, EnrollmentStoreError, exportRootKey, initCa, loadOrCreateCa, reissueCa } from "./store";

let tmp = "";
let material: CaMaterial;
let creations = 0;
// One real hierarchy for the whole file: RSA key generation is the slow part.
const createOnce: CreateCa = async () => {
  creations += 1;
  return material;
};

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), "enrollment-store-"));
  material = await createCaHierarchy({ organization: "Store Test" });
});
afterAll(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function freshDir(name: string): Promise<string> {
  return path.join(tmp, name, "enrollment");
}

describe("loadOrCreateCa", () => {
  it("creates the hierarchy once, with private files private, and loads the same one later", async () => {
    const dataDir = await freshDir("once");
    creations = 0;
    const first = await loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce });
    expect(first.created).toBe(true);
    const second = await loadOrCreateCa({
      dataDir,
      organization: "x",
      createCa: () => Promise.reject(new Error("must not create again")),
    });
    expect(second.created).toBe(false);
    expect(second.material).toEqual(first.material);
    expect(second.rootFingerprint).toBe(first.rootFingerprint);
    expect(creations).toBe(1);

    expect((await fs.stat(dataDir)).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.join(dataDir, "ca"))).mode & 0o777).toBe(0o700);
    expect(await fs.readdir(path.join(dataDir, "ca"))).not.toContain("root-key.pem");
    expect(first.rootKeyKept).toBe(false);
    for (const key of ["enrollment-ca-key.pem", "service-key.pem"]) {
      expect((await fs.stat(path.join(dataDir, "ca", key))).mode & 0o777).toBe(0o600);
    }
    const leftovers = (await fs.readdir(dataDir)).filter((name) => name.startsWith(".ca-"));
    expect(leftovers).toEqual([]);
    execFileSync("openssl", [
      "verify",
      "-CAfile",
      path.join(dataDir, "ca", "root.pem"),
      "-untrusted",
      path.join(dataDir, "ca", "enrollment-ca.pem"),
      path.join(dataDir, "ca", "service.pem"),
    ]);
  });

  it("refuses a partial folder instead of regenerating it", async () => {
    const dataDir = await freshDir("partial");
    await loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce });
    await fs.rm(path.join(dataDir, "ca", "service-key.pem"));
    const attempt = loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce });
    await expect(attempt).rejects.toBeInstanceOf(EnrollmentStoreError);
    await expect(attempt).rejects.toMatchObject({ code: "ca_incomplete", message: expect.stringContaining("service-key.pem") });
  });

  it("refuses a corrupt or mismatched file", async () => {
    const dataDir = await freshDir("corrupt");
    await loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce });
    await fs.writeFile(path.join(dataDir, "ca", "root.pem"), "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
    await expect(loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce })).rejects.toMatchObject({
      code: "ca_corrupt",
      message: expect.stringContaining("root.pem"),
    });
    // A valid certificate in the wrong place: the service certificate where the root should be.
    await fs.writeFile(path.join(dataDir, "ca", "root.pem"), material.serviceCertPem);
    await expect(loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce })).rejects.toMatchObject({
      code: "ca_corrupt",
    });
  });

  it("refuses a private key other users can read", async () => {
    const dataDir = await freshDir("perms");
    await loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce });
    await fs.chmod(path.join(dataDir, "ca", "enrollment-ca-key.pem"), 0o644);
    await expect(loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce })).rejects.toMatchObject({
      code: "ca_permissions",
      message: expect.stringContaining("chmod 600"),
    });
  });

  it("keeps one root when two starts race on an empty folder", async () => {
    const dataDir = await freshDir("race");
    const other = await createCaHierarchy({ organization: "Other" });
    const [a, b] = await Promise.all([
      loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce }),
      loadOrCreateCa({ dataDir, organization: "x", createCa: async () => other }),
    ]);
    expect(a.rootFingerprint).toBe(b.rootFingerprint);
    expect([a.created, b.created].filter(Boolean)).toHaveLength(1);
  });
});

/** Every file under `dir` that holds the root certificate's private key, in clear: what an intruder on the station could use. */
async function rootKeysUnder(dir: string, rootCertPem: string): Promise<string[]> {
  const root = new X509Certificate(rootCertPem);
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const text = await fs.readFile(file, "utf8");
    for (const pem of text.match(/-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/g) ?? []) {
      if (root.checkPrivateKey(createPrivateKey(pem))) found.push(file);
    }
  }
  return found;
}

const PASSPHRASE = "correct horse battery staple";

describe("the offline root (the root CA's key never lives on the signing station)", () => {
  it("ca init: the root key goes only to the offline file, passphrase-protected; the station keeps no copy", async () => {
    const dataDir = await freshDir("init");
    const out = path.join(tmp, "init-root-key.pem");
    const loaded = await initCa({ dataDir, organization: "x", createCa: createOnce, rootKeyOut: out, passphrase: PASSPHRASE });
    expect(loaded).toMatchObject({ created: true, rootKeyKept: true });
    expect(await rootKeysUnder(dataDir, material.rootCertPem)).toEqual([]);
    const offline = await fs.readFile(out, "utf8");
    expect(offline).toContain("-----BEGIN ENCRYPTED PRIVATE KEY-----");
    expect((await fs.stat(out)).mode & 0o777).toBe(0o600);
    expect(() => createPrivateKey(offline)).toThrow();
    expect(new X509Certificate(material.rootCertPem).checkPrivateKey(createPrivateKey({ key: offline, passphrase: PASSPHRASE }))).toBe(
      true,
    );
    // Once: a second init, or one over an existing file, changes nothing.
    await expect(
      initCa({ dataDir, organization: "x", createCa: createOnce, rootKeyOut: `${out}.2`, passphrase: PASSPHRASE }),
    ).rejects.toMatchObject({
      code: "ca_exists",
    });
    const other = await freshDir("init-over-file");
    await expect(
      initCa({ dataDir: other, organization: "x", createCa: createOnce, rootKeyOut: out, passphrase: PASSPHRASE }),
    ).rejects.toMatchObject({
      code: "root_key",
    });
    await expect(
      initCa({ dataDir: other, organization: "x", createCa: createOnce, rootKeyOut: `${out}.3`, passphrase: "short" }),
    ).rejects.toMatchObject({
      code: "passphrase",
    });
    await expect(fs.stat(path.join(other, "ca"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("ca reissue: a new issuing CA under the same root needs the offline file and its passphrase", async () => {
    const dataDir = await freshDir("reissue");
    const out = path.join(tmp, "reissue-root-key.pem");
    const before = await initCa({ dataDir, organization: "x", createCa: createOnce, rootKeyOut: out, passphrase: PASSPHRASE });
    await expect(reissueCa({ dataDir, organization: "x", rootKeyFile: out, passphrase: "wrong passphrase!!" })).rejects.toMatchObject({
      code: "passphrase",
    });
    const foreign = path.join(tmp, "foreign-root-key.pem");
    const foreignCa = await createCaHierarchy({ organization: "Foreign" });
    await fs.writeFile(
      foreign,
      createPrivateKey(foreignCa.rootKeyPem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: PASSPHRASE }),
    );
    await expect(reissueCa({ dataDir, organization: "x", rootKeyFile: foreign, passphrase: PASSPHRASE })).rejects.toMatchObject({
      code: "wrong_key",
    });
    expect((await loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce })).material).toEqual(before.material);

    const reissued = await reissueCa({ dataDir, organization: "x", rootKeyFile: out, passphrase: PASSPHRASE });
    expect(reissued.rootFingerprint).toBe(before.rootFingerprint);
    const after = await loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce });
    expect(after.material.caCertPem).not.toBe(before.material.caCertPem);
    expect(after.material.serviceKeyPem).not.toBe(before.material.serviceKeyPem);
    expect(await rootKeysUnder(dataDir, material.rootCertPem)).toEqual([]);
    expect((await fs.readdir(dataDir)).filter((n) => n.startsWith(".ca"))).toEqual([]);
    execFileSync("openssl", [
      "verify",
      "-CAfile",
      path.join(dataDir, "ca", "root.pem"),
      "-untrusted",
      path.join(dataDir, "ca", "enrollment-ca.pem"),
      path.join(dataDir, "ca", "service.pem"),
    ]);
  });

  it("an older data folder with ca/root-key.pem is refused with the command that moves it off, which migrates it", async () => {
    const dataDir = await freshDir("legacy");
    await loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce });
    await fs.writeFile(path.join(dataDir, "ca", "root-key.pem"), material.rootKeyPem, { mode: 0o600 });
    await expect(loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce })).rejects.toMatchObject({
      code: "root_key_on_station",
      message: expect.stringContaining("npm run enrollment -- ca export-root --out"),
    });
    const out = path.join(tmp, "legacy-root-key.pem");
    await expect(exportRootKey({ dataDir, out, passphrase: "short" })).rejects.toMatchObject({ code: "passphrase" });
    expect(await fs.readdir(path.join(dataDir, "ca"))).toContain("root-key.pem");
    await exportRootKey({ dataDir, out, passphrase: PASSPHRASE });
    expect(await rootKeysUnder(dataDir, material.rootCertPem)).toEqual([]);
    expect(await fs.readdir(path.join(dataDir, "ca"))).not.toContain("root-key.pem");
    expect((await loadOrCreateCa({ dataDir, organization: "x", createCa: createOnce })).created).toBe(false);
    // The moved key re-issues the issuing CA.
    await reissueCa({ dataDir, organization: "x", rootKeyFile: out, passphrase: PASSPHRASE });
  });
});
