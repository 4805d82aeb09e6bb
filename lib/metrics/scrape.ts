// The database's share of a scrape: installed certificates' expiry and renewal times per cluster, and renewal totals
// from the audit log.
import { eq, inArray, sql } from "drizzle-orm";
import type { Queryable } from "@/lib/db/client";
import { auditEvents, certificates, clusters } from "@/lib/db/schema";
import { type ConsoleMetrics, consoleMetrics } from "./registry";

const RENEWAL_ACTIONS = {
  renew_online_succeeded: { method: "online", outcome: "success" },
  renew_online_failed: { method: "online", outcome: "failure" },
  import_confirmed: { method: "offline", outcome: "success" },
  import_rejected: { method: "offline", outcome: "failure" },
} as const;

/** Refreshes the database-backed metrics, then renders the registry in Prometheus text format. */
export async function scrapeConsoleMetrics(
  db: Queryable,
  metrics: ConsoleMetrics = consoleMetrics(),
): Promise<{ contentType: string; body: string }> {
  const installed = await db
    .select({
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
  for (const slc of installed) {
    const labels = { cluster_guid: slc.guid, server_name: slc.serverName };
    metrics.slcExpiration.set(labels, Math.floor(slc.validUntil.getTime() / 1000));
    if (slc.obtainedBy !== "enroll") metrics.lastRenewal.set(labels, Math.floor(slc.installedAt.getTime() / 1000));
  }
  const totals = await db
    .select({ action: auditEvents.action, count: sql<number>`count(*)::int` })
    .from(auditEvents)
    .where(inArray(auditEvents.action, Object.keys(RENEWAL_ACTIONS)))
    .groupBy(auditEvents.action);
  for (const [action, labels] of Object.entries(RENEWAL_ACTIONS)) {
    const total = Number(totals.find((row) => row.action === action)?.count ?? 0);
    const counted = metrics.renewalsCounted.get(action) ?? 0;
    // The audit log is append-only: its totals never decrease, so the counter only ever moves up.
    metrics.renewals.inc(labels, Math.max(0, total - counted));
    metrics.renewalsCounted.set(action, Math.max(total, counted));
  }
  return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
}
