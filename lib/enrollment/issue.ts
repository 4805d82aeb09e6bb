// The enrollment service's one issuing step: verify a renewal request (proof of possession), then sign an SLC for it.
import { randomBytes } from "node:crypto";
import { type RenewalRequestFields, type RequestRejectReason, verifyRenewalRequest } from "@/lib/certificates/renewal-request";
import { buildSlc, type PreparedSlcSigner, prepareSlcSigner, type SlcFields } from "@/lib/certificates/slc";
import { XML_INPUT_ERROR_CODES } from "@/lib/xml/safe-xml";
import type { CaMaterial } from "./ca";

export interface IssuancePolicy {
  validityDays: number;
  issuerName: string;
  now: Date;
}

export type IssueResult =
  | { ok: true; slcXml: string; request: RenewalRequestFields; slc: SlcFields; keyFingerprint: string }
  | { ok: false; status: 400 | 413 | 422; reason: RequestRejectReason; detail: string };

// Unreadable XML (the XML gate's codes, bar oversize, which has its own status) and comments.
const INPUT_REASONS: ReadonlySet<RequestRejectReason> = new Set<RequestRejectReason>([
  ...XML_INPUT_ERROR_CODES.filter((code) => code !== "too_large"),
  "comment",
]);

/** HTTP status for a refused request: 413 oversize, 400 unreadable XML, 422 readable but not acceptable. */
export function requestRejectStatus(reason: RequestRejectReason): 400 | 413 | 422 {
  if (reason === "too_large") return 413;
  return INPUT_REASONS.has(reason) ? 400 : 422;
}

// The service key and chain are parsed once per loaded CA, not once per SLC.
const signers = new WeakMap<CaMaterial, PreparedSlcSigner>();

function signerFor(ca: CaMaterial): PreparedSlcSigner {
  let signer = signers.get(ca);
  if (!signer) {
    signer = prepareSlcSigner({ privateKeyPem: ca.serviceKeyPem, certificateChainPem: [ca.serviceCertPem, ca.caCertPem] });
    signers.set(ca, signer);
  }
  return signer;
}

export function issueSlc(requestInput: Uint8Array | string, ca: CaMaterial, policy: IssuancePolicy): IssueResult {
  if (!Number.isFinite(policy.validityDays) || policy.validityDays <= 0) {
    throw new RangeError("validityDays must be a positive number.");
  }
  const verified = verifyRenewalRequest(requestInput, policy.now);
  if (!verified.ok) {
    return { ok: false, status: requestRejectStatus(verified.reason), reason: verified.reason, detail: verified.detail };
  }
  const request = verified.fields;
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
  const slcXml = buildSlc(slc, signerFor(ca));
  return { ok: true, slcXml, request, slc, keyFingerprint: verified.keyFingerprint };
}
