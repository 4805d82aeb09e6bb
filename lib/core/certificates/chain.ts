// Builds an X.509 path from the certificates a file carries to one of OUR trust anchors; a key is trusted only via that path.
import "reflect-metadata";
import { createHash, type KeyObject, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { rsaModulusBits } from "./keys";

type ChainRejectReason =
  | "no_certificate"
  | "untrusted_chain"
  | "self_signed"
  | "invalid_chain"
  | "chain_expired"
  | "chain_not_yet_valid"
  | "weak_key";

export type ChainResult =
  | { ok: true; leaf: X509Certificate; leafPem: string; leafKey: KeyObject; path: X509Certificate[] /* leaf … anchor */ }
  | { ok: false; reason: ChainRejectReason; detail: string };

const MAX_CERTIFICATES = 8;
const MIN_RSA_BITS = 2048;

interface Extensions {
  ca: boolean;
  pathLength: number | undefined;
  keyUsage: number | undefined;
}

interface ParsedCertificate {
  cert: X509Certificate;
  extensions: Extensions;
}

// Parsing with @peculiar/x509 costs ~2 ms a certificate; the same anchors and chain come back on every verification.
// Keyed by the DER's SHA-256, so a hit is the very same certificate; bounded so hostile files cannot grow it.
const MAX_CACHED_CERTIFICATES = 256;
const parsedCache = new Map<string, ParsedCertificate>();

function parseDer(der: Buffer): ParsedCertificate {
  const fingerprint = createHash("sha256").update(der).digest("hex");
  const hit = parsedCache.get(fingerprint);
  if (hit) return hit;
  const cert = new X509Certificate(der);
  const parsed = new x509.X509Certificate(cert.raw);
  const bc = parsed.getExtension(x509.BasicConstraintsExtension);
  const ku = parsed.getExtension(x509.KeyUsagesExtension);
  const entry = { cert, extensions: { ca: bc?.ca ?? false, pathLength: bc?.pathLength, keyUsage: ku?.usages } };
  if (parsedCache.size >= MAX_CACHED_CERTIFICATES) {
    const oldest = parsedCache.keys().next().value;
    if (oldest !== undefined) parsedCache.delete(oldest);
  }
  parsedCache.set(fingerprint, entry);
  return entry;
}

function derOfPem(pem: string): Buffer {
  const body = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem)?.[1];
  if (body === undefined) throw new Error("Not a PEM certificate.");
  return Buffer.from(body.replace(/\s+/g, ""), "base64");
}

function extensionsOf(cert: X509Certificate): Extensions {
  return parseDer(cert.raw).extensions;
}

function issued(issuer: X509Certificate, subject: X509Certificate): boolean {
  try {
    return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function sameCert(a: X509Certificate, b: X509Certificate): boolean {
  return a.raw.equals(b.raw);
}

/** Splits a PEM bundle into its certificates (ignoring anything between blocks). */
export function splitPemCertificates(pemText: string): string[] {
  return pemText.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function certificateFromBase64(base64: string): X509Certificate {
  return parseDer(Buffer.from(base64.replace(/\s+/g, ""), "base64")).cert;
}

/** A PEM certificate, parsed once and cached by fingerprint (trust anchors come back on every verification). */
function certificateFromPem(pem: string): X509Certificate {
  return parseDer(derOfPem(pem)).cert;
}

export function isCaCertificate(cert: X509Certificate): boolean {
  const ext = extensionsOf(cert);
  return ext.ca && (ext.keyUsage === undefined || (ext.keyUsage & x509.KeyUsageFlags.keyCertSign) !== 0);
}

/**
 * `certificates`: base64 DER, leaf first (the order XML Signature KeyInfo/X509Data carries them).
 * The path is built by signature, not by order; only `anchors` are trusted. Dates are checked at `now`
 * with `skewMs` of tolerance, after trust is established, so an untrusted chain is reported as untrusted.
 */
export function buildTrustedChain(certificates: readonly string[], anchorsPem: readonly string[], now: Date, skewMs = 0): ChainResult {
  if (certificates.length === 0) return { ok: false, reason: "no_certificate", detail: "KeyInfo carries no X509Certificate." };
  if (certificates.length > MAX_CERTIFICATES) {
    return {
      ok: false,
      reason: "invalid_chain",
      detail: `KeyInfo carries ${certificates.length} certificates; at most ${MAX_CERTIFICATES}.`,
    };
  }
  let pool: X509Certificate[];
  let anchors: X509Certificate[];
  try {
    pool = certificates.map(certificateFromBase64);
  } catch {
    return { ok: false, reason: "invalid_chain", detail: "A KeyInfo X509Certificate is not a DER certificate." };
  }
  try {
    anchors = anchorsPem.map(certificateFromPem);
  } catch {
    return { ok: false, reason: "untrusted_chain", detail: "A configured trust anchor could not be parsed." };
  }
  const leaf = pool[0];
  if (!leaf) return { ok: false, reason: "no_certificate", detail: "KeyInfo carries no X509Certificate." };

  const leafExt = extensionsOf(leaf);
  const bits = rsaModulusBits(leaf.publicKey);
  if (bits === null || bits < MIN_RSA_BITS) {
    return { ok: false, reason: "weak_key", detail: `The signing certificate's key is ${bits === null ? "not RSA" : `${bits}-bit RSA`}.` };
  }

  const path: X509Certificate[] = [leaf];
  let anchor: X509Certificate | undefined;
  for (let current = leaf; ; ) {
    anchor = anchors.find((a) => issued(a, current));
    if (anchor) break;
    const next = pool.find((c) => !path.some((p) => sameCert(p, c)) && issued(c, current));
    if (!next) {
      if (current === leaf && issued(leaf, leaf)) {
        return {
          ok: false,
          reason: "self_signed",
          detail: `The signing certificate "${leaf.subject}" is self-signed and is not a trust anchor.`,
        };
      }
      return {
        ok: false,
        reason: "untrusted_chain",
        detail: `The chain ends at "${current.issuer}", which is not a configured trust anchor.`,
      };
    }
    path.push(next);
    current = next;
    if (path.length > MAX_CERTIFICATES) return { ok: false, reason: "invalid_chain", detail: "The certificate chain is too long." };
  }
  const fullPath = [...path, anchor];

  if (leafExt.ca) {
    return {
      ok: false,
      reason: "invalid_chain",
      detail: "The signing certificate is a CA certificate; SLCs must be signed by an end-entity certificate.",
    };
  }
  if (leafExt.keyUsage !== undefined && (leafExt.keyUsage & x509.KeyUsageFlags.digitalSignature) === 0) {
    return { ok: false, reason: "invalid_chain", detail: "The signing certificate does not allow digital signatures." };
  }
  // Every issuer must be a CA allowed to sign certificates, and respect its pathLen.
  for (let i = 1; i < fullPath.length; i += 1) {
    const issuer = fullPath[i];
    if (!issuer) continue;
    const ext = extensionsOf(issuer);
    if (!isCaCertificate(issuer)) {
      return {
        ok: false,
        reason: "invalid_chain",
        detail: `"${issuer.subject}" is not a CA certificate but issued "${fullPath[i - 1]?.subject}".`,
      };
    }
    const intermediatesBelow = i - 1;
    if (ext.pathLength !== undefined && intermediatesBelow > ext.pathLength) {
      return { ok: false, reason: "invalid_chain", detail: `"${issuer.subject}" allows ${ext.pathLength} intermediate CAs below it.` };
    }
  }
  const t = now.getTime();
  for (const cert of fullPath) {
    if (t + skewMs < new Date(cert.validFrom).getTime()) {
      return {
        ok: false,
        reason: "chain_not_yet_valid",
        detail: `"${cert.subject}" is not valid before ${new Date(cert.validFrom).toISOString()}.`,
      };
    }
    if (t - skewMs > new Date(cert.validTo).getTime()) {
      return { ok: false, reason: "chain_expired", detail: `"${cert.subject}" expired on ${new Date(cert.validTo).toISOString()}.` };
    }
  }
  return { ok: true, leaf, leafPem: leaf.toString(), leafKey: leaf.publicKey, path: fullPath };
}
