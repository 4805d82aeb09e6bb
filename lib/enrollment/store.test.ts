// The data folder: CA created once and kept, never silently regenerated, private files private.
import { execFileSync } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CaMaterial, createCaHierarchy } from "./ca";
import { type CreateCa, EnrollmentStoreError, loadOrCreateCa } from "./store";

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
    for (const key of ["root-key.pem", "enrollment-ca-key.pem", "service-key.pem"]) {
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
