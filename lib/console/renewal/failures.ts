// Why a renewal operation changed nothing: one variant per code, each with exactly what a message or the audit needs.
import type { CheckName, CheckResult, SlcRejectReason } from "@/lib/core/certificates/verify-slc";

/** A certificate that failed the verifier: the check that failed, why, and every check that ran. */
interface CheckFailure {
  failedCheck: CheckName;
  rejectReason: SlcRejectReason;
  checks: CheckResult[];
  detail: string;
}

export type RenewalFailure = { ok: false } & (
  | { code: "not_found" }
  | { code: "in_progress" }
  | { code: "no_key" }
  | { code: "no_pending" }
  | { code: "changed" }
  // Re-key (lib/console/renewal/rekey.ts): the cluster has no installed SLC to replace, or a re-key is already pending.
  | { code: "no_certificate" }
  | { code: "rekey_pending" }
  | { code: "key_unavailable"; detail: string }
  | { code: "no_trust_anchors"; detail: string }
  | { code: "unreachable"; detail: string }
  | { code: "timeout"; detail: string }
  // The service's TLS certificate does not chain to a trust anchor or names another host (`tlsCode`: OpenSSL's code).
  | { code: "untrusted"; tlsCode: string; detail: string }
  | { code: "tls_failed"; detail: string }
  | { code: "misdirected" }
  // The forward proxy (RMS proxy settings, or HTTPS_PROXY): `proxy` is its host:port.
  | { code: "proxy_unreachable"; proxy: string; detail: string }
  | { code: "proxy_auth_required"; proxy: string; detail: string }
  | { code: "proxy_refused"; proxy: string; status: number; detail: string }
  | { code: "proxy_timeout"; proxy: string; detail: string }
  | { code: "proxy_unusable"; detail: string }
  // The service holds the signed request for an operator's approval; it stays the cluster's pending request.
  | { code: "pending_approval"; requestId: string; submissionId: string }
  | { code: "conflict"; requestId: string; serviceMessage: string }
  | { code: "rejected"; reason: string; serviceMessage: string }
  | { code: "busy"; retryAfterSeconds: number | null }
  | { code: "server_error"; status: number }
  // The enrollment service's answer could not even be read as a certificate, so no check ran.
  | { code: "invalid_response"; failedCheck: null; detail: string }
  | ({ code: "invalid_response" } & CheckFailure)
  | ({ code: "invalid_file" } & CheckFailure)
);

export type RenewalFailureCode = RenewalFailure["code"];

export type RenewalResult<T> = ({ ok: true } & T) | RenewalFailure;

export const IN_PROGRESS: RenewalFailure = { ok: false, code: "in_progress" };

/** What a refusal records in the audit log (the same fields for every operation, long details cut). */
export function failureAuditDetails(failure: RenewalFailure): Record<string, unknown> {
  const details: Record<string, unknown> = { code: failure.code };
  switch (failure.code) {
    case "rejected":
      if (failure.reason) details.reason = failure.reason;
      break;
    case "server_error":
      details.detail = `HTTP ${failure.status}`;
      break;
    case "untrusted":
      details.tlsCode = failure.tlsCode;
      if (failure.detail) details.detail = failure.detail.slice(0, 500);
      break;
    case "pending_approval":
      details.requestId = failure.requestId;
      details.submissionId = failure.submissionId;
      break;
    case "conflict":
      details.requestId = failure.requestId;
      break;
    case "invalid_response":
    case "invalid_file":
      if (failure.failedCheck) {
        details.check = failure.failedCheck;
        details.rejectReason = failure.rejectReason;
      }
      if (failure.detail) details.detail = failure.detail.slice(0, 500);
      break;
    case "proxy_unreachable":
    case "proxy_auth_required":
    case "proxy_refused":
    case "proxy_timeout":
      details.proxy = failure.proxy;
      details.detail = failure.detail.slice(0, 500);
      break;
    case "key_unavailable":
    case "proxy_unusable":
    case "no_trust_anchors":
    case "unreachable":
    case "timeout":
    case "tls_failed":
      if (failure.detail) details.detail = failure.detail.slice(0, 500);
      break;
    default:
      break;
  }
  return details;
}
