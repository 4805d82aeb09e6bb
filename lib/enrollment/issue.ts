// The enrollment service's two issuing steps, run on the issuing pool's workers: verify a renewal request (proof of
// possession), and sign an SLC for an accepted one. Who may get an SLC is decided between the two (./desk.ts).
import { randomBytes } from "node:crypto";
import { documentFingerprint } from "@/lib/core/certificates/keys";
import { type RenewalRequestFields, type RequestRejectReason, verifyRenewalRequest } from "@/lib/core/certificates/renewal-request";
import { buildSlc, type PreparedSlcSigner, prepareSlcSigner, type SlcFields } from "@/lib/core/certificates/slc";
import { XML_INPUT_ERROR_CODES } from "@/lib/core/xml/safe-xml";

/** What an issuing worker holds: the SLC signing key and its chain, never the root or enrollment CA keys. */
export interface IssuingKey {
  serviceKeyPem: string;
  /** The signing certificate, then the enrollment CA certificate. */
  chainPem: string[];
}

export interface IssuancePolicy {
  validityDays: number;
  issuerName: string;
  now: Date;
}

export type RequestCheck =
  | { ok: true; request: RenewalRequestFields; keyFingerprint: string; signedSha256: string }
  | { ok: false; status: 400 | 413 | 422; reason: RequestRejectReason; detail: string };

export interface SignedSlc {
  slcXml: string;
  slc: SlcFields;
  /** SHA-256 of the SLC document: what a console later names as its InstalledSlcFingerprint. */
  fingerprint: string;
}

// Unreadable XML (the XML gate's codes, bar oversize and hostile names, which have their own status) and comments.
const INPUT_REASONS: ReadonlySet<RequestRejectReason> = new Set<RequestRejectReason>([
  ...XML_INPUT_ERROR_CODES.filter((code) => code !== "too_large" && code !== "reserved_name"),
  "comment",
]);

/** HTTP status for a refused request: 413 oversize, 400 unreadable XML, 422 readable but not acceptable (hostile names included). */
export function requestRejectStatus(reason: RequestRejectReason): 400 | 413 | 422 {
  if (reason === "too_large") return 413;
  return INPUT_REASONS.has(reason) ? 400 : 422;
}

export function checkRequest(requestInput: Uint8Array | string, now: Date): RequestCheck {
  const verified = verifyRenewalRequest(requestInput, now);
  if (!verified.ok) {
    return { ok: false, status: requestRejectStatus(verified.reason), reason: verified.reason, detail: verified.detail };
  }
  return { ok: true, request: verified.fields, keyFingerprint: verified.keyFingerprint, signedSha256: verified.signedSha256 };
}

// The key and chain are parsed once per IssuingKey, not once per SLC.
const signers = new WeakMap<IssuingKey, PreparedSlcSigner>();

function signerFor(key: IssuingKey): PreparedSlcSigner {
  let signer = signers.get(key);
  if (!signer) {
    signer = prepareSlcSigner({ privateKeyPem: key.serviceKeyPem, certificateChainPem: key.chainPem });
    signers.set(key, signer);
  }
  return signer;
}

/** Signs an SLC for a request that was verified (checkRequest) and accepted; valid from policy.now for validityDays. */
export function signSlc(request: RenewalRequestFields, key: IssuingKey, policy: IssuancePolicy): SignedSlc {
  if (!Number.isFinite(policy.validityDays) || policy.validityDays <= 0) {
    throw new RangeError("validityDays must be a positive number.");
  }
  const validFrom = new Date(policy.now.getTime());
  const slc: SlcFields = {
    serialNumber: randomBytes(16).toString("hex").toUpperCase(),
    issuedAt: validFrom,
    validFrom,
    validUntil: new Date(validFrom.getTime() + policy.validityDays * 24 * 60 * 60 * 1000),
    issuerName: policy.issuerName,
    serverGuid: request.clusterGuid,
    serverName: request.serverName,
    clusterUrl: request.clusterUrl,
    publicKeyBase64: request.publicKeyBase64,
    requestId: request.requestId,
  };
  const slcXml = buildSlc(slc, signerFor(key));
  return { slcXml, slc, fingerprint: documentFingerprint(slcXml) };
}
