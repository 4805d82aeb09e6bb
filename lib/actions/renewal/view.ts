// What the Renew dialog shows: serialisable states built on the server in the user's language.
import { CHECK_NAMES, type CheckResult, type SlcRejectReason } from "@/lib/certificates/verify-slc";
import { formatDateTime, isMessageKey, type Locale, type Translate } from "@/lib/i18n/messages";
import type { RenewalFailure } from "@/lib/renewal/failures";
import type { SlcSummary } from "@/lib/renewal/queries";
import { type CheckView, MAX_UPLOAD_BYTES, type RenewState, type SlcView } from "./state";

export { type CheckView, IDLE, MAX_UPLOAD_BYTES, type RenewState, type SlcView } from "./state";

export function checkViews(checks: CheckResult[], t: Translate): CheckView[] {
  return CHECK_NAMES.map((name) => {
    const result = checks.find((c) => c.name === name);
    return {
      name,
      label: t(`check.${name}`),
      status: !result ? "not_run" : result.ok ? "passed" : "failed",
    };
  });
}

export function slcView(slc: SlcSummary, locale: Locale): SlcView {
  return {
    issuer: slc.issuerName,
    issuerSubject: slc.issuerSubject,
    subject: slc.serverName,
    guid: slc.serverGuid,
    url: slc.clusterUrl,
    validFrom: slc.validFrom.toISOString(),
    validFromText: formatDateTime(locale, slc.validFrom),
    validUntil: slc.validUntil.toISOString(),
    validUntilText: formatDateTime(locale, slc.validUntil),
    fingerprint: slc.fingerprint,
    serial: slc.serialNumber,
  };
}

function reasonText(failure: { rejectReason: SlcRejectReason; detail: string }, t: Translate): string {
  const key = `reason.${failure.rejectReason}`;
  return isMessageKey(key) ? t(key) : (failure.detail ?? "");
}

/** The sentence that says what happened and what to do, for every failure code. */
export function failureMessage(failure: RenewalFailure, t: Translate, enrollmentUrl: string): string {
  switch (failure.code) {
    case "unreachable":
    case "timeout":
      return t(`failure.${failure.code}`, { url: enrollmentUrl });
    case "rejected": {
      const key = failure.reason ? `reason.${failure.reason}` : "";
      return t("failure.rejected", { message: isMessageKey(key) ? t(key) : (failure.serviceMessage ?? "") });
    }
    case "busy":
      return failure.retryAfterSeconds != null ? t("failure.busy", { seconds: failure.retryAfterSeconds }) : t("failure.busyNoTime");
    case "key_unavailable":
    case "no_trust_anchors":
      return t(`failure.${failure.code}`, { detail: failure.detail ?? "" });
    case "invalid_response":
      return failure.failedCheck
        ? t("failure.invalidResponseCheck", { check: t(`check.${failure.failedCheck}`), reason: reasonText(failure, t) })
        : t("failure.invalid_response");
    case "invalid_file":
      return t("failure.invalid_file", {
        check: failure.failedCheck ? t(`check.${failure.failedCheck}`) : "?",
        reason: reasonText(failure, t),
      });
    default:
      return t(`failure.${failure.code}`);
  }
}

/** Success: the dialog says so with the new expiry date. */
export function renewedState(slc: SlcSummary, locale: Locale, t: Translate): RenewState {
  return {
    status: "renewed",
    message: t("renew.success", { date: formatDateTime(locale, slc.validUntil) }),
    validUntil: slc.validUntil.toISOString(),
  };
}

export function failureState(failure: RenewalFailure, t: Translate, enrollmentUrl: string): RenewState {
  return {
    status: "error",
    message: failureMessage(failure, t, enrollmentUrl),
    ...("checks" in failure ? { checks: checkViews(failure.checks, t) } : {}),
  };
}

export function tooLargeState(t: Translate): RenewState {
  return { status: "error", message: t("failure.too_large", { limit: `${MAX_UPLOAD_BYTES / 1024} KB` }) };
}
