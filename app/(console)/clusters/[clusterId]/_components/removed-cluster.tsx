// The Administration page of a cluster RMS was removed from: when and by whom, what it was, and its history and audit.
import { getLocale, getTranslations } from "next-intl/server";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import type { ClusterOverview } from "@/lib/console/clusters/queries";
import { formatDateTime } from "@/lib/platform/i18n/format";
import { AdministrationLinks } from "./administration-links";

export async function RemovedCluster({ cluster, removed }: { cluster: ClusterOverview; removed: { at: Date; by: string | null } }) {
  const t = await getTranslations();
  const locale = await getLocale();
  const rows: Array<[string, string]> = [
    [t("admin.clusterName"), cluster.name],
    [t("admin.serverName"), cluster.serverName],
    [t("admin.clusterUrl"), cluster.clusterUrl],
    [t("admin.clusterGuid"), cluster.guid],
    [t("admin.configDatabase"), cluster.configDatabase],
  ];
  return (
    <>
      <Breadcrumbs label={t("nav.breadcrumb")} trail={[{ href: "/", text: t("nav.globalAdministration") }]} current={cluster.name} />
      <h1 className="mb-6 text-2xl font-semibold">{t("admin.title")}</h1>
      <Alert tone="info" className="mb-6">
        <p className="font-semibold">{t("admin.removedTitle")}</p>
        <p className="mt-1">{t("admin.removedBody", { date: formatDateTime(locale, removed.at), user: removed.by ?? "—" })}</p>
      </Alert>
      <div className="grid gap-6 lg:grid-cols-3">
        <Card id="cluster-information" title={t("admin.clusterInformation")} className="lg:col-span-2">
          <dl className="divide-y divide-slate-100">
            {rows.map(([label, value]) => (
              <div key={label} className="grid grid-cols-1 gap-1 py-2 sm:grid-cols-3 sm:gap-4">
                <dt className="text-sm font-medium text-slate-600">{label}</dt>
                <dd className="break-all text-sm text-slate-900 sm:col-span-2">{value}</dd>
              </div>
            ))}
          </dl>
        </Card>
        <AdministrationLinks clusterId={cluster.id} />
      </div>
    </>
  );
}
