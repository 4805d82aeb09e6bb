// The SLC expiry warnings of the original product (technet-sv 18124718), kept by the console: crossing 30 days,
// 7 days and expiry gives event 16, 17 or 18 once per certificate — a JSON log line, an audit row, and what the
// caller does with the returned events (notifications). Several consoles on one PostgreSQL: one checks per round
// (advisory try-lock), and the expiry_notices primary key makes each warning happen once whatever the timing.
import { and, asc, eq, lte, sql } from "drizzle-orm";
import { recordAudit } from "@/lib/console/audit/audit";
import { daysLeft, type ExpiryStatus, expiryStatus } from "@/lib/console/clusters/expiry";
import { EXPIRY_MONITOR_LOCK_ID } from "@/lib/platform/db/advisory-locks";
import type { Database, Queryable } from "@/lib/platform/db/client";
import { certificates, clusters, expiryNotices, webSites } from "@/lib/platform/db/schema";
import { jsonLogLine, type LineWriter, toStdout } from "@/lib/platform/log";

type Threshold = (typeof expiryNotices.$inferInsert)["threshold"];

/** The original event ids and names (System event log, source RMS). */
const EXPIRY_EVENTS = {
  one_month: { eventId: 16, name: "LicensorCertExpiresInOneMonthEvent", level: "warning", action: "slc_expires_in_one_month" },
  one_week: { eventId: 17, name: "LicensorCertExpiresInOneWeekEvent", level: "warning", action: "slc_expires_in_one_week" },
  expired: { eventId: 18, name: "LicensorCertExpiredEvent", level: "error", action: "slc_expired" },
} as const satisfies Record<Threshold, { eventId: number; name: string; level: "warning" | "error"; action: string }>;

const THRESHOLD_OF: Record<ExpiryStatus, Threshold | null> = {
  valid: null,
  expires_in_30: "one_month",
  expires_in_7: "one_week",
  expired: "expired",
};

export interface ExpiryEvent {
  eventId: number;
  name: string;
  level: "warning" | "error";
  clusterId: string;
  clusterName: string;
  clusterGuid: string;
  serverName: string;
  certificateFingerprint: string;
  serialNumber: string;
  validUntil: Date;
  daysLeft: number;
  occurredAt: Date;
}

export interface ExpiryCheck {
  /** false: another console held the check this round. */
  performed: boolean;
  events: ExpiryEvent[];
}

/** The log line of an event: one JSON object, with the original event id and name. */
function expiryLogLine(event: ExpiryEvent): string {
  const when = event.level === "error" ? `expired on ${event.validUntil.toISOString()}` : `expires in ${event.daysLeft} days`;
  return jsonLogLine({
    time: event.occurredAt,
    level: event.level,
    source: "rms-monitor",
    eventId: event.eventId,
    event: event.name,
    message: `The server licensor certificate of cluster ${event.clusterName} (${event.serverName}) ${when}; renew it.`,
    clusterGuid: event.clusterGuid,
    serverName: event.serverName,
    certificateFingerprint: event.certificateFingerprint,
    serialNumber: event.serialNumber,
    validUntil: event.validUntil.toISOString(),
    daysLeft: event.daysLeft,
  });
}

/**
 * One check of every cluster's installed SLC at `now`. Emits (returns, audits and logs) the warning for the threshold
 * the certificate is past, unless it was given before; an SLC first seen at 6 days left gets event 17 only.
 */
export async function checkExpiries(db: Database, opts: { now: Date; log?: LineWriter }): Promise<ExpiryCheck> {
  const log = opts.log ?? toStdout;
  const result = await db.transaction(async (tx) => {
    const lock = await tx.execute(sql`SELECT pg_try_advisory_xact_lock(${EXPIRY_MONITOR_LOCK_ID}) AS locked`);
    if (!rowsOf<{ locked: boolean }>(lock)[0]?.locked) return { performed: false, events: [] };
    const installed = await tx
      .select({
        certificateId: certificates.id,
        fingerprint: certificates.fingerprint,
        serialNumber: certificates.serialNumber,
        validUntil: certificates.validUntil,
        clusterId: clusters.id,
        clusterName: clusters.name,
        clusterGuid: clusters.guid,
        serverName: clusters.serverName,
      })
      .from(certificates)
      .innerJoin(clusters, eq(clusters.id, certificates.clusterId))
      .where(eq(certificates.active, true));
    const events: ExpiryEvent[] = [];
    for (const slc of installed) {
      const threshold = THRESHOLD_OF[expiryStatus(slc.validUntil, opts.now)];
      if (!threshold) continue;
      const inserted = await tx
        .insert(expiryNotices)
        .values({ certificateId: slc.certificateId, threshold, clusterId: slc.clusterId, noticedAt: opts.now })
        .onConflictDoNothing()
        .returning({ certificateId: expiryNotices.certificateId });
      if (inserted.length === 0) continue;
      const { eventId, name, level, action } = EXPIRY_EVENTS[threshold];
      const event: ExpiryEvent = {
        eventId,
        name,
        level,
        clusterId: slc.clusterId,
        clusterName: slc.clusterName,
        clusterGuid: slc.clusterGuid,
        serverName: slc.serverName,
        certificateFingerprint: slc.fingerprint,
        serialNumber: slc.serialNumber,
        validUntil: slc.validUntil,
        daysLeft: daysLeft(slc.validUntil, opts.now),
        occurredAt: opts.now,
      };
      await recordAudit(tx, {
        actor: "monitor",
        remoteAddress: null,
        action,
        outcome: level === "error" ? "failure" : "success",
        clusterId: slc.clusterId,
        occurredAt: opts.now,
        details: {
          eventId,
          event: name,
          validUntil: event.validUntil.toISOString(),
          daysLeft: event.daysLeft,
          fingerprint: slc.fingerprint,
        },
      });
      events.push(event);
    }
    return { performed: true, events };
  });
  // Logged once committed: a line is never written for a warning that was rolled back.
  for (const event of result.events) log(expiryLogLine(event));
  return result;
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : ((result as { rows?: T[] }).rows ?? [])) as T[];
}

export interface ExpiryAlert {
  clusterId: string;
  clusterName: string;
  webSiteName: string | null;
  validUntil: Date;
  status: Exclude<ExpiryStatus, "valid">;
  daysLeft: number;
}

/** The banner entry for one cluster's installed SLC at `now`, or null while it is valid for more than 30 days. */
export function expiryAlertOf(
  slc: { clusterId: string; clusterName: string; webSiteName: string | null; validUntil: Date },
  now: Date,
): ExpiryAlert | null {
  const status = expiryStatus(slc.validUntil, now);
  return status === "valid" ? null : { ...slc, status, daysLeft: daysLeft(slc.validUntil, now) };
}

/** Clusters whose installed SLC expires within 30 days or has expired, soonest first: the pages' banner. */
export async function listExpiryAlerts(db: Queryable, now: Date, limit = 20): Promise<ExpiryAlert[]> {
  const soon = new Date(now.getTime() + 30 * 24 * 60 * 60 * 1000);
  const rows = await db
    .select({ clusterId: clusters.id, clusterName: clusters.name, webSiteName: webSites.name, validUntil: certificates.validUntil })
    .from(certificates)
    .innerJoin(clusters, eq(clusters.id, certificates.clusterId))
    .leftJoin(webSites, eq(webSites.clusterId, clusters.id))
    .where(and(eq(certificates.active, true), lte(certificates.validUntil, soon)))
    .orderBy(asc(certificates.validUntil))
    .limit(limit);
  return rows.flatMap((row) => expiryAlertOf(row, now) ?? []);
}
