// The pending offline renewal request in Cluster resources: when, by whom, its fingerprint, a Cancel.
import { useTranslations } from "next-intl";
import { ClientMessages } from "@/components/client-messages";
import { LocalTime } from "@/components/local-time";
import type { PendingRequest } from "@/lib/renewal/queries";
import { CancelRequestForm } from "./cancel-request-form";

export function PendingRequestPanel({ clusterId, pending }: { clusterId: string; pending: PendingRequest }) {
  const t = useTranslations("pending");
  return (
    <section
      aria-labelledby="pending-heading"
      className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-4"
      data-testid="pending-request"
    >
      <h3 id="pending-heading" className="mb-2 text-sm font-semibold text-amber-900">
        {t("title")}
      </h3>
      <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
        <dt className="font-medium text-slate-700">{t("exportedAt")}</dt>
        <dd className="sm:col-span-2">
          <LocalTime date={pending.exportedAt} />
        </dd>
        <dt className="font-medium text-slate-700">{t("exportedBy")}</dt>
        <dd className="sm:col-span-2">{pending.exportedBy}</dd>
        <dt className="font-medium text-slate-700">{t("fingerprint")}</dt>
        <dd className="break-all font-mono text-xs sm:col-span-2">{pending.fingerprint}</dd>
        <dt className="font-medium text-slate-700">{t("requestId")}</dt>
        <dd className="font-mono text-xs sm:col-span-2">{pending.requestId}</dd>
      </dl>
      <div className="mt-3 flex flex-wrap items-start gap-4">
        <ClientMessages namespaces={["pending"]}>
          <CancelRequestForm clusterId={clusterId} requestId={pending.requestId} />
        </ClientMessages>
        <a
          href={`/clusters/${clusterId}/renewal-request`}
          download={pending.fileName}
          className="py-2 text-sm font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800"
        >
          {t("download")}
        </a>
      </div>
    </section>
  );
}
