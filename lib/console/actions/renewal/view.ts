// What the Renew dialog shows: serialisable states built on the server in the user's language.

import { expiryGain } from "@/lib/console/renewal/expiry-gain";
import { failureMessage as failureDescriptor, resolveMessage } from "@/lib/console/renewal/failure-messages";
import type { RenewalFailure } from "@/lib/console/renewal/failures";
import type { ImportAnswers } from "@/lib/console/renewal/offline";
import type { SlcSummary } from "@/lib/console/renewal/queries";
import { CHECK_NAMES, type CheckResult } from "@/lib/core/certificates/verify-slc";
import { formatDateTime } from "@/lib/platform/i18n/format";
import type { Locale } from "@/lib/platform/i18n/locales";
import type { Translator } from "@/lib/platform/i18n/messages";
import { type AnswersView, type CheckView, MAX_UPLOAD_BYTES, type RenewState, type SlcView } from "./state";

export { type CheckView, MAX_UPLOAD_BYTES, type RenewState, type SlcView } from "./state";

/** The request the file answers, the cluster key, and the installed certificate beside the new one with the gain. */
export function answersView(answers: ImportAnswers, slc: SlcSummary, locale: Locale, t: Translator): AnswersView {
  const gain = expiryGain(answers.installed?.validUntil ?? null, slc.validUntil);
  const gainText =
    gain.kind === "first"
      ? t("renew.gain.first")
      : gain.kind === "extends"
        ? t("renew.gain.extends", { days: gain.days })
        : t("renew.gain.notLater", { days: gain.days });
  const shortGain = gain.kind !== "first" && (gain.kind === "not_later" || gain.short);
  return {
    requestId: answers.requestId,
    keyFingerprint: answers.keyFingerprint,
    current: answers.installed
      ? {
          validUntil: answers.installed.validUntil.toISOString(),
          validUntilText: formatDateTime(locale, answers.installed.validUntil),
          fingerprint: answers.installed.fingerprint,
        }
      : null,
    gainText,
    shortGain,
    // The folded detail's summary names the checks and any warning, so nothing that matters hides behind it.
    details: t(shortGain ? "renew.detailsWarning" : "renew.details", { count: CHECK_NAMES.length }),
  };
}

export function checkViews(checks: CheckResult[], t: Translator): CheckView[] {
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

/** The sentence that says what happened and what to do, for every failure code (one wording, lib/console/renewal). */
export function failureMessage(failure: RenewalFailure, t: Translator, enrollmentUrl: string): string {
  return resolveMessage(failureDescriptor(failure, { enrollmentUrl }), (key, values) => t(key, values));
}

/** Success: the dialog says so with the new expiry date. */
/** Installed: a renewal, or the cluster's first certificate (enrolled) when there was none before. */
export function renewedState(slc: SlcSummary, locale: Locale, t: Translator, previousValidUntil: Date | null): RenewState {
  return {
    status: "renewed",
    message: t(previousValidUntil ? "renew.success" : "renew.enrolled", { date: formatDateTime(locale, slc.validUntil) }),
    validUntil: slc.validUntil.toISOString(),
  };
}

export function failureState(failure: RenewalFailure, t: Translator, enrollmentUrl: string): RenewState {
  return {
    status: "error",
    message: failureMessage(failure, t, enrollmentUrl),
    ...("checks" in failure ? { checks: checkViews(failure.checks, t) } : {}),
  };
}

/** A request the service holds for approval: what it means and what comes next, in an informational tone. */
export function heldState(requestId: string, t: Translator, enrollmentUrl: string, stillWaiting = false): RenewState {
  const message = stillWaiting ? t("held.stillWaiting", { requestId }) : t("held.result", { requestId, url: enrollmentUrl });
  return { status: "held", message, requestId };
}

export function tooLargeState(t: Translator): RenewState {
  return { status: "error", message: t("failure.too_large", { limit: `${MAX_UPLOAD_BYTES / 1024} KB` }) };
}
