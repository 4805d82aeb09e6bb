// The pending offline renewal request in Cluster resources: when, by whom, the identifiers the enrollment service and
// the confirmation show, where the administrator is on the offline path, and Cancel request (confirmed first).
import { getTranslations } from "next-intl/server";
import { LocalTime } from "@/components/local-time";
import type { PendingRequest } from "@/lib/renewal/queries";
import { requestKeyFingerprint } from "@/lib/renewal/request-identifiers";
import { CancelRequestForm } from "./cancel-request-form";
import { OfflineProgress } from "./offline-progress";
import { offlineProgressLabels, requestLookupUrl } from "./renew-labels";

export async function PendingRequestPanel({
  clusterId,
  pending,
  enrollmentUrl,
  enroll = false,
}: {
  clusterId: string;
  pending: PendingRequest;
  enrollmentUrl: string;
  /** No SLC yet: the request is the cluster's first (an enrollment request). */
  enroll?: boolean;
}) {
  const t = await getTranslations();
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
          <p className="text-sm text-slate-800">{t("held.status")}</p>
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
