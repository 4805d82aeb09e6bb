// Global Administration, the console's home: every web site on this server, with what RMS does on each.
import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { linkClass } from "@/components/breadcrumbs";
import { ExpiryAlerts } from "@/components/expiry-alerts";
import { ExpiryBadge } from "@/components/expiry-badge";
import { LocalTime } from "@/components/local-time";
import { Pagination } from "@/components/pagination";
import { RevocationBadge } from "@/components/revocation-badge";
import { Alert } from "@/components/ui/alert";
import { DataTable } from "@/components/ui/table";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { readGlobalAdministration } from "@/lib/console/clusters/read";

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

/** Global Administration (TechNet 18124738): the web sites on this server; also served at /admin. */
export default async function GlobalAdministrationPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await requireAdminPage("/");
  const query = querySchema.parse(await searchParams);
  const t = await getTranslations();
  const now = new Date();
  const {
    sites: { sites, total, page },
    alerts,
    removed,
    revocation,
  } = await readGlobalAdministration(query.page, PAGE_SIZE, query.removed ?? null, now);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  // Translated once, not once per row.
  const label = {
    started: t("global.state.started"),
    stopped: t("global.state.stopped"),
    notProvisioned: t("global.notProvisioned"),
    noCertificate: t("global.noCertificate"),
    administer: t("global.administer"),
    remove: t("global.remove"),
    provision: t("global.provision"),
  };
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
                <th scope="row" className="px-4 py-3 font-medium text-slate-900">
                  {site.name}
                </th>
                <td className="px-4 py-3">{site.state === "started" ? label.started : label.stopped}</td>
                <td className="px-4 py-3">
                  {site.cluster ? (
                    <span className="break-all font-mono text-xs">{site.cluster.clusterUrl}</span>
                  ) : (
                    <span className="text-slate-500">{label.notProvisioned}</span>
                  )}
                </td>
                <td className="px-4 py-3">
                  {site.cluster?.slcValidUntil ? (
                    <div className="flex flex-col items-start gap-1">
                      <LocalTime date={site.cluster.slcValidUntil} withTime={false} />
                      {/* A revoked SLC is not "Valid", whatever its dates say: the revocation badge speaks for it. */}
                      {revocation.get(site.cluster.id)?.state !== "revoked" && (
                        <ExpiryBadge validUntil={site.cluster.slcValidUntil} now={now} />
                      )}
                      <RevocationBadge status={revocation.get(site.cluster.id)} quiet />
                    </div>
                  ) : site.cluster ? (
                    label.noCertificate
                  ) : (
                    "—"
                  )}
                </td>
                <td className="px-4 py-3">
                  {/* Plain links: a page of 50 rows would otherwise hydrate and prefetch up to 100 client links. */}
                  {site.cluster ? (
                    <ul className="flex flex-col gap-1">
                      <li>
                        <a href={`/clusters/${site.cluster.id}`} className={linkClass}>
                          {label.administer}
                        </a>
                      </li>
                      <li>
                        <a href={`/web-sites/${site.id}/remove`} className={linkClass}>
                          {label.remove}
                        </a>
                      </li>
                    </ul>
                  ) : (
                    <a href={`/web-sites/${site.id}/provision`} className={linkClass}>
                      {label.provision}
                    </a>
                  )}
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
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
