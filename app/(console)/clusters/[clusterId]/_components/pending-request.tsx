// The pending offline renewal request in Cluster resources: when, by whom, the identifiers the enrollment service and
// the confirmation show, where the administrator is on the offline path, and Cancel request (confirmed first).
import { getLocale, getTranslations } from "next-intl/server";
import { LocalTime } from "@/components/local-time";
import type { PendingRequest } from "@/lib/console/renewal/queries";
import { requestKeyFingerprint } from "@/lib/console/renewal/request-identifiers";
import { formatDateTime } from "@/lib/platform/i18n/format";
import { OfflineProgress } from "./offline-progress";
import { CancelRequestForm, SessionWarning } from "./pending-controls";
import { offlineProgressLabels, requestLookupUrl } from "./renew-labels";

const MINUTE_MS = 60_000;

export async function PendingRequestPanel({
  clusterId,
  pending,
  enrollmentUrl,
  enroll = false,
  session,
}: {
  /** When the administrator's session ends if idle, and the idle timeout (RMS_SESSION_IDLE_MINUTES). */
  session: { endsAt: Date; idleMinutes: number };
  clusterId: string;
  pending: PendingRequest;
  enrollmentUrl: string;
  /** No SLC yet: the request is the cluster's first (an enrollment request). */
  enroll?: boolean;
}) {
  const t = await getTranslations();
  const locale = await getLocale();
  const endsAtText = formatDateTime(locale, session.endsAt);
  // Warned five minutes before (a third of a shorter timeout, at least one minute).
  const warnMinutes = Math.max(1, Math.min(5, Math.floor(session.idleMinutes / 3)));
  const keyFingerprint = requestKeyFingerprint(pending.document);
  return (
    <section
      aria-labelledby="pending-heading"
      className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-4"
      data-testid="pending-request"
    >
      <h3 id="pending-heading" className="mb-2 text-sm font-semibold text-amber-900">
        {t(enroll ? "pending.enrollTitle" : "pending.title")}
      </h3>
      {pending.heldForApproval ? (
        // Sent online and held by the service: no file to carry anywhere, the operator decides.
        <div className="mb-3">
          {/* The monitor's round asks the service too (lib/console/renewal/approval.ts): once approved, the card says so. */}
          <p className="text-sm text-slate-800" data-testid="held-status">
            {pending.approvedAt ? t("held.approved", { time: formatDateTime(locale, pending.approvedAt) }) : t("held.status")}
          </p>
          <a
            href={requestLookupUrl(enrollmentUrl, pending.requestId)}
            className="mt-1 inline-block text-sm font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800"
          >
            {t("held.lookUp")}
          </a>
        </div>
      ) : (
        <div className="mb-3">
          <OfflineProgress current={2} labels={offlineProgressLabels(t, enrollmentUrl)} showSignAt={false} />
          <p className="mt-1 text-xs text-slate-700">{t("pending.next", { url: enrollmentUrl })}</p>
        </div>
      )}
      {/* The session may end while the file travels to the signing station: when, said without JavaScript too. */}
      <SessionWarning
        remainingMs={session.endsAt.getTime() - Date.now()}
        warnBeforeMs={warnMinutes * MINUTE_MS}
        labels={{
          warning: t("session.warning", { minutes: warnMinutes, time: endsAtText }),
          ended: t("session.ended"),
          extend: t("session.extend"),
          extending: t("session.extending"),
        }}
      />
      <p className="mb-3 text-xs text-slate-700" data-testid="session-ends">
        {t(pending.heldForApproval ? "session.endsAtHeld" : "session.endsAt", { time: endsAtText, minutes: session.idleMinutes })}
      </p>
      <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
        <dt className="font-medium text-slate-700">{t(pending.heldForApproval ? "held.sentOnline" : "pending.exportedAt")}</dt>
        <dd className="sm:col-span-2">
          <LocalTime date={pending.exportedAt} />
        </dd>
        <dt className="font-medium text-slate-700">{t("pending.exportedBy")}</dt>
        <dd className="break-all sm:col-span-2">{pending.exportedBy}</dd>
        <dt className="font-medium text-slate-700">{t("identifiers.requestId")}</dt>
        <dd className="break-all font-mono text-xs sm:col-span-2">{pending.requestId}</dd>
        {keyFingerprint && (
          <>
            <dt className="font-medium text-slate-700">{t("identifiers.keyFingerprint")}</dt>
            <dd className="break-all font-mono text-xs sm:col-span-2">{keyFingerprint}</dd>
          </>
        )}
        <dt className="font-medium text-slate-700">{t("pending.fingerprint")}</dt>
        <dd className="break-all font-mono text-xs sm:col-span-2">{pending.fingerprint}</dd>
      </dl>
      <div className="mt-3 flex flex-wrap items-start gap-4">
        <a
          href={`/clusters/${clusterId}/renewal-request`}
          download={pending.fileName}
          className="py-2 text-sm font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800"
        >
          {t("pending.download")}
        </a>
        <CancelRequestForm
          clusterId={clusterId}
          requestId={pending.requestId}
          confirm={t("pending.cancelConfirm")}
          summary={
            <summary className="inline-flex cursor-pointer list-none items-center rounded-md border border-red-300 bg-white px-4 py-2 text-sm font-semibold text-red-700 shadow-sm hover:bg-red-50 [&::-webkit-details-marker]:hidden">
              {t("pending.cancelRequest")}
            </summary>
          }
        >
          <p className="text-sm text-slate-800">{t("pending.cancelExplain")}</p>
        </CancelRequestForm>
      </div>
    </section>
  );
}
