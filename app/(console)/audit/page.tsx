import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { z } from "zod";
import { Breadcrumbs, linkClass } from "@/components/breadcrumbs";
import { LocalTime } from "@/components/local-time";
import { Pagination } from "@/components/pagination";
import { DataTable, TablePanel } from "@/components/ui/table";
import { AUDIT_ACTIONS, type AuditAction, listAuditEvents } from "@/lib/audit/audit";
import { requireAdminPage } from "@/lib/auth/guard";
import { getDb } from "@/lib/db";

const PAGE_SIZE = 50;
const querySchema = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  cluster: z.uuid().optional().catch(undefined),
});

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: t("audit.title") };
}

function isAuditAction(action: string): action is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(action);
}

function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
    .join(" · ");
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/audit");
  const query = querySchema.parse(await searchParams);
  const t = await getTranslations();
  const result = await listAuditEvents(await getDb(), { page: query.page, pageSize: PAGE_SIZE, clusterId: query.cluster });
  const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
  const href = (page: number) =>
    `/audit?${new URLSearchParams({ page: String(page), ...(query.cluster ? { cluster: query.cluster } : {}) })}`;
  const outcomeStyle = { success: "text-emerald-800", failure: "text-red-800", denied: "text-orange-800" } as const;
  return (
    <>
      <Breadcrumbs label={t("nav.breadcrumb")} trail={[{ href: "/", text: t("nav.globalAdministration") }]} current={t("audit.title")} />
      <h1 className="mb-2 text-2xl font-semibold">{t("audit.title")}</h1>
      <p className="mb-4 text-slate-600">{t("audit.intro")}</p>
      {query.cluster && (
        <p className="mb-4 text-sm">
          <Link href="/audit" className={linkClass}>
            {t("audit.allClusters")}
          </Link>
        </p>
      )}
      <TablePanel>
        {result.events.length === 0 ? (
          <p className="p-5 text-slate-600">{t("audit.empty")}</p>
        ) : (
          <DataTable
            caption={t("audit.title")}
            columns={[
              t("audit.col.time"),
              t("audit.col.actor"),
              t("audit.col.address"),
              t("audit.col.action"),
              t("audit.col.outcome"),
              t("audit.col.details"),
            ]}
          >
            {result.events.map((event) => {
              return (
                <tr key={event.id} className="align-top" data-action={event.action}>
                  <td className="whitespace-nowrap px-4 py-2">
                    <LocalTime date={event.occurredAt} />
                  </td>
                  <td className="px-4 py-2">{event.actor ?? "—"}</td>
                  <td className="px-4 py-2 font-mono text-xs">{event.remoteAddress ?? "—"}</td>
                  <td className="px-4 py-2">{isAuditAction(event.action) ? t(`audit.action.${event.action}`) : event.action}</td>
                  <td className={`px-4 py-2 font-medium ${outcomeStyle[event.outcome]}`}>{t(`audit.outcome.${event.outcome}`)}</td>
                  <td className="max-w-md break-all px-4 py-2 font-mono text-xs text-slate-600">{detailsText(event.details)}</td>
                </tr>
              );
            })}
          </DataTable>
        )}
      </TablePanel>
      <Pagination
        label={t("audit.pagination")}
        page={result.page}
        pages={pages}
        href={href}
        previous={t("audit.previous")}
        next={t("audit.next")}
        status={t("audit.page", { page: result.page, pages })}
      />
    </>
  );
}
