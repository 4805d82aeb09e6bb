import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Breadcrumbs, linkClass } from "@/components/breadcrumbs";
import { LocalTime } from "@/components/local-time";
import { DataTable, TablePanel } from "@/components/ui/table";
import { actorText } from "@/lib/console/audit/present";
import { getCertificateHistory } from "@/lib/console/clusters/history";
import { getTranslator } from "@/lib/platform/i18n/server";
import { loadClusterPage } from "../_components/load-cluster";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: t("history.title") };
}

export default async function HistoryPage({ params }: { params: Promise<{ clusterId: string }> }) {
  const { clusterId } = await params;
  const { db, cluster } = await loadClusterPage(clusterId, `/clusters/${clusterId}/history`);
  const history = await getCertificateHistory(db, clusterId);
  const { t } = await getTranslator();
  return (
    <>
      <Breadcrumbs
        label={t("nav.breadcrumb")}
        trail={[
          { href: "/", text: t("nav.globalAdministration") },
          { href: `/clusters/${cluster.id}`, text: cluster.webSiteName ?? cluster.name },
        ]}
        current={t("history.title")}
      />
      <h1 className="mb-2 text-2xl font-semibold">{t("history.title")}</h1>
      <p className="mb-6 text-slate-600">
        {t("history.intro")} {t("history.timesNote")}
      </p>
      <TablePanel>
        {history.length === 0 ? (
          <p className="p-5 text-slate-600">{t("history.empty")}</p>
        ) : (
          <DataTable
            caption={t("history.title")}
            columns={[
              t("history.col.certificate"),
              t("history.col.status"),
              t("history.col.validity"),
              t("history.col.obtained"),
              t("history.col.installedBy"),
              t("history.col.installedAt"),
              t("history.col.fingerprint"),
            ]}
          >
            {history.map((row) => (
              <tr key={row.id} className="align-top" data-active={row.active}>
                <td className="max-w-48 break-all px-4 py-3 font-mono text-xs">
                  <Link href={`/clusters/${cluster.id}/certificates/${row.id}`} className={linkClass}>
                    {row.serialNumber}
                  </Link>
                </td>
                <td className="px-4 py-3">
                  {row.active ? (
                    <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-900">
                      {t("history.active")}
                    </span>
                  ) : (
                    <span className="text-xs text-slate-600">{t("history.inactive")}</span>
                  )}
                </td>
                <td className="px-4 py-3">
                  <LocalTime date={row.validFrom} /> – <LocalTime date={row.validUntil} />
                </td>
                <td className="px-4 py-3">{t(`history.obtained.${row.obtainedBy}`)}</td>
                <td className="px-4 py-3">{actorText(t, row.installedBy)}</td>
                <td className="px-4 py-3">
                  <LocalTime date={row.installedAt} />
                </td>
                <td className="max-w-64 break-all px-4 py-3 font-mono text-xs">{row.fingerprint}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </TablePanel>
    </>
  );
}
