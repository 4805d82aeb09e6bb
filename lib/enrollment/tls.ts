// The service's TLS identity: an operator-supplied certificate and key, or a server certificate its own enrollment CA
// issues for the configured names (re-issued when missing, near expiry, or not covering a configured name).
import { X509Certificate } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { issueTlsCertificate, type StationCa, tlsNames } from "./ca";
import { EnrollmentStoreError, writeFileAtomic } from "./store";

export interface TlsIdentity {
  certPem: string;
  keyPem: string;
  /** Where it came from, for the start-up log. */
  source: "operator" | "issued" | "reused";
}

const TLS_DIR = "tls";
const RENEW_BEFORE_MS = 30 * 86_400_000;

async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await fs.readFile(file, "utf8");
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") return null;
    throw error;
  }
}

function covers(cert: X509Certificate, names: readonly string[]): boolean {
  const { dns, ip } = tlsNames(names);
  return dns.every((name) => cert.checkHost(name) !== undefined) && ip.every((address) => cert.checkIP(address) !== undefined);
}

export async function loadTlsIdentity(opts: {
  dataDir: string;
  ca: StationCa;
  organization: string;
  names: readonly string[];
  certFile?: string;
  keyFile?: string;
  now: Date;
}): Promise<TlsIdentity> {
  if (opts.certFile && opts.keyFile) {
    const [certPem, keyPem] = await Promise.all([readIfPresent(opts.certFile), readIfPresent(opts.keyFile)]);
    if (certPem === null || keyPem === null) {
      throw new EnrollmentStoreError(
        "tls",
        `Cannot read the TLS certificate ${opts.certFile} or its key ${opts.keyFile}. Check RMS_ENROLLMENT_TLS_CERT and RMS_ENROLLMENT_TLS_KEY.`,
      );
    }
    return { certPem, keyPem, source: "operator" };
  }
  const dir = path.join(opts.dataDir, TLS_DIR);
  const certFile = path.join(dir, "server.pem");
  const keyFile = path.join(dir, "server-key.pem");
  const [certPem, keyPem] = await Promise.all([readIfPresent(certFile), readIfPresent(keyFile)]);
  if (certPem !== null && keyPem !== null) {
    try {
      const leaf = new X509Certificate(certPem);
      const issuer = new X509Certificate(opts.ca.caCertPem);
      const fresh = new Date(leaf.validTo).getTime() - opts.now.getTime() > RENEW_BEFORE_MS;
      if (fresh && leaf.checkIssued(issuer) && leaf.verify(issuer.publicKey) && covers(leaf, opts.names)) {
        return { certPem, keyPem, source: "reused" };
      }
    } catch {
      // unreadable: issue a new one below
    }
  }
  const issued = await issueTlsCertificate({
    caCertPem: opts.ca.caCertPem,
    caKeyPem: opts.ca.caKeyPem,
    organization: opts.organization,
    names: opts.names,
    now: opts.now,
  });
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(keyFile, issued.keyPem, 0o600);
  await writeFileAtomic(certFile, issued.certChainPem, 0o644);
  return { certPem: issued.certChainPem, keyPem: issued.keyPem, source: "issued" };
}
