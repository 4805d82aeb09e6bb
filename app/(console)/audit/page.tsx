// The audit log: filters in the URL (a plain GET form), each event as a sentence with its raw details behind a
// disclosure, the filtered log as CSV, and a cluster-scoped view that says so.
import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Breadcrumbs, linkClass } from "@/components/breadcrumbs";
import { LocalTime } from "@/components/local-time";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { DataTable, TablePanel } from "@/components/ui/table";
import { AUDIT_ACTIONS, auditLogPage, formatAuditCursor, getAuditClusters, parseAuditCursor } from "@/lib/console/audit/audit";
import { AUDIT_OUTCOMES, auditFilterQuery, parseAuditFilter } from "@/lib/console/audit/filters";
import { actionText, actorText, actorWording, rawDetails, sentenceText } from "@/lib/console/audit/present";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { getDb } from "@/lib/console/db";
import { getTranslator } from "@/lib/platform/i18n/server";

const PAGE_SIZE = 50;

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: t("audit.title") };
}

const selectClass =
  "w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600 focus:outline-none focus:ring-2 focus:ring-brand-100";
const labelClass = "flex min-w-0 flex-col gap-1 text-sm font-medium text-slate-800";

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireAdminPage("/audit");
  const params = await searchParams;
  const { filter, values, ignored } = parseAuditFilter(params);
  // Pages by keyset, as the CSV export reads the log: ?before=<cursor> is the page of older events, ?after= of newer ones.
  const before = parseAuditCursor(one(params.before));
  const after = before ? null : parseAuditCursor(one(params.after));
  const [{ t, locale }, db] = await Promise.all([getTranslator(), getDb()]);
  const [result, clusterList] = await Promise.all([
    // The actor filter matches actors as this page words them (DOMAIN\\user, System (…)), however they were stored.
    auditLogPage(db, { ...filter, actorWording: actorWording(t) }, before ? { before } : after ? { after } : null, PAGE_SIZE),
    getAuditClusters(db),
  ]);
  const clusterNames = new Map(clusterList.map((c) => [c.id, c.name]));
  const outcomeStyle = { success: "text-emerald-800", failure: "text-red-800", denied: "text-orange-800" } as const;
  const scopedName = filter.clusterId ? (clusterNames.get(filter.clusterId) ?? t("audit.unknownCluster")) : null;
  const { cluster: _scope, ...unscoped } = values;
  const fieldLabels = {
    action: t("audit.filters.action"),
    outcome: t("audit.filters.outcome"),
    actor: t("audit.filters.actor"),
    cluster: t("audit.filters.cluster"),
    from: t("audit.filters.from"),
    to: t("audit.filters.to"),
  };
  // What the closed disclosure says is set; the cluster scope alone leaves it closed (the alert above says so).
  const activeFilters = [
    filter.action && `${fieldLabels.action}: ${actionText(t, filter.action)}`,
    filter.outcome && `${fieldLabels.outcome}: ${t(`audit.outcome.${filter.outcome}`)}`,
    values.actor && `${fieldLabels.actor}: ${values.actor}`,
    scopedName && `${fieldLabels.cluster}: ${scopedName}`,
    values.from && `${fieldLabels.from}: ${values.from}`,
    values.to && `${fieldLabels.to}: ${values.to}`,
  ].filter((text): text is string => Boolean(text));
  const filtersOpen = ignored.length > 0 || Object.keys(unscoped).length > 0;
  const columns = [
    t("audit.col.time"),
    t("audit.col.actor"),
    t("audit.col.action"),
    t("audit.col.outcome"),
    ...(filter.clusterId ? [] : [t("audit.col.cluster")]),
    t("audit.col.details"),
    t("audit.col.address"),
  ];
  return (
    <>
      <Breadcrumbs label={t("nav.breadcrumb")} trail={[{ href: "/", text: t("nav.globalAdministration") }]} current={t("audit.title")} />
      <h1 className="mb-2 text-2xl font-semibold">{t("audit.title")}</h1>
      <p className="mb-4 text-slate-600">{t("audit.intro")}</p>
      {scopedName && (
        <Alert tone="info" className="mb-4 flex flex-wrap items-center justify-between gap-2" id="audit-scope">
          <span>{t("audit.scoped", { cluster: scopedName })}</span>
          <Link href={`/audit${auditFilterQuery(unscoped)}`} className={linkClass}>
            {t("audit.allEvents")}
          </Link>
        </Alert>
      )}
      {ignored.length > 0 && (
        <Alert tone="error" className="mb-4">
          {t("audit.ignored", { fields: ignored.map((field) => fieldLabels[field]).join(", ") })}
        </Alert>
      )}
      {/* Keyed by the filters: a link that changes them (e.g. "all clusters") remounts the form with the new values. On a
          narrow screen the form is a disclosure, open while a filter is set; wide screens always show it (globals.css). */}
      <details
        key={auditFilterQuery(values)}
        open={filtersOpen}
        className="wide-open group mb-4 rounded-lg border border-slate-200 bg-white shadow-sm"
      >
        <summary className="flex cursor-pointer list-none flex-wrap items-baseline gap-x-2 gap-y-1 rounded-lg px-4 py-3 before:content-['▸'] group-open:before:content-['▾'] [&::-webkit-details-marker]:hidden">
          <span className="font-semibold">{t("audit.filters.legend")}</span>
          <span className="text-sm text-slate-600">
            {activeFilters.length > 0 ? t("audit.filters.active", { fields: activeFilters.join(" · ") }) : t("audit.filters.none")}
          </span>
        </summary>
        <form method="get" action="/audit" className="px-4 pb-4 md:pt-4">
          <fieldset>
            <legend className="wide-open-title mb-3 text-base font-semibold">{t("audit.filters.legend")}</legend>
            <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-3">
              <label className={labelClass}>
                {fieldLabels.action}
                <select name="action" defaultValue={values.action ?? ""} className={selectClass}>
                  <option value="">{t("audit.filters.anyAction")}</option>
                  {AUDIT_ACTIONS.map((action) => (
                    <option key={action} value={action}>
                      {actionText(t, action)}
                    </option>
                  ))}
                </select>
              </label>
              <label className={labelClass}>
                {fieldLabels.outcome}
                <select name="outcome" defaultValue={values.outcome ?? ""} className={selectClass}>
                  <option value="">{t("audit.filters.anyOutcome")}</option>
                  {AUDIT_OUTCOMES.map((outcome) => (
                    <option key={outcome} value={outcome}>
                      {t(`audit.outcome.${outcome}`)}
                    </option>
                  ))}
                </select>
              </label>
              <label className={labelClass}>
                {fieldLabels.actor}
                <input name="actor" type="search" maxLength={100} defaultValue={values.actor ?? ""} className={selectClass} />
              </label>
              <label className={labelClass}>
                {fieldLabels.cluster}
                <select name="cluster" defaultValue={values.cluster ?? ""} className={selectClass}>
                  <option value="">{t("audit.filters.anyCluster")}</option>
                  {clusterList.map((cluster) => (
                    <option key={cluster.id} value={cluster.id}>
                      {cluster.name}
                    </option>
                  ))}
                  {filter.clusterId && !clusterNames.has(filter.clusterId) && (
                    <option value={filter.clusterId}>{t("audit.unknownCluster")}</option>
                  )}
                </select>
              </label>
              <label className={labelClass}>
                {fieldLabels.from}
                <input name="from" type="date" min="2000-01-01" max="9999-12-31" defaultValue={values.from ?? ""} className={selectClass} />
              </label>
              <label className={labelClass}>
                {fieldLabels.to}
                <input name="to" type="date" min="2000-01-01" max="9999-12-31" defaultValue={values.to ?? ""} className={selectClass} />
              </label>
            </div>
            <div className="mt-4 flex flex-wrap items-center gap-3">
              <button type="submit" className={buttonClass("primary")}>
                {t("audit.filters.apply")}
              </button>
              <Link href="/audit" className={buttonClass("secondary")}>
                {t("audit.filters.clear")}
              </Link>
            </div>
          </fieldset>
        </form>
      </details>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <p className="font-medium" role="status">
          {t("audit.count", { total: result.total })}
        </p>
        {result.total > 0 && (
          <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
            <a href={`/audit/export${auditFilterQuery(values)}`} className={buttonClass("secondary")} download>
              {t("audit.export")}
            </a>
            <span>{t("audit.exportHint")}</span>
          </p>
        )}
      </div>
      <TablePanel>
        {result.events.length === 0 ? (
          <p className="p-5 text-slate-600">{t("audit.empty")}</p>
        ) : (
          <DataTable caption={t("audit.title")} columns={columns} compact>
            {result.events.map((event) => (
              <tr key={event.id} className="align-top" data-action={event.action}>
                <td
                  className="whitespace-nowrap px-4 py-2 text-slate-700 max-md:order-first max-md:text-xs max-md:text-slate-600"
                  data-inline=""
                >
                  <LocalTime date={event.occurredAt} />
                </td>
                <td className="px-4 py-2" data-inline="">
                  {actorText(t, event.actor)}
                </td>
                <td className="px-4 py-2 max-md:font-medium" data-inline="">
                  {actionText(t, event.action)}
                </td>
                <td className={`px-4 py-2 font-medium max-md:-order-1 ${outcomeStyle[event.outcome]}`} data-inline="">
                  {t(`audit.outcome.${event.outcome}`)}
                </td>
                {!filter.clusterId && (
                  <td className="px-4 py-2 max-md:text-xs">
                    {event.clusterId ? (
                      <Link href={`/audit${auditFilterQuery({ ...values, cluster: event.clusterId })}`} className={linkClass}>
                        {clusterNames.get(event.clusterId) ?? t("audit.unknownCluster")}
                      </Link>
                    ) : null}
                  </td>
                )}
                <td className="min-w-64 max-w-xl px-4 py-2 max-md:order-1" data-full="">
                  <p className="[overflow-wrap:anywhere] max-md:mr-2 max-md:inline">{sentenceText(t, locale, event)}</p>
                  {Object.keys(event.details).length > 0 && (
                    <details className="inline-disclosure mt-1 text-xs text-slate-600">
                      <summary className="cursor-pointer select-none">{t("audit.raw")}</summary>
                      <code className="mt-1 block break-all font-mono">{rawDetails(event)}</code>
                    </details>
                  )}
                </td>
                <td className="px-4 py-2 font-mono text-xs">{event.remoteAddress ?? ""}</td>
              </tr>
            ))}
          </DataTable>
        )}
      </TablePanel>
      {(result.newerCursor || result.olderCursor) && (
        <nav aria-label={t("audit.pagination")} className="mt-4 flex items-center justify-between gap-3 text-sm">
          {result.newerCursor ? (
            <Link
              href={`/audit${auditFilterQuery(values, { after: formatAuditCursor(result.newerCursor) })}`}
              className={linkClass}
              rel="prev"
            >
              {t("audit.previous")}
            </Link>
          ) : (
            <span />
          )}
          <span className="text-center">
            {t("audit.range", { from: result.newer + 1, to: result.newer + result.events.length, total: result.total })}
          </span>
          {result.olderCursor ? (
            <Link
              href={`/audit${auditFilterQuery(values, { before: formatAuditCursor(result.olderCursor) })}`}
              className={linkClass}
              rel="next"
            >
              {t("audit.next")}
            </Link>
          ) : (
            <span />
          )}
        </nav>
      )}
    </>
  );
}
