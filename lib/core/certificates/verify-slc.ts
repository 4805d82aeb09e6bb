// THE verification of an SLC file, used by every import path: hostile-input gate, signature profile, trusted chain, then business rules.
import { X509Certificate } from "node:crypto";
import { XML_INPUT_ERROR_CODES } from "@/lib/core/xml/safe-xml";
import { DSIG_NS, inNoNamespace, inspectEnvelopedSignature, readXmlDocument, verifyEnvelopedSignature } from "@/lib/core/xml/xml-signature";
import { buildTrustedChain, isCaCertificate, splitPemCertificates } from "./chain";
import { documentFingerprint, publicKeyFingerprint } from "./keys";
import { parseSignedSlc, revocationEntryFor, SLC_ROOT, type SlcFields } from "./slc";
import { SLC_XML_CAPS } from "./slc-caps";
import { checkSlcProfile, SLC_PROFILE_REASONS } from "./slc-profile";

export const CHECK_NAMES = [
  "input",
  "signature",
  "trusted_chain",
  "whole_document",
  "algorithms",
  "as_issued",
  "public_key",
  "guid",
  "url",
  "request",
  "validity",
  "not_revoked",
  "newer_than_installed",
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export const SLC_REJECT_REASONS = [
  ...XML_INPUT_ERROR_CODES,
  "comment",
  "no_signature",
  "multiple_signatures",
  "malformed_signature",
  "signature_invalid",
  "digest_mismatch",
  "no_certificate",
  "untrusted_chain",
  "self_signed",
  "invalid_chain",
  "chain_expired",
  "chain_not_yet_valid",
  "weak_key",
  "signature_wrapping",
  "duplicate_element",
  "reference_not_whole_document",
  "not_slc",
  "disallowed_algorithm",
  "extra_transform",
  "wrong_public_key",
  "wrong_guid",
  "wrong_url",
  "no_pending_request",
  "wrong_request",
  "expired",
  "not_yet_valid",
  "not_newer",
  // On the enrollment service's signed revocation list, as this console last verified it (lib/console/revocation).
  "revoked",
  // The file is not the exact form the enrollment service writes (./slc-profile.ts).
  ...SLC_PROFILE_REASONS,
  // Off the main thread (verify-off-thread.ts): the file ran past the deadline, or the worker could not verify it.
  "verification_deadline",
  "verification_failed",
] as const;
export type SlcRejectReason = (typeof SLC_REJECT_REASONS)[number];

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  reason?: SlcRejectReason;
  detail: string;
}

export interface SlcExpectation {
  publicKeyBase64: string;
  clusterGuid: string;
  clusterUrl: string;
  pendingRequestId: string | null;
  installedValidUntil: Date | null;
  now: Date;
  /** The last verified revocation list's entries (lib/console/revocation/status.ts); undefined: none checked yet. */
  revoked?: readonly { serial: string; reason: string; revokedAt: string }[];
}

export interface VerifiedSlc extends SlcFields {
  /** The file as the enrollment service wrote it (transport changes undone): what is installed and fingerprinted. */
  document: string;
  /** SHA-256 of `document`: the same fingerprint the service recorded when it issued the SLC. */
  fingerprint: string;
  issuerSubject: string;
  chainSubjects: string[];
}

export type SlcVerification =
  | { ok: true; slc: VerifiedSlc; checks: CheckResult[] }
  | { ok: false; failed: CheckName; reason: SlcRejectReason; detail: string; checks: CheckResult[] };

const DEFAULT_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Splits a PEM bundle and keeps it only if every certificate in it is a CA certificate; throws otherwise. */
export function parseTrustAnchors(pemText: string): string[] {
  return splitPemCertificates(pemText).map((pem, index) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw new Error(`Trust anchor #${index + 1} is not a valid PEM certificate; replace the file with the enrollment root certificate.`);
    }
    if (!isCaCertificate(cert)) {
      throw new Error(`Trust anchor "${cert.subject}" is not a CA certificate; install the enrollment service's root certificate instead.`);
    }
    return cert.toString();
  });
}

function collectCertificates(keyInfo: Node | null | undefined): string[] {
  const out: string[] = [];
  const walk = (node: Node) => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (c.nodeType !== 1) continue;
      const el = c as Element;
      if (el.namespaceURI === DSIG_NS && el.localName === "X509Certificate") out.push(el.textContent ?? "");
      else walk(el);
    }
  };
  if (keyInfo) walk(keyInfo);
  return out;
}

/** Node prints X.509 names one attribute per line; people read "CN=…, O=…". */
function displayName(subject: string): string {
  return subject.split("\n").join(", ");
}

function normalizeGuid(guid: string): string {
  return guid
    .trim()
    .replace(/^\{|\}$/g, "")
    .toUpperCase();
}

function normalizeUrl(url: string): string {
  try {
    return new URL(url.trim()).href.replace(/\/+$/, "");
  } catch {
    return url.trim();
  }
}

function samePublicKey(a: string, b: string): boolean {
  try {
    return publicKeyFingerprint(a) === publicKeyFingerprint(b);
  } catch {
    return false;
  }
}

class Checks {
  private readonly results = new Map<CheckName, CheckResult>();
  pass(name: CheckName, detail: string): void {
    this.results.set(name, { name, ok: true, detail });
  }
  fail(name: CheckName, reason: SlcRejectReason, detail: string): SlcVerification {
    this.results.set(name, { name, ok: false, reason, detail });
    return { ok: false, failed: name, reason, detail, checks: this.list() };
  }
  list(): CheckResult[] {
    return CHECK_NAMES.flatMap((n) => {
      const r = this.results.get(n);
      return r ? [r] : [];
    });
  }
}

/**
 * Verifies an SLC file against our trust anchors and this cluster's expectations. Never throws for bad input.
 * Evaluation order (cheap, non-cryptographic gates first): input → signature count → whole_document → algorithms →
 * trusted_chain → signature value → exact form as issued → business checks. `checks` lists evaluated checks in CHECK_NAMES order,
 * ending with the failed one; a structural failure therefore appears before signature/trusted_chain are listed.
 */
export function verifySlc(
  input: Uint8Array | string,
  opts: { trustAnchorsPem: string[]; expect: SlcExpectation; clockSkewMs?: number },
): SlcVerification {
  const checks = new Checks();
  const skew = opts.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  const { expect } = opts;
  try {
    const read = readXmlDocument(input, SLC_XML_CAPS);
    if (!read.ok) return checks.fail("input", read.reason, read.detail);
    const { xml, doc } = read;
    if (doc.documentElement.localName !== SLC_ROOT || !inNoNamespace(doc.documentElement)) {
      return checks.fail("input", "not_slc", `The root element is ${doc.documentElement.nodeName}; an SLC file starts with <XrML>.`);
    }

    checks.pass("input", "UTF-8, no DTD or entities, no comments, well-formed, within size and depth limits.");
    const structure = inspectEnvelopedSignature(doc, SLC_ROOT);
    if (!structure.ok) return checks.fail(structure.check, structure.reason, structure.detail);
    checks.pass("whole_document", 'One reference, URI="" (the whole document); signature is a child of the root; no duplicated elements.');
    checks.pass("algorithms", "RSA-SHA256, SHA-256, exclusive c14n; transforms [enveloped-signature, exc-c14n].");

    // Trust comes only from a path to a configured anchor, built once; its leaf key verifies the signature.
    const chain = buildTrustedChain(collectCertificates(structure.keyInfo), opts.trustAnchorsPem, expect.now, skew);
    if (!chain.ok) return checks.fail("trusted_chain", chain.reason, chain.detail);
    const chainSubjects = chain.path.map((c) => displayName(c.subject));
    checks.pass("trusted_chain", `Chain: ${chainSubjects.join(" → ")}.`);

    const verified = verifyEnvelopedSignature(xml, structure.signature, chain.leafKey);
    if (!verified.ok) return checks.fail("signature", verified.reason, verified.detail);
    checks.pass("signature", `Signed by "${displayName(chain.leaf.subject)}".`);

    // Installed only in the exact form the service issued, so its fingerprint is the one the service recorded.
    const profile = checkSlcProfile(xml, doc, structure.signature);
    if (!profile.ok) return checks.fail("as_issued", profile.reason, profile.detail);
    checks.pass(
      "as_issued",
      "Exactly as the enrollment service wrote it (a byte-order mark, line endings and trailing whitespace from the transfer aside).",
    );

    // Business fields come only from what the signature covered.
    const parsed = parseSignedSlc(verified.signedContent);
    if (!parsed.ok) return checks.fail("whole_document", "not_slc", `The signed document is not a valid SLC: ${parsed.detail}`);
    const slc = parsed.fields;

    if (!samePublicKey(slc.publicKeyBase64, expect.publicKeyBase64)) {
      return checks.fail("public_key", "wrong_public_key", "The SLC certifies a different public key than this cluster's key.");
    }
    checks.pass("public_key", `Public key ${publicKeyFingerprint(slc.publicKeyBase64)}.`);

    if (normalizeGuid(slc.serverGuid) !== normalizeGuid(expect.clusterGuid)) {
      return checks.fail("guid", "wrong_guid", `The SLC is for server ${slc.serverGuid}, this cluster is ${expect.clusterGuid}.`);
    }
    checks.pass("guid", `Cluster GUID ${slc.serverGuid}.`);

    if (normalizeUrl(slc.clusterUrl) !== normalizeUrl(expect.clusterUrl)) {
      return checks.fail("url", "wrong_url", `The SLC is for ${slc.clusterUrl}, this cluster is ${expect.clusterUrl}.`);
    }
    checks.pass("url", `Cluster URL ${slc.clusterUrl}.`);

    if (expect.pendingRequestId === null) {
      return checks.fail("request", "no_pending_request", "There is no open renewal request for this SLC to answer.");
    }
    if (slc.requestId.toLowerCase() !== expect.pendingRequestId.toLowerCase()) {
      return checks.fail(
        "request",
        "wrong_request",
        `The SLC answers request ${slc.requestId}, the open request is ${expect.pendingRequestId}.`,
      );
    }
    checks.pass("request", `Answers request ${slc.requestId}.`);

    const now = expect.now.getTime();
    if (slc.validUntil.getTime() <= slc.validFrom.getTime()) {
      return checks.fail("validity", "expired", "The SLC's validity period is empty.");
    }
    if (now + skew < slc.validFrom.getTime()) {
      return checks.fail("validity", "not_yet_valid", `The SLC is valid from ${slc.validFrom.toISOString()}.`);
    }
    if (now - skew >= slc.validUntil.getTime()) {
      return checks.fail("validity", "expired", `The SLC expired on ${slc.validUntil.toISOString()}.`);
    }
    checks.pass("validity", `Valid ${slc.validFrom.toISOString()} – ${slc.validUntil.toISOString()}.`);

    const revoked = expect.revoked && revocationEntryFor(expect.revoked, slc.serialNumber);
    if (revoked) {
      return checks.fail(
        "not_revoked",
        "revoked",
        `The enrollment service revoked SLC ${slc.serialNumber.toUpperCase()} on ${revoked.revokedAt} (reason: ${revoked.reason}).`,
      );
    }
    checks.pass(
      "not_revoked",
      expect.revoked === undefined
        ? "No revocation list has been checked yet."
        : `Serial ${slc.serialNumber.toUpperCase()} is not on the enrollment service's revocation list.`,
    );

    if (expect.installedValidUntil !== null && slc.validUntil.getTime() <= expect.installedValidUntil.getTime()) {
      return checks.fail(
        "newer_than_installed",
        "not_newer",
        `The SLC expires ${slc.validUntil.toISOString()}, not after the installed one (${expect.installedValidUntil.toISOString()}).`,
      );
    }
    checks.pass("newer_than_installed", expect.installedValidUntil === null ? "No SLC installed yet." : "Expires after the installed SLC.");

    return {
      ok: true,
      slc: {
        ...slc,
        document: profile.document,
        fingerprint: documentFingerprint(profile.document),
        issuerSubject: displayName(chain.leaf.subject),
        chainSubjects,
      },
      checks: checks.list(),
    };
  } catch (error) {
    // Defence in depth: a library bug on hostile input must still be a rejection, not a crash.
    return checks.fail(
      "input",
      "malformed",
      `The file could not be verified: ${error instanceof Error ? error.message : "unknown error"}.`,
    );
  }
}
