// Revocation at the enrollment service: the operator revokes an SLC it issued (operator page or CLI) with an RFC 5280
// reason; the revocation is recorded once, marks the SLC's registration revoked (so the cluster re-enrolls only with the
// operator's approval: ./desk.ts, review) and is audited as a service event. The service publishes the revocations as
// an X.509 CRL (DER, GET /crl) signed by the issuing (enrollment) CA's key, whose certificate chains to the root the
// consoles trust (GET /ca.pem), and answers GET /api/slc-status/<serial> from the same snapshot the CRL is built from.
import { createPrivateKey, type KeyObject, sign as rsaSign, X509Certificate } from "node:crypto";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  Certificate as CertificateAsn,
  CertificateList,
  CRLNumber,
  CRLReason,
  Extension,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  id_ce_cRLReasons,
  KeyIdentifier,
  RevokedCertificate,
  TBSCertList,
  Time,
  Version,
} from "@peculiar/asn1-x509";
import { desc, eq, sql } from "drizzle-orm";
import { ENROLLMENT_LOCK_CLASS } from "@/lib/platform/db/advisory-locks";
import type { EnrollmentDb, EnrollmentDbHandle } from "./db/client";
import { events, issuedSlcs, registrations, revocations, submissions } from "./db/schema";

/** RFC 5280 CRLReason codes the operator may give (certificateHold and the rest are not offered: revocation is final). */
export const REVOCATION_REASONS = [
  "keyCompromise",
  "cACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "unspecified",
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

const REASON_CODES: Record<RevocationReason, number> = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
};

/** An SLC serial as the service writes it: 32 hexadecimal digits (16 random bytes), upper case. */
export const SLC_SERIAL = /^[0-9A-Fa-f]{32}$/;

/** How long a published CRL is good for: consoles treat revocation status as unknown once nextUpdate has passed. */
const CRL_VALIDITY_MS = 24 * 60 * 60 * 1000;

export type RevokeResult =
  | { ok: true; serial: string; guid: string; reason: RevocationReason; revokedAt: Date }
  | { ok: false; code: "not_found" | "already_revoked"; detail: string };

/**
 * Revokes one issued SLC: one transaction records the revocation, marks the cluster's registration revoked and audits
 * the event (channel operator or cli). Revoking twice changes nothing and says so.
 */
export async function revokeSlc(
  handle: EnrollmentDbHandle,
  input: { serial: string; reason: RevocationReason; actor: string; channel: "operator" | "cli"; now: Date },
): Promise<RevokeResult> {
  const serial = input.serial.toUpperCase();
  return handle.db.transaction(async (tx) => {
    const [issued] = await tx.select().from(issuedSlcs).where(eq(issuedSlcs.serial, serial)).limit(1);
    if (!issued) return { ok: false, code: "not_found", detail: `This service issued no SLC with serial ${serial}.` } as const;
    if (handle.kind === "postgres") {
      // The same key the desk takes for the GUID: a renewal being decided for it waits for this revocation.
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${ENROLLMENT_LOCK_CLASS}, hashtext(${`guid:${issued.guid}`}))`);
    }
    const inserted = await tx
      .insert(revocations)
      .values({ serial, guid: issued.guid, reason: input.reason, revokedAt: input.now, revokedBy: input.actor })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) {
      const [earlier] = await tx.select().from(revocations).where(eq(revocations.serial, serial)).limit(1);
      return {
        ok: false,
        code: "already_revoked",
        detail: `SLC ${serial} was already revoked${earlier ? ` on ${earlier.revokedAt.toISOString()} by ${earlier.revokedBy} (${earlier.reason})` : ""}.`,
      } as const;
    }
    await tx
      .update(registrations)
      .set({ state: "revoked", revokedAt: input.now, revokedBy: input.actor, updatedAt: input.now })
      .where(eq(registrations.guid, issued.guid));
    await tx.insert(events).values({
      at: input.now,
      channel: input.channel,
      outcome: "slc_revoked",
      reason: input.reason,
      actor: input.actor,
      guid: issued.guid,
      submissionId: issued.submissionId,
      slcSerial: serial,
    });
    return { ok: true, serial, guid: issued.guid, reason: input.reason, revokedAt: input.now } as const;
  });
}

export interface RevocationEntry {
  serial: string;
  guid: string;
  reason: RevocationReason;
  revokedAt: Date;
  revokedBy: string;
}

/** Every revocation, oldest first: what the CRL lists. */
async function listRevocations(db: EnrollmentDb): Promise<RevocationEntry[]> {
  return db.select().from(revocations).orderBy(revocations.revokedAt, revocations.serial);
}

export interface IssuedSlcRow {
  serial: string;
  guid: string;
  serverName: string;
  issuedAt: Date;
  validUntil: Date;
  revocation: { reason: RevocationReason; revokedAt: Date; revokedBy: string } | null;
}

/** The most recently issued SLCs with their revocation, for the operator's page and `slcs list`. */
export async function listIssuedSlcs(db: EnrollmentDb, limit = 20): Promise<IssuedSlcRow[]> {
  const rows = await db
    .select({
      serial: issuedSlcs.serial,
      guid: issuedSlcs.guid,
      serverName: submissions.serverName,
      issuedAt: issuedSlcs.issuedAt,
      validUntil: issuedSlcs.validUntil,
      reason: revocations.reason,
      revokedAt: revocations.revokedAt,
      revokedBy: revocations.revokedBy,
    })
    .from(issuedSlcs)
    .innerJoin(submissions, eq(submissions.id, issuedSlcs.submissionId))
    .leftJoin(revocations, eq(revocations.serial, issuedSlcs.serial))
    .orderBy(desc(issuedSlcs.issuedAt), desc(issuedSlcs.serial))
    .limit(limit);
  return rows.map((r) => ({
    serial: r.serial,
    guid: r.guid,
    serverName: r.serverName,
    issuedAt: r.issuedAt,
    validUntil: r.validUntil,
    revocation: r.reason && r.revokedAt && r.revokedBy ? { reason: r.reason, revokedAt: r.revokedAt, revokedBy: r.revokedBy } : null,
  }));
}

/** Whether this service issued an SLC with this serial (upper case). */
export async function issuedSerialExists(db: EnrollmentDb, serial: string): Promise<boolean> {
  const [row] = await db.select({ serial: issuedSlcs.serial }).from(issuedSlcs).where(eq(issuedSlcs.serial, serial)).limit(1);
  return row !== undefined;
}

/**
 * THE CRL signer: the issuing CA's certificate and a function that signs the DER of a TBSCertList with
 * sha256WithRSAEncryption. Today the key is the enrollment CA's PEM in the data folder; an HSM (PKCS#11) signer is a
 * drop-in replacement of this one object (the CRL code never sees the key).
 */
export interface CrlSigner {
  issuerCertPem: string;
  sign(tbsDer: Uint8Array): Promise<Uint8Array>;
}

export function crlSignerFromPem(caCertPem: string, caKeyPem: string): CrlSigner {
  const key: KeyObject = createPrivateKey(caKeyPem);
  if (!new X509Certificate(caCertPem).checkPrivateKey(key))
    throw new Error("The CRL signing key does not belong to the issuing CA certificate.");
  return {
    issuerCertPem: caCertPem,
    sign: async (tbsDer) => new Uint8Array(rsaSign("sha256", tbsDer, key)),
  };
}

const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
const SUBJECT_KEY_IDENTIFIER = "2.5.29.14";

function extension(extnID: string, value: unknown): Extension {
  return new Extension({ extnID, critical: false, extnValue: new OctetString(AsnConvert.serialize(value)) });
}

/** A certificate serial (hex) as the DER INTEGER content: positive, minimal. */
function serialBytes(hex: string): ArrayBuffer {
  let bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, "hex");
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1] ?? 0) < 0x80) bytes = bytes.subarray(1);
  if ((bytes[0] ?? 0) >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return new Uint8Array(bytes).buffer;
}

/**
 * Builds and signs a version 2 CRL (RFC 5280 §5) over the revoked SLC serials: issuer = the issuing CA's subject,
 * thisUpdate/nextUpdate and the CRL number (nextCrlIssue gives the service's), the authority key identifier, and a
 * reason code per entry. Returns the DER.
 */
export async function buildCrl(
  entries: readonly Pick<RevocationEntry, "serial" | "reason" | "revokedAt">[],
  signer: CrlSigner,
  at: { thisUpdate: Date; nextUpdate: Date; number: number },
): Promise<Uint8Array> {
  const issuerDer = new X509Certificate(signer.issuerCertPem).raw;
  const issuer = AsnConvert.parse(issuerDer, CertificateAsn);
  const ski = issuer.tbsCertificate.extensions?.find((e) => e.extnID === SUBJECT_KEY_IDENTIFIER);
  const algorithm = new AlgorithmIdentifier({ algorithm: SHA256_WITH_RSA, parameters: null });
  const crlExtensions = [extension(id_ce_cRLNumber, new CRLNumber(at.number))];
  if (ski) {
    const keyId = AsnConvert.parse(ski.extnValue.buffer, OctetString);
    crlExtensions.unshift(
      extension(id_ce_authorityKeyIdentifier, new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyId.buffer) })),
    );
  }
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: algorithm,
    issuer: issuer.tbsCertificate.subject,
    thisUpdate: new Time(at.thisUpdate),
    nextUpdate: new Time(at.nextUpdate),
    revokedCertificates:
      entries.length === 0
        ? undefined
        : entries.map(
            (entry) =>
              new RevokedCertificate({
                userCertificate: serialBytes(entry.serial),
                revocationDate: new Time(entry.revokedAt),
                crlEntryExtensions: [extension(id_ce_cRLReasons, new CRLReason(REASON_CODES[entry.reason]))],
              }),
          ),
    crlExtensions,
  });
  const tbsDer = new Uint8Array(AsnConvert.serialize(tbs));
  const signature = await signer.sign(tbsDer);
  const list = new CertificateList({
    tbsCertList: tbs,
    signatureAlgorithm: algorithm,
    signature: signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength) as ArrayBuffer,
  });
  return new Uint8Array(AsnConvert.serialize(list));
}

export interface PublishedCrl {
  der: Uint8Array;
  thisUpdate: Date;
  nextUpdate: Date;
  number: number;
  entries: RevocationEntry[];
}

/**
 * The dates and number of the next list at `now`, after `previous`: thisUpdate is the moment it is signed, in whole
 * seconds (a CRL's times have no finer precision), never later; the number is thisUpdate in seconds, or one more than
 * the previous list's when several are signed within one second (RFC 5280 §5.2.3: it only grows).
 */
export function nextCrlIssue(now: Date, previous: { number: number } | null): { thisUpdate: Date; nextUpdate: Date; number: number } {
  const seconds = Math.floor(now.getTime() / 1000);
  const thisUpdate = new Date(seconds * 1000);
  return {
    thisUpdate,
    nextUpdate: new Date(thisUpdate.getTime() + CRL_VALIDITY_MS),
    number: Math.max(seconds, (previous?.number ?? 0) + 1),
  };
}

/**
 * The CRL the service publishes, rebuilt when a revocation was added or half its validity has passed (so every answer
 * within one snapshot says the same, and a burst of downloads signs once). Several replicas each sign their own.
 */
export function createCrlPublisher(db: EnrollmentDb, signer: CrlSigner, clock: () => Date) {
  let current: (PublishedCrl & { count: number }) | null = null;
  let building: Promise<PublishedCrl> | null = null;
  async function build(): Promise<PublishedCrl> {
    const entries = await listRevocations(db);
    const now = clock();
    if (current && current.count === entries.length && now.getTime() < current.thisUpdate.getTime() + CRL_VALIDITY_MS / 2) {
      return current;
    }
    const issue = nextCrlIssue(now, current);
    const der = await buildCrl(entries, signer, issue);
    current = { der, ...issue, entries, count: entries.length };
    return current;
  }
  return {
    issuerCertPem: signer.issuerCertPem,
    /** The current CRL (built once at a time). */
    async current(): Promise<PublishedCrl> {
      building ??= build().finally(() => {
        building = null;
      });
      return building;
    },
  };
}
export type CrlPublisher = ReturnType<typeof createCrlPublisher>;
