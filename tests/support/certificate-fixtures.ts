// Test-only helpers (never imported by product code): a cached CA hierarchy and cluster key, and SLCs valid or broken on demand.
import { randomUUID } from "node:crypto";
import { SignedXml } from "xml-crypto";
import { ALG_ENVELOPED, ALG_EXC_C14N, ALG_RSA_SHA256, ALG_SHA256 } from "@/lib/core/xml/xml-signature";
import { type CaMaterial, createCaHierarchy } from "@/lib/enrollment/ca";
import { type ClusterKeyPair, generateClusterKeyPair, publicKeyBase64 } from "../../lib/core/certificates/keys";
import { buildRenewalRequest, type RenewalRequestFields } from "../../lib/core/certificates/renewal-request";
import { buildSlc, type SlcFields, type SlcSigner } from "../../lib/core/certificates/slc";
import type { SlcExpectation } from "../../lib/core/certificates/verify-slc";

export interface TestCluster extends ClusterKeyPair {
  publicKeyBase64: string;
  clusterGuid: string;
  clusterUrl: string;
  serverName: string;
}

export interface TestPki {
  ca: CaMaterial;
  /** The configured trust anchors for this hierarchy: its root only. */
  trustAnchorsPem: string[];
  signer: SlcSigner;
  cluster: TestCluster;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const cache = new Map<string, Promise<unknown>>();

function cached<T>(key: string, make: () => Promise<T>): Promise<T> {
  let hit = cache.get(key) as Promise<T> | undefined;
  if (!hit) {
    hit = make();
    cache.set(key, hit);
  }
  return hit;
}

function signerOf(ca: CaMaterial): SlcSigner {
  return { privateKeyPem: ca.serviceKeyPem, certificateChainPem: [ca.serviceCertPem, ca.caCertPem] };
}

/** A cached cluster key pair with its identity; `name` picks an independent one ("other" for another cluster's key). */
export function createTestCluster(name = "default"): Promise<TestCluster> {
  return cached(`cluster:${name}`, async () => {
    const keys = await generateClusterKeyPair();
    return {
      ...keys,
      publicKeyBase64: publicKeyBase64(keys.publicKeyPem),
      clusterGuid: `{${randomUUID().toUpperCase()}}`,
      clusterUrl: "https://rms01.contoso.example/_wmcs",
      serverName: "RMS01",
    };
  });
}

/**
 * A CA hierarchy plus cluster key, created once per process per `name`.
 * `name: "untrusted"` gives an independent hierarchy (a root nobody configured); `createdAt` backdates the hierarchy
 * (e.g. 3 years ago: the 2-year service certificate has expired, root and CA are still valid).
 */
export function createTestPki(opts: { name?: string; createdAt?: Date } = {}): Promise<TestPki> {
  const name = opts.name ?? "default";
  return cached(`pki:${name}`, async () => {
    const [ca, cluster] = await Promise.all([
      createCaHierarchy({ organization: `Test ${name}`, now: opts.createdAt }),
      createTestCluster(),
    ]);
    return { ca, trustAnchorsPem: [ca.rootCertPem], signer: signerOf(ca), cluster };
  });
}

export function createUntrustedTestPki(): Promise<TestPki> {
  return createTestPki({ name: "untrusted" });
}

function createExpiredChainTestPki(): Promise<TestPki> {
  return createTestPki({ name: "expired-chain", createdAt: new Date(Date.now() - 3 * 365 * DAY_MS) });
}

export type TestSlcPreset =
  | "valid"
  | "expired"
  | "not_yet_valid"
  | "other_key"
  | "other_guid"
  | "other_url"
  | "other_request"
  | "untrusted"
  | "expired_chain";

export interface IssueTestSlcOptions {
  /** Hierarchy and cluster to use; createTestPki() by default. */
  pki?: TestPki;
  /** A ready-made variation; applied before `fields`. */
  preset?: TestSlcPreset;
  /** Any SLC field to override (validity, key, GUID, URL, requestId …). */
  fields?: Partial<SlcFields>;
  /** Sign with another signer (e.g. a key chained to an untrusted root). */
  signer?: SlcSigner;
  now?: Date;
}

export interface TestSlc {
  xml: string;
  fields: SlcFields;
  pki: TestPki;
  /** Trust anchors a verifier should be configured with: always the (trusted) pki's root. */
  trustAnchorsPem: string[];
  /** What verifySlc should expect for this cluster; `pendingRequestId` is the request the SLC was meant to answer. */
  expect: SlcExpectation;
}

function defaultSlcFields(cluster: TestCluster, now: Date, overrides: Partial<SlcFields> = {}): SlcFields {
  return {
    serialNumber: randomUUID().replace(/-/g, "").toUpperCase(),
    issuedAt: now,
    validFrom: now,
    validUntil: new Date(now.getTime() + 365 * DAY_MS),
    issuerName: "Test Enrollment Service",
    serverGuid: cluster.clusterGuid,
    serverName: cluster.serverName,
    clusterUrl: cluster.clusterUrl,
    publicKeyBase64: cluster.publicKeyBase64,
    requestId: randomUUID(),
    ...overrides,
  };
}

/** Issues an SLC for the test cluster, valid unless a preset or override says otherwise. */
export async function issueTestSlc(opts: IssueTestSlcOptions = {}): Promise<TestSlc> {
  const pki = opts.pki ?? (await createTestPki());
  const now = opts.now ?? new Date();
  const cluster = pki.cluster;
  const base = defaultSlcFields(cluster, now);
  const expect: SlcExpectation = {
    publicKeyBase64: cluster.publicKeyBase64,
    clusterGuid: cluster.clusterGuid,
    clusterUrl: cluster.clusterUrl,
    pendingRequestId: base.requestId,
    installedValidUntil: null,
    now,
  };
  let signer = opts.signer ?? pki.signer;
  let preset: Partial<SlcFields> = {};
  switch (opts.preset ?? "valid") {
    case "expired":
      preset = {
        issuedAt: new Date(now.getTime() - 400 * DAY_MS),
        validFrom: new Date(now.getTime() - 400 * DAY_MS),
        validUntil: new Date(now.getTime() - 35 * DAY_MS),
      };
      break;
    case "not_yet_valid":
      preset = { validFrom: new Date(now.getTime() + 2 * DAY_MS), validUntil: new Date(now.getTime() + 367 * DAY_MS) };
      break;
    case "other_key":
      preset = { publicKeyBase64: (await createTestCluster("other")).publicKeyBase64 };
      break;
    case "other_guid":
      preset = { serverGuid: "{FFFFFFFF-0000-4000-8000-000000000001}" };
      break;
    case "other_url":
      preset = { clusterUrl: "https://elsewhere.example/_wmcs" };
      break;
    case "other_request":
      preset = { requestId: randomUUID() };
      break;
    case "untrusted":
      signer = opts.signer ?? (await createUntrustedTestPki()).signer;
      break;
    case "expired_chain":
      signer = opts.signer ?? (await createExpiredChainTestPki()).signer;
      break;
    case "valid":
      break;
  }
  const fields = { ...base, ...preset, ...opts.fields };
  const xml = buildSlc(fields, signer);
  // An expired-chain SLC is trusted by its own (still valid) root, so the verifier reaches the date check.
  const trustAnchorsPem =
    opts.preset === "expired_chain"
      ? [...pki.trustAnchorsPem, ...(await createExpiredChainTestPki()).trustAnchorsPem]
      : pki.trustAnchorsPem;
  return { xml, fields, pki, trustAnchorsPem, expect };
}

/** A signed renewal request from the test cluster (hostile names welcome via overrides). */
export async function buildTestRenewalRequest(
  overrides: Partial<RenewalRequestFields> = {},
  cluster?: TestCluster,
): Promise<{ xml: string; fields: RenewalRequestFields; cluster: TestCluster }> {
  const c = cluster ?? (await createTestCluster());
  const fields: RenewalRequestFields = {
    requestId: randomUUID(),
    createdAt: new Date(),
    clusterGuid: c.clusterGuid,
    serverName: c.serverName,
    clusterUrl: c.clusterUrl,
    sku: "RMS",
    version: "1.0.0.0",
    name: c.serverName,
    publicKeyBase64: c.publicKeyBase64,
    installedSlcFingerprint: null,
    revocationInformation: "",
    ...overrides,
  };
  return { xml: buildRenewalRequest(fields, c.privateKeyPem), fields, cluster: c };
}

export interface RawSignOptions {
  signatureAlgorithm?: string;
  digestAlgorithm?: string;
  canonicalizationAlgorithm?: string;
  transforms?: string[];
  xpath?: string;
  isEmptyUri?: boolean;
  privateKey?: string | Buffer;
  hmac?: boolean;
}

/**
 * Signs with xml-crypto directly, with the enrollment service's key and chain unless told otherwise — to build the
 * signatures our own signer would never produce (other algorithms, transforms, references) for the attack suites.
 */
export function signWithXmlCrypto(ca: Omit<CaMaterial, "rootKeyPem">, xml: string, opts: RawSignOptions = {}): string {
  const certB64 = (pem: string) => pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const sig = new SignedXml({
    privateKey: opts.privateKey ?? ca.serviceKeyPem,
    signatureAlgorithm: opts.signatureAlgorithm ?? ALG_RSA_SHA256,
    canonicalizationAlgorithm: opts.canonicalizationAlgorithm ?? ALG_EXC_C14N,
    getKeyInfoContent: ({ prefix } = {}) => {
      const p = prefix ? `${prefix}:` : "";
      const certs = [ca.serviceCertPem, ca.caCertPem].map((c) => `<${p}X509Certificate>${certB64(c)}</${p}X509Certificate>`);
      return `<${p}X509Data>${certs.join("")}</${p}X509Data>`;
    },
  });
  if (opts.hmac) sig.enableHMAC();
  sig.addReference({
    xpath: opts.xpath ?? "/*",
    transforms: opts.transforms ?? [ALG_ENVELOPED, ALG_EXC_C14N],
    digestAlgorithm: opts.digestAlgorithm ?? ALG_SHA256,
    isEmptyUri: opts.isEmptyUri ?? true,
  });
  sig.computeSignature(xml, { prefix: "ds", location: { reference: "/*", action: "append" } });
  return sig.getSignedXml();
}
