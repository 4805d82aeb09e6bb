// One wording per renewal failure: every failure code maps, exhaustively, to a catalogue key and its values.
import { REQUEST_REJECT_REASONS, type RequestRejectReason } from "@/lib/core/certificates/renewal-request";
import type { CheckName, SlcRejectReason } from "@/lib/core/certificates/verify-slc";
import { SLC_REJECT_REASONS } from "@/lib/core/certificates/verify-slc";
import { translatorFor } from "@/lib/platform/i18n/messages";
import type { RenewalFailure, RenewalFailureCode } from "./failures";

type RejectReason = SlcRejectReason | RequestRejectReason;

export type FailureMessageKey =
  | `failure.${RenewalFailureCode}`
  | "failure.busyNoTime"
  | "failure.invalidResponseCheck"
  | `check.${CheckName}`
  | `reason.${RejectReason}`;

/**
 * A message to translate. A value may itself be a message (a check's label, a reason's sentence): the catalogue's
 * messages are flat, so the caller translates nested values first (see resolveMessage).
 */
export interface MessageDescriptor {
  key: FailureMessageKey;
  values?: Record<string, string | number | MessageDescriptor>;
}

const KNOWN_REASONS: ReadonlySet<string> = new Set<string>([...SLC_REJECT_REASONS, ...REQUEST_REJECT_REASONS]);

function isRejectReason(reason: string): reason is RejectReason {
  return KNOWN_REASONS.has(reason);
}

const check = (name: CheckName): MessageDescriptor => ({ key: `check.${name}` });
const reason = (code: RejectReason): MessageDescriptor => ({ key: `reason.${code}` });

/** What happened and what to do, for every failure; `enrollmentUrl` is where online renewal was sent. */
export function failureMessage(failure: RenewalFailure, context: { enrollmentUrl: string }): MessageDescriptor {
  switch (failure.code) {
    case "not_found":
    case "in_progress":
    case "no_key":
    case "no_pending":
    case "changed":
    case "no_certificate":
    case "rekey_pending":
    case "server_error":
      return { key: `failure.${failure.code}` };
    case "unreachable":
    case "timeout":
    case "misdirected":
      return { key: `failure.${failure.code}`, values: { url: context.enrollmentUrl } };
    case "untrusted":
      return { key: "failure.untrusted", values: { url: context.enrollmentUrl, code: failure.tlsCode } };
    case "tls_failed":
      return { key: "failure.tls_failed", values: { url: context.enrollmentUrl, detail: failure.detail } };
    case "pending_approval":
    case "conflict":
      return { key: `failure.${failure.code}`, values: { requestId: failure.requestId } };
    case "proxy_unreachable":
    case "proxy_auth_required":
    case "proxy_timeout":
      return { key: `failure.${failure.code}`, values: { url: context.enrollmentUrl, server: failure.proxy, detail: failure.detail } };
    case "proxy_refused":
      return { key: "failure.proxy_refused", values: { url: context.enrollmentUrl, server: failure.proxy, code: failure.status } };
    case "proxy_unusable":
      return { key: "failure.proxy_unusable", values: { detail: failure.detail } };
    case "key_unavailable":
    case "no_trust_anchors":
      return { key: `failure.${failure.code}`, values: { detail: failure.detail } };
    case "rejected":
      // The service's own message only when its reason code is not one we word ourselves.
      return {
        key: "failure.rejected",
        values: { message: isRejectReason(failure.reason) ? reason(failure.reason) : failure.serviceMessage },
      };
    case "busy":
      return failure.retryAfterSeconds === null
        ? { key: "failure.busyNoTime" }
        : { key: "failure.busy", values: { seconds: failure.retryAfterSeconds } };
    case "invalid_response":
      if (failure.failedCheck === null) return { key: "failure.invalid_response" };
      return {
        key: "failure.invalidResponseCheck",
        values: { check: check(failure.failedCheck), reason: reason(failure.rejectReason) },
      };
    case "invalid_file":
      return { key: "failure.invalid_file", values: { check: check(failure.failedCheck), reason: reason(failure.rejectReason) } };
    default: {
      const unhandled: never = failure;
      return unhandled;
    }
  }
}

/** Turns a descriptor into text with any translate function (next-intl's `t`, or the catalogue's). */
export function resolveMessage(
  message: MessageDescriptor,
  translate: (key: FailureMessageKey, values?: Record<string, string | number>) => string,
): string {
  if (!message.values) return translate(message.key);
  const values: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(message.values)) {
    values[name] = typeof value === "object" ? resolveMessage(value, translate) : value;
  }
  return translate(message.key, values);
}

/** The failure's message in English (logs, notifications, the CLI). */
export function englishFailureMessage(failure: RenewalFailure, context: { enrollmentUrl: string }): string {
  const t = translatorFor("en") as unknown as (key: string, values?: Record<string, string | number>) => string;
  return resolveMessage(failureMessage(failure, context), (key, values) => t(key, values));
}
