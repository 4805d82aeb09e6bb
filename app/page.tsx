import type { Metadata } from "next";
import Link from "next/link";
import { linkClass } from "@/components/breadcrumbs";
import { ExpiryBadge } from "@/components/expiry-badge";
import { DataTable } from "@/components/ui/table";
import { LocalTime } from "@/components/local-time";
import { requireAdminPage } from "@/lib/auth/guard";
import { getWebSitesOverview } from "@/lib/clusters/queries";
import { getDb } from "@/lib/db";
import { getTranslator } from "@/lib/i18n/server";

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("global.title") };
}

export default async function GlobalAdministrationPage() {
  await requireAdminPage("/");
  const { locale, t } = await getTranslator();
  const sites = await getWebSitesOverview(await getDb());
  const now = new Date();
  return (
    <>
      <h1 className="mb-2 text-2xl font-semibold">{t("global.title")}</h1>
      <p className="mb-6 text-slate-600">{t("global.intro")}</p>
      <section aria-labelledby="sites-heading" className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm">
        <h2 id="sites-heading" className="sr-only">
          {t("global.sites")}
        </h2>
        {sites.length === 0 ? (
          <p className="p-5 text-slate-600">{t("global.noSites")}</p>
        ) : (
          <DataTable
            caption={t("global.sites")}
            columns={[
              t("global.col.site"),
              t("global.col.state"),
              t("global.col.clusterUrl"),
              t("global.col.expires"),
              t("global.col.actions"),
            ]}
          >
              {sites.map((site) => (
                <tr key={site.id} className="align-top">
                  <th scope="row" className="px-4 py-3 font-medium text-slate-900">{site.name}</th>
                  <td className="px-4 py-3">{t(site.state === "started" ? "global.state.started" : "global.state.stopped")}</td>
                  <td className="px-4 py-3 font-mono text-xs">{site.cluster?.clusterUrl ?? "—"}</td>
                  <td className="px-4 py-3">
                    {site.cluster?.slcValidUntil ? (
                      <div className="flex flex-col items-start gap-1">
                        <LocalTime date={site.cluster.slcValidUntil} locale={locale} withTime={false} />
                        <ExpiryBadge validUntil={site.cluster.slcValidUntil} now={now} t={t} />
                      </div>
                    ) : site.cluster ? (
                      t("global.noCertificate")
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="px-4 py-3">
                    {site.cluster ? (
                      <Link href={`/clusters/${site.cluster.id}`} className={linkClass}>
                        {t("global.administer")}
                      </Link>
                    ) : (
                      <span className="text-slate-500">{t("global.notProvisioned")}</span>
                    )}
                  </td>
                </tr>
              ))}
          </DataTable>
        )}
      </section>
    </>
  );
}
