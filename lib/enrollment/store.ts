// The enrollment service's data folder: its CA hierarchy, created once and never silently replaced (submissions, issued
// SLCs and registrations live in its database, ./db).

import { createHash, createPrivateKey, randomBytes, X509Certificate } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { CodedError } from "@/lib/platform/errors/coded-error";
import { type CaMaterial, reissueIssuingCa, type StationCa } from "./ca";
import { decryptRootKey, encryptRootKey } from "./root-key";

export type EnrollmentStoreErrorCode =
  | "data_dir"
  | "ca_incomplete"
  | "ca_corrupt"
  | "ca_permissions"
  | "tls"
  | "root_key_on_station"
  | "root_key"
  | "ca_exists";

export class EnrollmentStoreError extends CodedError<EnrollmentStoreErrorCode> {
  override readonly name = "EnrollmentStoreError";
}

const CA_DIR = "ca";

// One file per item of what the station keeps; keys are written 0600 and must stay private. The root's private key is
// not among them: it is written once, passphrase-protected, to a file the operator keeps offline (`ca init`).
const CA_FILES = {
  rootCertPem: { file: "root.pem", secret: false },
  caCertPem: { file: "enrollment-ca.pem", secret: false },
  caKeyPem: { file: "enrollment-ca-key.pem", secret: true },
  serviceCertPem: { file: "service.pem", secret: false },
  serviceKeyPem: { file: "service-key.pem", secret: true },
} as const satisfies Record<keyof StationCa, { file: string; secret: boolean }>;
/** Where versions before the offline root kept the root's private key, beside the issuing key. */
const LEGACY_ROOT_KEY = "root-key.pem";

type CaField = keyof typeof CA_FILES;
const CA_FIELDS: readonly CaField[] = ["rootCertPem", "caCertPem", "caKeyPem", "serviceCertPem", "serviceKeyPem"];

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

function rootKeyOnStationMessage(caDir: string): string {
  const legacy = path.join(caDir, LEGACY_ROOT_KEY);
  return (
    `The root CA's private key is on this station (${legacy}); the enrollment service now runs with the issuing CA's key only ` +
    "and keeps the root key offline. Move it off this station with `npm run enrollment -- ca export-root --out <file on removable media> " +
    "--passphrase-stdin` (it writes the key passphrase-protected to that file and deletes it here), store the file offline, then start again."
  );
}

async function readCaFolder(caDir: string): Promise<StationCa> {
  if (await exists(path.join(caDir, LEGACY_ROOT_KEY))) {
    throw new EnrollmentStoreError("root_key_on_station", rootKeyOnStationMessage(caDir));
  }
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
  const material: StationCa = {
    rootCertPem: requireValue(values, "rootCertPem"),
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
function checkCaMaterial(material: StationCa, where: string): void {
  const corrupt = (field: CaField, what: string) =>
    new EnrollmentStoreError("ca_corrupt", `${path.join(where, CA_FILES[field].file)} ${what}. ${restoreAdvice}`);
  const cert = (field: "rootCertPem" | "caCertPem" | "serviceCertPem") => {
    try {
      return new X509Certificate(material[field]);
    } catch {
      throw corrupt(field, "is not a readable PEM certificate");
    }
  };
  const key = (field: "caKeyPem" | "serviceKeyPem") => {
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
  material: StationCa;
  created: boolean;
  rootFingerprint: string;
  /** On creation: whether the root key was handed to `keepRootKey` (else it was dropped, never written). */
  rootKeyKept: boolean;
}

export type CreateCa = (opts: { organization: string; now?: Date }) => Promise<CaMaterial>;

/**
 * Loads the CA hierarchy from `<dataDir>/ca`, or creates it when the folder does not exist yet.
 * The folder is written under a temporary name and renamed into place, so a crash never leaves half a CA.
 * A new root's private key is never written to the folder: `keepRootKey` gets it first (`ca init` writes it,
 * passphrase-protected, to a file kept offline); without one it is dropped, and the issuing CA cannot be re-issued.
 */
export async function loadOrCreateCa(opts: {
  dataDir: string;
  organization: string;
  createCa: CreateCa;
  now?: Date;
  keepRootKey?: (rootKeyPem: string) => Promise<void>;
}): Promise<LoadedCa> {
  await ensureDataDir(opts.dataDir);
  const caDir = path.join(opts.dataDir, CA_DIR);
  const loaded = (material: StationCa, created: boolean, rootKeyKept: boolean): LoadedCa => ({
    material,
    created,
    rootFingerprint: certificateFingerprint(material.rootCertPem),
    rootKeyKept,
  });
  if (await exists(caDir)) return loaded(await readCaFolder(caDir), false, false);
  const { rootKeyPem, ...material } = await opts.createCa({ organization: opts.organization, now: opts.now });
  checkCaMaterial(material, "(new CA hierarchy)");
  if (!new X509Certificate(material.rootCertPem).checkPrivateKey(createPrivateKey(rootKeyPem))) {
    throw new EnrollmentStoreError("ca_corrupt", "The new root key does not belong to the new root certificate.");
  }
  if (opts.keepRootKey) await opts.keepRootKey(rootKeyPem);
  const temp = await fs.mkdtemp(path.join(opts.dataDir, ".ca-"));
  try {
    await writeStationFiles(temp, material);
    await fs.rename(temp, caDir);
    await syncDirectory(opts.dataDir);
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    const code = errnoCode(error);
    if (code === "EEXIST" || code === "ENOTEMPTY") {
      // Another process created the CA first: use theirs, so there is only ever one root.
      return loaded(await readCaFolder(caDir), false, false);
    }
    throw error;
  }
  return loaded(material, true, opts.keepRootKey !== undefined);
}

async function writeStationFiles(dir: string, material: StationCa): Promise<void> {
  await fs.chmod(dir, 0o700);
  for (const field of CA_FIELDS) {
    const { file, secret } = CA_FILES[field];
    await writeFileAtomic(path.join(dir, file), material[field], secret ? 0o600 : 0o644);
  }
  await syncDirectory(dir);
}

/** Writes the passphrase-protected root key to a new file (never over an existing one), flushed to disk. */
async function writeOfflineRootKey(file: string, rootKeyPem: string, passphrase: string): Promise<void> {
  const encrypted = encryptRootKey(rootKeyPem, passphrase);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  } catch (error) {
    throw new EnrollmentStoreError(
      "root_key",
      errnoCode(error) === "EEXIST"
        ? `${file} already exists; choose a new file for the root key (nothing was changed).`
        : `Cannot write the root key to ${file} (${String(error)}); nothing was changed.`,
    );
  }
  try {
    await handle.writeFile(encrypted, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * `ca init`: creates the CA hierarchy in a data folder that has none, writing the root's private key only to `rootKeyOut`
 * (passphrase-protected, for offline storage). The station keeps the issuing CA's key and the service's key.
 */
export async function initCa(opts: {
  dataDir: string;
  organization: string;
  createCa: CreateCa;
  rootKeyOut: string;
  passphrase: string;
  now?: Date;
}): Promise<LoadedCa> {
  const caDir = path.join(opts.dataDir, CA_DIR);
  if (await exists(caDir)) {
    throw new EnrollmentStoreError("ca_exists", `${caDir} already holds a CA hierarchy; nothing was changed. ${restoreAdvice}`);
  }
  let wrote = false;
  const result = await loadOrCreateCa({
    ...opts,
    keepRootKey: async (rootKeyPem) => {
      await writeOfflineRootKey(opts.rootKeyOut, rootKeyPem, opts.passphrase);
      wrote = true;
    },
  });
  if (!result.created) {
    if (wrote) await fs.rm(opts.rootKeyOut, { force: true });
    throw new EnrollmentStoreError("ca_exists", `Another process created ${caDir} at the same moment; nothing was changed.`);
  }
  return result;
}

/**
 * Migration of a data folder from before the offline root: writes `ca/root-key.pem` passphrase-protected to `out`,
 * reads it back, and only then deletes it from the station (overwritten first).
 */
export async function exportRootKey(opts: { dataDir: string; out: string; passphrase: string }): Promise<{ rootFingerprint: string }> {
  const caDir = path.join(opts.dataDir, CA_DIR);
  const legacy = path.join(caDir, LEGACY_ROOT_KEY);
  if (!(await exists(legacy))) {
    throw new EnrollmentStoreError("root_key", `${legacy} does not exist: the root key is not on this station (nothing was changed).`);
  }
  const [rootKeyPem, rootCertPem] = await Promise.all([
    fs.readFile(legacy, "utf8"),
    fs.readFile(path.join(caDir, CA_FILES.rootCertPem.file), "utf8"),
  ]);
  let matches = false;
  try {
    matches = new X509Certificate(rootCertPem).checkPrivateKey(createPrivateKey(rootKeyPem));
  } catch {
    matches = false;
  }
  if (!matches)
    throw new EnrollmentStoreError(
      "root_key",
      `${legacy} is not the key of ${CA_FILES.rootCertPem.file}; nothing was changed. ${restoreAdvice}`,
    );
  await writeOfflineRootKey(opts.out, rootKeyPem, opts.passphrase);
  decryptRootKey(await fs.readFile(opts.out, "utf8"), opts.passphrase, rootCertPem);
  const handle = await fs.open(legacy, "r+");
  try {
    await handle.writeFile(Buffer.alloc(Buffer.byteLength(rootKeyPem)));
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rm(legacy);
  await syncDirectory(caDir);
  return { rootFingerprint: certificateFingerprint(rootCertPem) };
}

/**
 * `ca reissue`: a new issuing (enrollment) CA and service signing certificate under the same root, signed with the root
 * key from its offline file. The old issuing keys are replaced; the TLS certificate is re-issued at the next start.
 */
export async function reissueCa(opts: {
  dataDir: string;
  organization: string;
  rootKeyFile: string;
  passphrase: string;
  now?: Date;
}): Promise<{ material: StationCa; rootFingerprint: string }> {
  const caDir = path.join(opts.dataDir, CA_DIR);
  if (!(await exists(caDir))) throw new EnrollmentStoreError("ca_incomplete", `${caDir} does not exist; create it with \`ca init\`.`);
  const current = await readCaFolder(caDir);
  let encrypted: string;
  try {
    encrypted = await fs.readFile(opts.rootKeyFile, "utf8");
  } catch (error) {
    throw new EnrollmentStoreError(
      "root_key",
      `Cannot read the root key file ${opts.rootKeyFile} (${String(error)}); nothing was changed.`,
    );
  }
  const rootKeyPem = decryptRootKey(encrypted, opts.passphrase, current.rootCertPem);
  const material = await reissueIssuingCa({ rootCertPem: current.rootCertPem, rootKeyPem, organization: opts.organization, now: opts.now });
  checkCaMaterial(material, "(re-issued CA)");
  const temp = await fs.mkdtemp(path.join(opts.dataDir, ".ca-"));
  const replaced = path.join(opts.dataDir, `.ca-replaced-${randomBytes(6).toString("hex")}`);
  try {
    await writeStationFiles(temp, material);
    await fs.rename(caDir, replaced);
    await fs.rename(temp, caDir);
    await syncDirectory(opts.dataDir);
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw error;
  }
  await fs.rm(replaced, { recursive: true, force: true });
  return { material, rootFingerprint: certificateFingerprint(material.rootCertPem) };
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
