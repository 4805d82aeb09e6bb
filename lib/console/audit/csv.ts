// The filtered audit log as CSV, streamed: read in keyset pages and sent page by page, so a log of any length costs
// one page of memory; every cell is escaped for spreadsheets (RFC 4180 quoting and the formula-injection guard).
import type { Queryable } from "@/lib/platform/db/client";
import { type AuditEvent, type AuditFilter, auditEventsAfter, getAuditClusters } from "./audit";

const PAGE_ROWS = 1000;

/**
 * One CSV cell: always quoted (quotes doubled), and text a spreadsheet would run as a formula — starting with
 * = + - @, a tab or a carriage return — prefixed with an apostrophe (OWASP "CSV injection").
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

export interface AuditCsvOptions {
  /** The column titles, in the reader's language. */
  header: readonly string[];
  /** One event's cells, in the header's order. */
  row: (event: AuditEvent) => readonly string[];
  /** Rows per database read and per chunk sent (default 1000). */
  pageRows?: number;
}

/**
 * A byte stream of the CSV: a UTF-8 byte-order mark (so spreadsheets read å, ä, ö right) and the header, then one
 * chunk per page of events, read only when the consumer asks for more (back-pressure reaches the database).
 */
export function auditCsvStream(db: Queryable, filter: AuditFilter, opts: AuditCsvOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pageRows = opts.pageRows ?? PAGE_ROWS;
  let cursor: Parameters<typeof auditEventsAfter>[2] = null;
  let started = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(`\uFEFF${csvRow(opts.header)}`));
          return;
        }
        const page = await auditEventsAfter(db, filter, cursor, pageRows);
        if (page.events.length > 0) controller.enqueue(encoder.encode(page.events.map((event) => csvRow(opts.row(event))).join("")));
        if (page.next) cursor = page.next;
        else controller.close();
      },
    },
    { highWaterMark: 1 },
  );
}

/**
 * The Cluster and Cluster GUID cells of an event, as the reader knows the cluster (a removed cluster keeps its name);
 * the internal id only for a cluster the database no longer holds, and empty cells for an event about no cluster.
 */
export async function auditClusterCells(db: Queryable): Promise<(clusterId: string | null) => [name: string, guid: string]> {
  const known = new Map((await getAuditClusters(db)).map((cluster) => [cluster.id, cluster]));
  return (clusterId) => {
    if (clusterId === null) return ["", ""];
    const cluster = known.get(clusterId);
    return cluster ? [cluster.name, cluster.guid] : [clusterId, ""];
  };
}
