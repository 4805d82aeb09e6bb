// What the audit log page and its CSV export read, through the console's own database handle: server-only functions,
// so neither the page nor the route holds a handle. No access check here: both callers pass the administrator check first.
import "server-only";
import { cache } from "react";
import { getDb } from "@/lib/console/db";
import { type AuditBound, type AuditEvent, type AuditFilter, auditLogPage, getAuditClusters } from "./audit";
import { auditClusterCells, auditCsvStream } from "./csv";

/** One page of the log by keyset (see auditLogPage), and the clusters the filter offers. */
export const readAuditLog = cache(async (filter: AuditFilter, bound: AuditBound, pageSize: number) => {
  const db = await getDb();
  const [page, clusters] = await Promise.all([auditLogPage(db, filter, bound, pageSize), getAuditClusters(db)]);
  return { page, clusters };
});

/**
 * The filtered log as a CSV byte stream; `row` gets each event with its cluster's name and GUID cells (empty for an
 * event without a cluster).
 */
export async function exportAuditCsv(
  filter: AuditFilter,
  opts: { header: readonly string[]; row: (event: AuditEvent, clusterCells: [name: string, guid: string]) => readonly string[] },
): Promise<ReadableStream<Uint8Array>> {
  const db = await getDb();
  const clusterCells = await auditClusterCells(db);
  return auditCsvStream(db, filter, { header: opts.header, row: (event) => opts.row(event, clusterCells(event.clusterId)) });
}
