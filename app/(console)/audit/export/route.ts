// GET /audit/export: the audit log, narrowed by the same URL filters as the page, streamed as a CSV download
// (administrators only; without a session, to sign-in and back to the log).
import { auditClusterCells, auditCsvStream } from "@/lib/console/audit/csv";
import { auditFilterQuery, parseAuditFilter } from "@/lib/console/audit/filters";
import { actionText, actorText, actorWording, rawDetails, sentenceText } from "@/lib/console/audit/present";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { getDb } from "@/lib/console/db";
import { getTranslator } from "@/lib/platform/i18n/server";

export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const { filter, values, ignored } = parseAuditFilter(url.searchParams);
  await requireAdminPage(`/audit${auditFilterQuery(values)}`, "GET /audit/export");
  const { t, locale } = await getTranslator();
  if (ignored.length > 0) {
    // A forged export link is refused rather than silently widened to more events than the reader asked for.
    const fields = ignored.map((field) => t(`audit.filters.${field}`)).join(", ");
    return new Response(t("audit.ignored", { fields }), {
      status: 400,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  const header = [
    t("audit.col.time"),
    t("audit.col.actor"),
    t("audit.col.address"),
    t("audit.col.action"),
    t("audit.col.outcome"),
    t("audit.col.cluster"),
    t("audit.col.clusterGuid"),
    t("audit.col.details"),
    t("audit.col.raw"),
  ];
  // The actor filter matches the actor as the file words it (DOMAIN\\user, System (…)), as on the page.
  const db = await getDb();
  const clusterCells = await auditClusterCells(db);
  const stream = auditCsvStream(
    db,
    { ...filter, actorWording: actorWording(t) },
    {
      header,
      row: (event) => [
        event.occurredAt.toISOString(),
        actorText(t, event.actor),
        event.remoteAddress ?? "",
        actionText(t, event.action),
        t(`audit.outcome.${event.outcome}`),
        ...clusterCells(event.clusterId),
        sentenceText(t, locale, event),
        rawDetails(event),
      ],
    },
  );
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(stream, {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="audit-log-${stamp}.csv"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
