import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { LocalTime } from "@/components/local-time";
import { requireAdminPage } from "@/lib/auth/guard";
import { getCertificateHistory } from "@/lib/clusters/history";
import { getClusterOverview } from "@/lib/clusters/queries";
import { getDb } from "@/lib/db";
import { getTranslator } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("history.title") };
}

export default async function HistoryPage({ params }: { params: Promise<{ clusterId: string }> }) {
  const { clusterId } = await params;
  await requireAdminPage(`/clusters/${clusterId}/history`);
  if (!z.uuid().safeParse(clusterId).success) notFound();
  const db = await getDb();
  const cluster = await getClusterOverview(db, clusterId);
  if (!cluster) notFound();
  const history = await getCertificateHistory(db, clusterId);
  const { locale, t } = await getTranslator();
  const linkClass = "font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800";
  return (
    <>
      <nav aria-label={t("nav.breadcrumb")} className="mb-2 text-sm">
        <Link href="/" className={linkClass}>
          {t("nav.globalAdministration")}
        </Link>
        <span aria-hidden="true" className="px-2 text-slate-400">/</span>
        <Link href={`/clusters/${cluster.id}`} className={linkClass}>
          {cluster.webSiteName ?? cluster.name}
        </Link>
        <span aria-hidden="true" className="px-2 text-slate-400">/</span>
        <span aria-current="page">{t("history.title")}</span>
      </nav>
      <h1 className="mb-2 text-2xl font-semibold">{t("history.title")}</h1>
      <p className="mb-6 text-slate-600">{t("history.intro")}</p>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        {history.length === 0 ? (
          <p className="p-5 text-slate-600">{t("history.empty")}</p>
        ) : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">{t("history.title")}</caption>
            <thead className="bg-slate-100 text-xs uppercase tracking-wide text-slate-600">
              <tr>
                <th scope="col" className="px-4 py-3">{t("history.col.status")}</th>
                <th scope="col" className="px-4 py-3">{t("history.col.validity")}</th>
                <th scope="col" className="px-4 py-3">{t("history.col.obtained")}</th>
                <th scope="col" className="px-4 py-3">{t("history.col.installedBy")}</th>
                <th scope="col" className="px-4 py-3">{t("history.col.installedAt")}</th>
                <th scope="col" className="px-4 py-3">{t("history.col.fingerprint")}</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-200">
              {history.map((row) => (
                <tr key={row.id} className="align-top" data-active={row.active}>
                  <td className="px-4 py-3">
                    {row.active ? (
                      <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-semibold text-emerald-900">{t("history.active")}</span>
                    ) : (
                      <span className="text-xs text-slate-600">{t("history.inactive")}</span>
                    )}
                  </td>
                  <td className="px-4 py-3">
                    <LocalTime date={row.validFrom} locale={locale} withTime={false} /> –{" "}
                    <LocalTime date={row.validUntil} locale={locale} withTime={false} />
                  </td>
                  <td className="px-4 py-3">{t(`history.obtained.${row.obtainedBy}`)}</td>
                  <td className="px-4 py-3">{row.installedBy}</td>
                  <td className="px-4 py-3">
                    <LocalTime date={row.installedAt} locale={locale} />
                  </td>
                  <td className="max-w-64 break-all px-4 py-3 font-mono text-xs">{row.fingerprint}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
