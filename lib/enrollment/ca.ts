// The enrollment service's own CA hierarchy (root → enrollment CA → service signing certificate), built with @peculiar/x509.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import type { TokenKeyRef } from "@/lib/core/certificates/pkcs11-token";

// Node 20's global Web Crypto, typed as the DOM Crypto that @peculiar/x509 expects.
const webcrypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);

export interface CaMaterial {
  rootCertPem: string;
  caCertPem: string;
  serviceCertPem: string;
  serviceKeyPem: string;
  rootKeyPem: string;
  caKeyPem: string;
}

const ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]) } as const;
// Certificates start slightly in the past so a verifier with a small clock skew accepts them at once.
const BACKDATE_MS = 60 * 60 * 1000;

function addYears(date: Date, years: number): Date {
  const d = new Date(date.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
}

function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0] ?? 0) & 0x7f; // positive INTEGER
  bytes[0] = (bytes[0] ?? 0) | 0x01; // and no leading zero byte
  return Buffer.from(bytes).toString("hex");
}

async function keyPair(modulusLength: number): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey({ ...ALGORITHM, modulusLength }, true, ["sign", "verify"]);
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey("pkcs8", key);
  return x509.PemConverter.encode(der, "PRIVATE KEY");
}

function name(commonName: string, organization: string): x509.Name {
  // Explicit UTF8String values: @peculiar/x509 re-parses plain strings and mangles names containing quotes or <>.
  return new x509.Name([{ CN: [{ utf8String: commonName }] }, { O: [{ utf8String: organization }] }]);
}

const SERVICE_SUFFIX = /\s*\benrollment\s+service\s*$/i;

/**
 * The organisation an issuer name stands for: RMS_ENROLLMENT_ISSUER without a trailing "Enrollment Service", so the
 * default "RMS Enrollment Service" names the signing certificate "RMS Enrollment Service", not "RMS Enrollment Service
 * Enrollment Service" (the SLC shows that subject as its issuer).
 */
function issuerOrganization(issuerName: string): string {
  return issuerName.trim().replace(SERVICE_SUFFIX, "").trim() || "RMS";
}

/** Where a token holds the SLC signing key: what ca/service-key.token.json stores instead of the key. */
type ServiceKeyCustody =
  | { serviceKeyPem: string; serviceKeyToken?: undefined }
  | { serviceKeyPem?: undefined; serviceKeyToken: TokenKeyRef };

/**
 * What the signing station keeps: everything but the root's private key, which is kept offline (./root-key.ts). The
 * SLC signing key is a file, or stays in a PKCS#11 token and only its reference is kept.
 */
export type StationCa = Omit<CaMaterial, "rootKeyPem" | "serviceKeyPem"> & ServiceKeyCustody;

/** The enrollment (issuing) CA and the service's signing certificate under it: what re-issuing with the root key renews. */
type IssuingCa = Pick<CaMaterial, "caCertPem" | "caKeyPem" | "serviceCertPem" | "serviceKeyPem">;

async function importSigningKey(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey("pkcs8", x509.PemConverter.decodeFirst(pem), { name: ALGORITHM.name, hash: ALGORITHM.hash }, false, [
    "sign",
  ]);
}

async function issueUnderRoot(opts: {
  root: x509.X509Certificate;
  rootPrivateKey: CryptoKey;
  organization: string;
  now: Date;
}): Promise<IssuingCa> {
  const { organization, now, root } = opts;
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const [caKeys, serviceKeys] = await Promise.all([keyPair(2048), keyPair(2048)]);
  const ca = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name(`${organization} Enrollment CA`, organization),
    issuer: root.subjectName,
    notBefore,
    notAfter: new Date(Math.min(addYears(now, 5).getTime(), root.notAfter.getTime())),
    publicKey: caKeys.publicKey,
    signingKey: opts.rootPrivateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(root.publicKey),
    ],
  });

  const service = await serviceCertificate({ ca, caPrivateKey: caKeys.privateKey, publicKey: serviceKeys.publicKey, organization, now });
  return {
    caCertPem: ca.toString("pem"),
    caKeyPem: await privateKeyPem(caKeys.privateKey),
    serviceCertPem: service.toString("pem"),
    serviceKeyPem: await privateKeyPem(serviceKeys.privateKey),
  };
}

/** The SLC signing certificate's profile: two years at most, never beyond the enrollment CA's own validity. */
async function serviceCertificate(opts: {
  ca: x509.X509Certificate;
  caPrivateKey: CryptoKey;
  publicKey: CryptoKey;
  organization: string;
  now: Date;
}): Promise<x509.X509Certificate> {
  const { ca, organization, now } = opts;
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name(`${organization} Enrollment Service`, organization),
    issuer: ca.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(Math.min(addYears(now, 2).getTime(), ca.notAfter.getTime())),
    publicKey: opts.publicKey,
    signingKey: opts.caPrivateKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(opts.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.publicKey),
    ],
  });
}

/**
 * A new SLC signing certificate, issued by the enrollment CA on this station, for a public key whose private half is
 * elsewhere (a PKCS#11 token): `npm run enrollment -- ca token-key`.
 */
export async function issueServiceCertificateFor(opts: {
  caCertPem: string;
  caKeyPem: string;
  publicKeyPem: string;
  organization: string;
  now?: Date;
}): Promise<string> {
  const publicKey = await webcrypto.subtle.importKey(
    "spki",
    x509.PemConverter.decodeFirst(opts.publicKeyPem),
    { name: ALGORITHM.name, hash: ALGORITHM.hash },
    true,
    ["verify"],
  );
  const service = await serviceCertificate({
    ca: new x509.X509Certificate(opts.caCertPem),
    caPrivateKey: await importSigningKey(opts.caKeyPem),
    publicKey,
    organization: issuerOrganization(opts.organization),
    now: opts.now ?? new Date(),
  });
  return service.toString("pem");
}

export async function createCaHierarchy(opts: { organization: string; now?: Date }): Promise<CaMaterial> {
  const organization = issuerOrganization(opts.organization);
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const rootKeys = await keyPair(3072);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: name(`${organization} Enrollment Root`, organization),
    notBefore,
    notAfter: addYears(now, 10),
    keys: rootKeys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const issuing = await issueUnderRoot({ root, rootPrivateKey: rootKeys.privateKey, organization, now });
  return { rootCertPem: root.toString("pem"), rootKeyPem: await privateKeyPem(rootKeys.privateKey), ...issuing };
}

/**
 * A new enrollment (issuing) CA and service signing certificate under an existing root, signed with the root's key
 * brought from offline storage: `npm run enrollment -- ca reissue`.
 */
export async function reissueIssuingCa(opts: {
  rootCertPem: string;
  rootKeyPem: string;
  organization: string;
  now?: Date;
}): Promise<StationCa> {
  const root = new x509.X509Certificate(opts.rootCertPem);
  const issuing = await issueUnderRoot({
    root,
    rootPrivateKey: await importSigningKey(opts.rootKeyPem),
    organization: issuerOrganization(opts.organization),
    now: opts.now ?? new Date(),
  });
  return { rootCertPem: opts.rootCertPem, ...issuing };
}

export interface TlsMaterial {
  /** The server certificate followed by the enrollment CA certificate (what the TLS handshake sends). */
  certChainPem: string;
  keyPem: string;
}

/** Host names and IP addresses a TLS server certificate covers (subjectAltName). */
export function tlsNames(names: readonly string[]): { dns: string[]; ip: string[] } {
  const dns = new Set<string>();
  const ip = new Set<string>();
  for (const raw of names) {
    const value = raw
      .trim()
      .replace(/^\[|\]$/g, "")
      .toLowerCase();
    if (value === "" || value === "0.0.0.0" || value === "::") continue;
    if (/^[\d.]+$/.test(value) || value.includes(":")) ip.add(value);
    else dns.add(value);
  }
  return { dns: [...dns], ip: [...ip] };
}

/** A one-year TLS server certificate for `names`, issued by the enrollment CA (so consoles verify it with the root). */
export async function issueTlsCertificate(opts: {
  caCertPem: string;
  caKeyPem: string;
  organization: string;
  names: readonly string[];
  now?: Date;
}): Promise<TlsMaterial> {
  const now = opts.now ?? new Date();
  const caCert = new x509.X509Certificate(opts.caCertPem);
  const caKey = await importSigningKey(opts.caKeyPem);
  const keys = await keyPair(2048);
  const { dns, ip } = tlsNames(opts.names);
  const organization = issuerOrganization(opts.organization);
  const leaf = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name(dns[0] ?? ip[0] ?? "localhost", organization),
    issuer: caCert.subjectName,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(Math.min(addYears(now, 1).getTime(), caCert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...dns.map((value) => ({ type: "dns" as const, value })),
        ...ip.map((value) => ({ type: "ip" as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  return { certChainPem: `${leaf.toString("pem")}\n${caCert.toString("pem")}\n`, keyPem: await privateKeyPem(keys.privateKey) };
}
