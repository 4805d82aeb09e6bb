// Verifies the enrollment service's revocation list (an X.509 CRL, DER) against the console's configured trust anchors
// only: the CRL's signer must be an anchor or a CA certificate that chains to one (the service's issuing CA, fetched
// from /ca.pem: a certificate merely offered is never trusted by itself), hold the cRLSign key usage, and its key must
// verify the CRL's signature (sha256WithRSAEncryption). A CRL past its nextUpdate is stale: the status is unknown.
import { createVerify, X509Certificate } from "node:crypto";
import "reflect-metadata";
import { AsnConvert } from "@peculiar/asn1-schema";
import { Certificate, CertificateList, CRLNumber, CRLReason, CRLReasons, id_ce_cRLNumber, id_ce_cRLReasons } from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import { splitPemCertificates } from "@/lib/core/certificates/chain";

/** A CRL larger than this is not the service's (each entry is about 40 bytes). */
const MAX_CRL_BYTES = 256 * 1024;
const MAX_ISSUER_CERTIFICATES = 4;
const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
/** Clock skew allowed on thisUpdate and on the certificates' validity. */
const SKEW_MS = 5 * 60 * 1000;

export interface CrlEntry {
  /** Upper-case hexadecimal, without leading zero bytes: the SLC serial as the service writes it. */
  serial: string;
  reason: string;
  revokedAt: string;
}

interface VerifiedCrl {
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date;
  crlNumber: string | null;
  entries: CrlEntry[];
}

type CrlFailureCode = "malformed" | "untrusted" | "bad_signature" | "stale" | "not_yet_valid";
export type CrlVerification = ({ ok: true } & VerifiedCrl) | { ok: false; code: CrlFailureCode; detail: string };

function fail(code: CrlFailureCode, detail: string): CrlVerification {
  return { ok: false, code, detail };
}

function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function withinValidity(cert: X509Certificate, now: Date): boolean {
  const t = now.getTime();
  return t + SKEW_MS >= new Date(cert.validFrom).getTime() && t - SKEW_MS <= new Date(cert.validTo).getTime();
}

function keyUsageOf(cert: X509Certificate): { ca: boolean; usages: number | undefined } {
  const parsed = new x509.X509Certificate(cert.raw);
  return {
    ca: parsed.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
    usages: parsed.getExtension(x509.KeyUsagesExtension)?.usages,
  };
}

/** The serial's INTEGER content in upper-case hex, without leading zero bytes (compare it with slcSerialKey). */
function serialHex(bytes: ArrayBuffer): string {
  let buf = Buffer.from(bytes);
  while (buf.length > 1 && buf[0] === 0) buf = buf.subarray(1);
  return buf.toString("hex").toUpperCase();
}

/** Names compare by their DER: the signer's subject must be exactly the CRL's issuer. */
function sameName(a: ArrayBuffer | Buffer, b: ArrayBuffer | Buffer): boolean {
  return Buffer.from(a as ArrayBuffer).equals(Buffer.from(b as ArrayBuffer));
}

/**
 * Verifies `der` at `now`: signed by a CA that chains to one of `anchorsPem` (through the certificates in `issuersPem`,
 * never trusted on their own), current (thisUpdate ≤ now ≤ nextUpdate). Never throws for bad input.
 */
export function verifyCrl(der: Uint8Array, opts: { issuersPem: string; anchorsPem: readonly string[]; now: Date }): CrlVerification {
  if (der.byteLength === 0 || der.byteLength > MAX_CRL_BYTES) {
    return fail("malformed", `The revocation list has ${der.byteLength} bytes; expected 1 to ${MAX_CRL_BYTES}.`);
  }
  let list: CertificateList;
  try {
    list = AsnConvert.parse(der, CertificateList);
  } catch (error) {
    return fail("malformed", `The revocation list is not a DER X.509 CRL: ${error instanceof Error ? error.message : String(error)}.`);
  }
  const tbs = list.tbsCertList;
  if (list.signatureAlgorithm.algorithm !== SHA256_WITH_RSA || tbs.signature.algorithm !== SHA256_WITH_RSA) {
    return fail(
      "bad_signature",
      `The revocation list is signed with ${list.signatureAlgorithm.algorithm}; only sha256WithRSAEncryption is accepted.`,
    );
  }
  const tbsRaw = list.tbsCertListRaw;
  if (!tbsRaw) return fail("malformed", "The revocation list's signed part could not be read.");

  let anchors: X509Certificate[];
  let offered: X509Certificate[];
  try {
    anchors = opts.anchorsPem.map((pem) => new X509Certificate(pem));
    offered = splitPemCertificates(opts.issuersPem)
      .slice(0, MAX_ISSUER_CERTIFICATES)
      .map((pem) => new X509Certificate(pem));
  } catch {
    return fail("untrusted", "A trust anchor or the service's CA certificate could not be parsed.");
  }
  if (anchors.length === 0) return fail("untrusted", "No trust anchor is configured to verify the revocation list with.");
  const issuerDer = AsnConvert.serialize(tbs.issuer);
  const candidates = [...anchors, ...offered];
  const signer = candidates.find((cert) => {
    const subjectDer = AsnConvert.serialize(AsnConvert.parse(cert.raw, Certificate).tbsCertificate.subject);
    if (!sameName(subjectDer, issuerDer)) return false;
    try {
      return createVerify("sha256").update(Buffer.from(tbsRaw)).verify(cert.publicKey, Buffer.from(list.signature));
    } catch {
      return false;
    }
  });
  if (!signer) {
    return fail(
      "bad_signature",
      "No certificate of the revocation list's issuer verifies its signature: it was not signed by the enrollment service's CA.",
    );
  }
  // The signer must lead to a configured anchor; each step issued and verified, each CA within its validity.
  const path: X509Certificate[] = [signer];
  let current = signer;
  while (!anchors.some((a) => a.raw.equals(current.raw))) {
    const anchor = anchors.find((a) => issued(a, current));
    if (anchor) {
      path.push(anchor);
      break;
    }
    const next = offered.find((c) => !path.some((p) => p.raw.equals(c.raw)) && issued(c, current));
    if (!next || path.length > MAX_ISSUER_CERTIFICATES) {
      return fail(
        "untrusted",
        `The revocation list's signer "${signer.subject.split("\n").join(", ")}" does not chain to a configured trust anchor.`,
      );
    }
    path.push(next);
    current = next;
  }
  for (const cert of path) {
    if (!withinValidity(cert, opts.now)) {
      return fail("untrusted", `"${cert.subject.split("\n").join(", ")}" is outside its validity period.`);
    }
  }
  for (const cert of path.slice(1)) {
    if (!keyUsageOf(cert).ca) return fail("untrusted", `"${cert.subject.split("\n").join(", ")}" is not a CA certificate.`);
  }
  const signerUsage = keyUsageOf(signer);
  if (!signerUsage.ca || (signerUsage.usages !== undefined && (signerUsage.usages & x509.KeyUsageFlags.cRLSign) === 0)) {
    return fail("untrusted", "The revocation list's signer is not a CA allowed to sign revocation lists (cRLSign).");
  }

  const thisUpdate = tbs.thisUpdate.getTime();
  const nextUpdate = tbs.nextUpdate?.getTime();
  if (!nextUpdate) return fail("malformed", "The revocation list has no nextUpdate, so it cannot be known to be current.");
  if (thisUpdate.getTime() > opts.now.getTime() + SKEW_MS) {
    return fail("not_yet_valid", `The revocation list is dated ${thisUpdate.toISOString()}, in the future; check the clocks.`);
  }
  if (nextUpdate.getTime() < opts.now.getTime()) {
    return fail("stale", `The revocation list expired at ${nextUpdate.toISOString()} (nextUpdate) and no newer one was obtained.`);
  }
  const entries: CrlEntry[] = (tbs.revokedCertificates ?? []).map((entry) => {
    const reasonExt = entry.crlEntryExtensions?.find((e) => e.extnID === id_ce_cRLReasons);
    let reason = "unspecified";
    if (reasonExt) {
      try {
        reason = CRLReasons[AsnConvert.parse(reasonExt.extnValue.buffer, CRLReason).reason] ?? "unspecified";
      } catch {
        reason = "unspecified";
      }
    }
    return { serial: serialHex(entry.userCertificate), reason, revokedAt: entry.revocationDate.getTime().toISOString() };
  });
  const numberExt = tbs.crlExtensions?.find((e) => e.extnID === id_ce_cRLNumber);
  let crlNumber: string | null = null;
  if (numberExt) {
    try {
      crlNumber = String(AsnConvert.parse(numberExt.extnValue.buffer, CRLNumber).value);
    } catch {
      crlNumber = null;
    }
  }
  return { ok: true, issuer: signer.subject.split("\n").join(", "), thisUpdate, nextUpdate, crlNumber, entries };
}
