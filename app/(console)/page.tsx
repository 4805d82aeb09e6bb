// Global Administration, the console's home: every web site on this server, with what RMS does on each.
import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { z } from "zod";
import { linkClass } from "@/components/breadcrumbs";
import { ExpiryAlerts } from "@/components/expiry-alerts";
import { Pagination } from "@/components/pagination";
import { Alert } from "@/components/ui/alert";
import { webSitesTableHtml } from "@/components/web-sites-table";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { readGlobalAdministration, readWebSitesTable } from "@/lib/console/clusters/read";
import { VersionedCache } from "@/lib/console/clusters/versioned-cache";
import type { KeptWebSitesTable } from "@/lib/console/clusters/web-sites-table";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: t("global.title") };
}

const PAGE_SIZE = 50;
const querySchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  /** Set by the removal's redirect: the cluster RMS was just removed from. */
  removed: z.uuid().optional().catch(undefined),
});

/** The table's HTML per language and page, kept across requests while the database's version of its data stands. */
const keptTables = new VersionedCache<KeptWebSitesTable<string>>(64);

/** Global Administration (TechNet 18124738): the web sites on this server; also served at /admin. */
export default async function GlobalAdministrationPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdminPage("/");
  const query = querySchema.parse(await searchParams);
  const t = await getTranslations();
  const locale = await getLocale();
  const now = new Date();
  // The administrator check above runs on every request; only the table is kept, and checked against the data's version.
  const [{ table, total, page }, { alerts, removed }] = await Promise.all([
    readWebSitesTable(keptTables, { page: query.page, pageSize: PAGE_SIZE, variant: locale, now }, (source) =>
      webSitesTableHtml(source, locale),
    ),
    readGlobalAdministration(query.removed ?? null, now),
  ]);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <>
      <h1 className="mb-2 text-2xl font-semibold">{t("global.title")}</h1>
      <p className="mb-6 text-slate-600">{t("global.intro")}</p>
      {removed?.removed && (
        <Alert tone="success" className="mb-6">
          <p>{t("global.removed", { cluster: removed.name })}</p>
          <p className="mt-1">
            <Link href={`/clusters/${removed.id}/history`} className={linkClass}>
              {t("global.removedHistory", { cluster: removed.name })}
            </Link>
          </p>
        </Alert>
      )}
      <ExpiryAlerts alerts={alerts} linkToClusters />
      <section
        aria-labelledby="sites-heading"
        className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm"
        // biome-ignore lint/security/noDangerouslySetInnerHtml: webSitesTableHtml escapes every value as React would (its test holds the two equal).
        dangerouslySetInnerHTML={{ __html: table }}
      />
      <Pagination
        label={t("global.pagination")}
        page={page}
        pages={pages}
        href={(p) => `/?page=${p}`}
        previous={t("global.previous")}
        next={t("global.next")}
        status={t("global.range", {
          from: (page - 1) * PAGE_SIZE + 1,
          to: Math.min(page * PAGE_SIZE, total),
          total,
        })}
      />
      <nav aria-label={t("global.consoleLinks")} className="mt-6 text-sm">
        <Link href="/settings" className={linkClass}>
          {t("global.settingsLink")}
        </Link>
      </nav>
    </>
  );
}
