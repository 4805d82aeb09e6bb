// The Renew dialog's and the offline progress's words, translated on the server (the dialog's client code carries no
// i18n runtime); messages with values the server knows (the pending request, the enrollment URL) come formatted.

import { MAX_UPLOAD_BYTES } from "@/lib/console/actions/renewal/state";
import { type Labels, labelsFor, type Template, templateOf } from "@/lib/platform/i18n/labels";
import type { Translator } from "@/lib/platform/i18n/messages";

const OFFLINE_STEPS = ["export", "sign", "import", "confirm"] as const;
type OfflineStepName = (typeof OFFLINE_STEPS)[number];

export interface OfflineProgressLabels {
  progress: string;
  /** Each step's name and its "Step n of 4" prefix, in order. */
  steps: Array<{ name: OfflineStepName; label: string; stepOf: string }>;
  /** Where to submit the request; shown while exporting and signing are the steps at hand. */
  signAt: string;
}

export function offlineProgressLabels(t: Translator, enrollmentUrl: string): OfflineProgressLabels {
  return {
    progress: t("renew.progress"),
    steps: OFFLINE_STEPS.map((name, index) => ({ name, label: t(`renew.step.${name}`), stepOf: t("renew.stepOf", { count: index + 1 }) })),
    signAt: t("renew.signAt", { url: enrollmentUrl }),
  };
}

const RENEW_LABEL_KEYS = [
  "admin.enroll",
  "admin.renew",
  "error.generic",
  "identifiers.keyFingerprint",
  "identifiers.requestId",
  "identifiers.slcFingerprint",
  "identifiers.slcSerial",
  "renew.browse",
  "renew.checkFailed",
  "renew.checkNotRun",
  "renew.checkPassed",
  "renew.checks",
  "renew.close",
  "renew.confirmIntro",
  "renew.confirmIntroFirst",
  "renew.confirmTitle",
  "renew.current",
  "renew.currentFingerprint",
  "renew.decideLater",
  "renew.description",
  "renew.enroll",
  "renew.enrollDescription",
  "renew.enrollTitle",
  "renew.expires",
  "renew.export",
  "renew.exportNoScript",
  "renew.exporting",
  "renew.field.guid",
  "renew.field.issuer",
  "renew.field.subject",
  "renew.field.url",
  "renew.field.validity",
  "renew.gainLabel",
  "renew.import",
  "renew.importing",
  "renew.installing",
  "renew.method",
  "renew.new",
  "renew.no",
  "renew.noFile",
  "renew.noFileChosen",
  "renew.noPendingHint",
  "renew.offline",
  "renew.offlineHeading",
  "renew.offlineHint",
  "renew.online",
  "renew.onlineHeading",
  "renew.onlineHint",
  "renew.renew",
  "renew.renewing",
  "renew.resultHeading",
  "renew.shortGain",
  "renew.title",
  "renew.useOffline",
  "renew.yes",
] as const;

type EnrollWordKey =
  | "renew.method"
  | "renew.onlineHint"
  | "renew.renewing"
  | "renew.noPendingHint"
  | "renew.exportNoScript"
  | "renew.onlineHeading"
  | "renew.offlineHeading"
  | "pendingFile"
  | "progress";

export type RenewLabels = Labels<(typeof RENEW_LABEL_KEYS)[number]> & {
  /** "The request {file} was exported…": the file name comes from the export's answer, in the browser. */
  exported: Template<"file">;
  tooLarge: string;
  /** The pending request's sentences, when one is pending. */
  replacePending: string | null;
  pendingFile: string | null;
  /** "Step 3 of 4: Import the certificate". */
  importHeading: string;
  progress: OfflineProgressLabels;
  /** The same dialog enrolling a cluster (no SLC yet): the labels that would otherwise speak of renewal. */
  enrollWords: Pick<RenewLabels, EnrollWordKey>;
  /** A request the enrollment service holds for its operator's approval: its own panel, not an error. */
  held: { title: string; explain: string; lookUp: string; lookUpUrl: string; check: string; checking: string; confirmIntro: string } | null;
};

/** Where the enrollment service's web site shows a request by its ID (its "Come back for a certificate"). */
export function requestLookupUrl(enrollmentUrl: string, requestId: string): string {
  return `${enrollmentUrl.replace(/\/+$/, "")}/requests?requestId=${encodeURIComponent(requestId)}`;
}

export function renewLabels(
  t: Translator,
  pending: { requestId: string; fileName: string; heldForApproval: boolean } | null,
  enrollmentUrl: string,
): RenewLabels {
  const held = pending?.heldForApproval ? pending : null;
  const progress = offlineProgressLabels(t, enrollmentUrl);
  const pendingFile = held
    ? t("held.exportVoids", { requestId: held.requestId })
    : pending
      ? t("renew.pendingFile", { file: pending.fileName })
      : null;
  return {
    ...labelsFor(t, RENEW_LABEL_KEYS),
    enrollWords: {
      "renew.method": t("renew.enrollMethod"),
      "renew.onlineHint": t("renew.enrollOnlineHint"),
      "renew.renewing": t("renew.enrolling"),
      "renew.noPendingHint": t("renew.enrollNoPendingHint"),
      "renew.exportNoScript": t("renew.enrollExportNoScript"),
      "renew.onlineHeading": t("renew.enrollOnlineHeading"),
      "renew.offlineHeading": t("renew.enrollOfflineHeading"),
      pendingFile: pending && !held ? t("renew.enrollPendingFile", { file: pending.fileName }) : pendingFile,
      progress: { ...progress, progress: t("renew.enrollProgress") },
    },
    exported: templateOf((values) => t("renew.exported", values), "file"),
    tooLarge: t("failure.too_large", { limit: `${MAX_UPLOAD_BYTES / 1024} KB` }),
    replacePending: pending ? t("renew.replacePending", { requestId: pending.requestId }) : null,
    // Export would void a request the operator is about to approve: said before the button, not found out afterwards.
    pendingFile,
    importHeading: `${t("renew.stepOf", { count: 3 })}: ${t("renew.step.import")}`,
    progress,
    held: held
      ? {
          title: t("held.title"),
          explain: t("held.explain", { requestId: held.requestId }),
          lookUp: t("held.lookUp"),
          lookUpUrl: requestLookupUrl(enrollmentUrl, held.requestId),
          check: t("held.check"),
          checking: t("held.checking"),
          confirmIntro: t("held.confirmIntro"),
        }
      : null,
  };
}
