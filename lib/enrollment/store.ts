// The enrollment service's data folder: its CA hierarchy, created once and never silently replaced (submissions, issued
// SLCs and registrations live in its database, ./db).

import { createHash, createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { CodedError } from "@/lib/errors/coded-error";
import type { CaMaterial } from "./ca";

export type EnrollmentStoreErrorCode = "data_dir" | "ca_incomplete" | "ca_corrupt" | "ca_permissions" | "tls";

export class EnrollmentStoreError extends CodedError<EnrollmentStoreErrorCode> {
  override readonly name = "EnrollmentStoreError";
}

const CA_DIR = "ca";

// One file per item of CaMaterial; keys are written 0600 and must stay private.
const CA_FILES = {
  rootCertPem: { file: "root.pem", secret: false },
  rootKeyPem: { file: "root-key.pem", secret: true },
  caCertPem: { file: "enrollment-ca.pem", secret: false },
  caKeyPem: { file: "enrollment-ca-key.pem", secret: true },
  serviceCertPem: { file: "service.pem", secret: false },
  serviceKeyPem: { file: "service-key.pem", secret: true },
} as const satisfies Record<keyof CaMaterial, { file: string; secret: boolean }>;

type CaField = keyof typeof CA_FILES;
const CA_FIELDS: readonly CaField[] = ["rootCertPem", "rootKeyPem", "caCertPem", "caKeyPem", "serviceCertPem", "serviceKeyPem"];

// ---------- files ----------

/**
 * Writes a file so that readers see either the old content or the whole new content, never a torn write.
 * `durable` also flushes it to disk first (CA material); archive copies skip that cost.
 */
export async function writeFileAtomic(file: string, content: string, mode: number, durable = true): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await fs.open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, mode);
  try {
    await handle.writeFile(content, "utf8");
    if (durable) await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true });
    throw error;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function errnoCode(error: unknown): string | undefined {
  if (error instanceof Error && "code" in error && typeof error.code === "string") return error.code;
  return undefined;
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.lstat(p);
    return true;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw error;
  }
}

// ---------- CA hierarchy ----------

function certificateFingerprint(certPem: string): string {
  const der = new X509Certificate(certPem).raw;
  return (createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g) ?? []).join(":");
}

const restoreAdvice =
  "Restore the folder from a backup, or move it away to create a new CA hierarchy (consoles must then be given the new root certificate).";

async function readCaFolder(caDir: string): Promise<CaMaterial> {
  const missing: string[] = [];
  const values: Partial<Record<CaField, string>> = {};
  for (const field of CA_FIELDS) {
    const { file, secret } = CA_FILES[field];
    const full = path.join(caDir, file);
    let text: string;
    try {
      const stat = await fs.stat(full);
      if (secret && process.platform !== "win32" && (stat.mode & 0o077) !== 0) {
        throw new EnrollmentStoreError(
          "ca_permissions",
          `The private key ${full} can be read by other users (mode ${(stat.mode & 0o777).toString(8)}). Run \`chmod 600 ${full}\` and start again.`,
        );
      }
      text = await fs.readFile(full, "utf8");
    } catch (error) {
      if (error instanceof EnrollmentStoreError) throw error;
      if (errnoCode(error) === "ENOENT") {
        missing.push(file);
        continue;
      }
      throw new EnrollmentStoreError("ca_corrupt", `Cannot read ${full}: ${String(error)}. ${restoreAdvice}`);
    }
    values[field] = text;
  }
  if (missing.length > 0) {
    throw new EnrollmentStoreError(
      "ca_incomplete",
      `The enrollment CA folder ${caDir} is incomplete (missing ${missing.join(", ")}). It was not regenerated, because consoles trust its root certificate. ${restoreAdvice}`,
    );
  }
  const material: CaMaterial = {
    rootCertPem: requireValue(values, "rootCertPem"),
    rootKeyPem: requireValue(values, "rootKeyPem"),
    caCertPem: requireValue(values, "caCertPem"),
    caKeyPem: requireValue(values, "caKeyPem"),
    serviceCertPem: requireValue(values, "serviceCertPem"),
    serviceKeyPem: requireValue(values, "serviceKeyPem"),
  };
  checkCaMaterial(material, caDir);
  return material;
}

function requireValue(values: Partial<Record<CaField, string>>, field: CaField): string {
  const value = values[field];
  if (value === undefined) throw new EnrollmentStoreError("ca_incomplete", `Missing ${CA_FILES[field].file}.`);
  return value;
}

/** Refuses CA material that is unreadable, mismatched (key vs certificate) or not one chain root → CA → service. */
function checkCaMaterial(material: CaMaterial, where: string): void {
  const corrupt = (field: CaField, what: string) =>
    new EnrollmentStoreError("ca_corrupt", `${path.join(where, CA_FILES[field].file)} ${what}. ${restoreAdvice}`);
  const cert = (field: "rootCertPem" | "caCertPem" | "serviceCertPem") => {
    try {
      return new X509Certificate(material[field]);
    } catch {
      throw corrupt(field, "is not a readable PEM certificate");
    }
  };
  const key = (field: "rootKeyPem" | "caKeyPem" | "serviceKeyPem") => {
    try {
      const k = createPrivateKey(material[field]);
      if (k.type !== "private") throw new Error("not a private key");
      return k;
    } catch {
      throw corrupt(field, "is not a readable PEM private key");
    }
  };
  const root = cert("rootCertPem");
  const ca = cert("caCertPem");
  const service = cert("serviceCertPem");
  if (!root.checkPrivateKey(key("rootKeyPem"))) throw corrupt("rootKeyPem", "does not belong to the root certificate");
  if (!ca.checkPrivateKey(key("caKeyPem"))) throw corrupt("caKeyPem", "does not belong to the enrollment CA certificate");
  if (!service.checkPrivateKey(key("serviceKeyPem"))) {
    throw corrupt("serviceKeyPem", "does not belong to the enrollment service certificate");
  }
  if (!ca.checkIssued(root) || !ca.verify(root.publicKey)) throw corrupt("caCertPem", "is not issued by the root certificate");
  if (!service.checkIssued(ca) || !service.verify(ca.publicKey)) {
    throw corrupt("serviceCertPem", "is not issued by the enrollment CA certificate");
  }
}

export interface LoadedCa {
  material: CaMaterial;
  created: boolean;
  rootFingerprint: string;
}

export type CreateCa = (opts: { organization: string; now?: Date }) => Promise<CaMaterial>;

/**
 * Loads the CA hierarchy from `<dataDir>/ca`, or creates it when the folder does not exist yet.
 * The folder is written under a temporary name and renamed into place, so a crash never leaves half a CA.
 */
export async function loadOrCreateCa(opts: { dataDir: string; organization: string; createCa: CreateCa; now?: Date }): Promise<LoadedCa> {
  await ensureDataDir(opts.dataDir);
  const caDir = path.join(opts.dataDir, CA_DIR);
  if (await exists(caDir)) {
    const material = await readCaFolder(caDir);
    return { material, created: false, rootFingerprint: certificateFingerprint(material.rootCertPem) };
  }
  const material = await opts.createCa({ organization: opts.organization, now: opts.now });
  checkCaMaterial(material, "(new CA hierarchy)");
  const temp = await fs.mkdtemp(path.join(opts.dataDir, ".ca-"));
  try {
    await fs.chmod(temp, 0o700);
    for (const field of CA_FIELDS) {
      const { file, secret } = CA_FILES[field];
      await writeFileAtomic(path.join(temp, file), material[field], secret ? 0o600 : 0o644);
    }
    await syncDirectory(temp);
    await fs.rename(temp, caDir);
    await syncDirectory(opts.dataDir);
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    const code = errnoCode(error);
    if (code === "EEXIST" || code === "ENOTEMPTY") {
      // Another process created the CA first: use theirs, so there is only ever one root.
      const existing = await readCaFolder(caDir);
      return { material: existing, created: false, rootFingerprint: certificateFingerprint(existing.rootCertPem) };
    }
    throw error;
  }
  return { material, created: true, rootFingerprint: certificateFingerprint(material.rootCertPem) };
}

async function ensureDataDir(dataDir: string): Promise<void> {
  try {
    await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
    const stat = await fs.stat(dataDir);
    if (!stat.isDirectory()) throw new Error("not a directory");
  } catch (error) {
    throw new EnrollmentStoreError(
      "data_dir",
      `Cannot use ${dataDir} as the enrollment data folder (${error instanceof Error ? error.message : String(error)}). Set RMS_ENROLLMENT_DATA_DIR to a writable folder.`,
    );
  }
}
