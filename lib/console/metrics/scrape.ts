// The database's share of a scrape: installed certificates' expiry and renewal times per cluster, and renewal and
// import-refusal totals per cluster from the audit log.
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { Counter } from "prom-client";
import { revocationStatuses } from "@/lib/console/revocation/status";
import type { Queryable } from "@/lib/platform/db/client";
import { auditEvents, certificates, clusters } from "@/lib/platform/db/schema";
import { type ConsoleMetrics, type CountedSeries, consoleMetrics } from "./registry";
import { countedAs, IMPORT_REFUSAL_REASONS, isRenewalAction, RENEWAL_ACTIONS, RENEWAL_SERIES } from "./renewal-events";

/** Refreshes the database-backed metrics, then renders the registry in Prometheus text format. */
export async function scrapeConsoleMetrics(
  db: Queryable,
  metrics: ConsoleMetrics = consoleMetrics(),
): Promise<{ contentType: string; body: string }> {
  const installed = await db
    .select({
      clusterId: clusters.id,
      guid: clusters.guid,
      serverName: clusters.serverName,
      validUntil: certificates.validUntil,
      installedAt: certificates.installedAt,
      obtainedBy: certificates.obtainedBy,
    })
    .from(certificates)
    .innerJoin(clusters, eq(clusters.id, certificates.clusterId))
    .where(eq(certificates.active, true));
  metrics.slcExpiration.reset();
  metrics.lastRenewal.reset();
  metrics.revocationStatus.reset();
  const revocation = await revocationStatuses(db, new Date());
  for (const slc of installed) {
    const labels = { cluster_guid: slc.guid, server_name: slc.serverName };
    metrics.slcExpiration.set(labels, Math.floor(slc.validUntil.getTime() / 1000));
    if (slc.obtainedBy !== "enroll") metrics.lastRenewal.set(labels, Math.floor(slc.installedAt.getTime() / 1000));
    const state = revocation.get(slc.clusterId)?.state ?? "unknown";
    for (const status of ["good", "revoked", "unknown"] as const)
      metrics.revocationStatus.set({ ...labels, status }, state === status ? 1 : 0);
  }
  await countAuditedRenewals(db, metrics);
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}

function counterOf(metrics: ConsoleMetrics, series: CountedSeries): Counter<string> {
  return series.metric === "renewals" ? metrics.renewals : metrics.importRefusals;
}

/** Brings both counters up to the audit log's totals: every series of every cluster, at 0 where nothing happened. */
async function countAuditedRenewals(db: Queryable, metrics: ConsoleMetrics): Promise<void> {
  const code = sql<string | null>`${auditEvents.details}->>'code'`;
  const check = sql<string | null>`${auditEvents.details}->>'check'`;
  const rejectReason = sql<string | null>`${auditEvents.details}->>'rejectReason'`;
  const [known, totals] = await Promise.all([
    db.select({ id: clusters.id, guid: clusters.guid, serverName: clusters.serverName }).from(clusters),
    db
      .select({
        clusterId: auditEvents.clusterId,
        action: auditEvents.action,
        code,
        check,
        rejectReason,
        count: sql<number>`count(*)::int`,
      })
      .from(auditEvents)
      .where(and(inArray(auditEvents.action, [...RENEWAL_ACTIONS]), isNotNull(auditEvents.clusterId)))
      .groupBy(auditEvents.clusterId, auditEvents.action, code, check, rejectReason),
  ]);
  const wanted = new Map<string, CountedSeries>();
  const series = (metric: CountedSeries["metric"], labels: Record<string, string>) => {
    const key = JSON.stringify([metric, labels]);
    const entry = wanted.get(key) ?? { metric, labels, total: 0 };
    wanted.set(key, entry);
    return entry;
  };
  const byId = new Map(known.map((cluster) => [cluster.id, { cluster_guid: cluster.guid, server_name: cluster.serverName }]));
  for (const cluster of byId.values()) {
    for (const labels of RENEWAL_SERIES) series("renewals", { ...cluster, ...labels });
    for (const reason of IMPORT_REFUSAL_REASONS) series("importRefusals", { ...cluster, reason });
  }
  for (const row of totals) {
    const cluster = row.clusterId ? byId.get(row.clusterId) : undefined;
    if (!cluster || !isRenewalAction(row.action)) continue;
    const counted = countedAs({ ...row, action: row.action });
    const entry =
      counted.kind === "renewal"
        ? series("renewals", { ...cluster, method: counted.method, outcome: counted.outcome })
        : series("importRefusals", { ...cluster, reason: counted.reason });
    entry.total += Number(row.count);
  }
  // A cluster removed from the console takes its series with it.
  for (const [key, gone] of metrics.counted) {
    if (wanted.has(key)) continue;
    counterOf(metrics, gone).remove(gone.labels);
    metrics.counted.delete(key);
  }
  for (const [key, entry] of wanted) {
    const counted = metrics.counted.get(key)?.total ?? 0;
    // The audit log is append-only: its totals never decrease, so a counter only ever moves up.
    counterOf(metrics, entry).inc(entry.labels, Math.max(0, entry.total - counted));
    metrics.counted.set(key, { ...entry, total: Math.max(entry.total, counted) });
  }
}
