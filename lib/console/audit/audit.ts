// Append-only audit trail: who did what, when, from where, with what outcome — written in the caller's transaction.
import { and, asc, count, desc, eq, gt, gte, ilike, lt, type SQL, sql } from "drizzle-orm";
import type { Queryable } from "@/lib/platform/db/client";
import { auditEvents, clusters } from "@/lib/platform/db/schema";
import { type ActorWording, shownActorSql } from "./actor";

export const AUDIT_ACTIONS = [
  "sign_in",
  "sign_out",
  "setup_admin_created",
  "access_denied",
  "account_created",
  "account_removed",
  "group_member_added",
  "group_member_removed",
  "renew_online_started",
  "renew_online_succeeded",
  "renew_online_failed",
  "renew_online_asked",
  "renew_online_confirmed",
  "request_exported",
  "request_cancelled",
  "import_validated",
  "import_confirmed",
  "import_declined",
  "import_rejected",
  "enroll_succeeded",
  "slc_expires_in_one_month",
  "slc_expires_in_one_week",
  "slc_expired",
  "slc_revoked",
  "revocation_checked",
  "auto_renewal_enabled",
  "auto_renewal_disabled",
  "notification_test",
  "notification_settings_changed",
  "proxy_settings_changed",
  "cluster_provisioned",
  "cluster_removed",
  "master_key_rotated",
  "rekey_started",
  "rekey_sent",
  "rekey_exported",
  "rekey_installed",
  "rekey_cancelled",
  "rekey_failed",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = "success" | "failure" | "denied";

export interface AuditEventInput {
  actor: string | null;
  remoteAddress: string | null;
  action: AuditAction;
  outcome: AuditOutcome;
  clusterId?: string | null;
  details?: Record<string, unknown>;
  /** Defaults to the database clock. */
  occurredAt?: Date;
}

/** What the audit log is narrowed to (lib/console/audit/filters.ts reads it from the URL); every field optional. */
export interface AuditFilter {
  action?: AuditAction | undefined;
  outcome?: AuditOutcome | undefined;
  /** Part of the actor's name, matched case-insensitively against the actor as shown (actorWording), else as stored. */
  actor?: string | undefined;
  /** How the reader's page words actors (lib/console/audit/present.ts), so the actor filter finds what the page shows. */
  actorWording?: ActorWording | undefined;
  clusterId?: string | undefined;
  /** Start of the first day included (UTC). */
  from?: Date | undefined;
  /** Start of the day after the last day included (UTC): the range is from ≤ t < to. */
  to?: Date | undefined;
}

export interface AuditEvent {
  id: number;
  occurredAt: Date;
  actor: string | null;
  remoteAddress: string | null;
  action: string;
  outcome: AuditOutcome;
  clusterId: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  events: AuditEvent[];
  total: number;
  page: number;
  pageSize: number;
}

const MAX_STRING = 2000;
const MAX_DEPTH = 6;
const MAX_ENTRIES = 100;
const SECRET_KEY = /password|passwd|secret|token|private.?key/i;
// C0/C1 controls, DEL, and the Unicode line/paragraph separators and bidi overrides: anything that could forge a log line.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Removes characters that could forge or disguise log lines, and caps the length. */
export function sanitizeText(value: string): string {
  const clean = value.replace(UNSAFE_CHARS, "");
  return clean.length > MAX_STRING ? `${clean.slice(0, MAX_STRING)}…` : clean;
}

function sanitizeValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return sanitizeText(value);
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (depth >= MAX_DEPTH) return "[too deep]";
  if (Array.isArray(value)) return value.slice(0, MAX_ENTRIES).map((v) => sanitizeValue(v, depth + 1));
  if (typeof value === "object") return sanitizeDetails(value as Record<string, unknown>, depth + 1);
  return undefined; // functions, symbols, undefined: not recordable
}

/** A JSON-safe copy of the details with control characters stripped and secret-looking fields redacted. */
function sanitizeDetails(details: Record<string, unknown>, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(details).slice(0, MAX_ENTRIES)) {
    const key = sanitizeText(rawKey).slice(0, 100);
    if (SECRET_KEY.test(key)) {
      out[key] = "[redacted]";
      continue;
    }
    const clean = sanitizeValue(value, depth);
    if (clean !== undefined) out[key] = clean;
  }
  return out;
}

/**
 * Records one event with the caller's handle: inside a transaction the audit row commits or rolls back with
 * the change it describes, and a failed write fails the transaction.
 */
export async function recordAudit(db: Queryable, event: AuditEventInput): Promise<void> {
  await db.insert(auditEvents).values({
    actor: event.actor === null ? null : sanitizeText(event.actor),
    remoteAddress: event.remoteAddress === null ? null : sanitizeText(event.remoteAddress),
    action: event.action,
    outcome: event.outcome,
    clusterId: event.clusterId ?? null,
    details: sanitizeDetails(event.details ?? {}),
    ...(event.occurredAt ? { occurredAt: event.occurredAt } : {}),
  });
}

/** LIKE's wildcards and escape character taken literally, so a typed "%" or "_" matches only itself. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The WHERE clause of a filter: every value is a bound parameter, never SQL text. */
function auditWhere(filter: AuditFilter): SQL | undefined {
  const conditions: SQL[] = [];
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.outcome) conditions.push(eq(auditEvents.outcome, filter.outcome));
  if (filter.clusterId) conditions.push(eq(auditEvents.clusterId, filter.clusterId));
  if (filter.from) conditions.push(gte(auditEvents.occurredAt, filter.from));
  if (filter.to) conditions.push(lt(auditEvents.occurredAt, filter.to));
  if (filter.actor) {
    const shown = filter.actorWording ? shownActorSql(auditEvents.actor, filter.actorWording) : auditEvents.actor;
    conditions.push(ilike(shown, `%${likeLiteral(filter.actor)}%`));
  }
  return conditions.length > 0 ? and(...conditions) : undefined;
}

/** One page of events, newest first, with the total count, narrowed by a filter (or just by cluster). */
export async function listAuditEvents(
  db: Queryable,
  opts: { page: number; pageSize: number; clusterId?: string | null; filter?: AuditFilter },
): Promise<AuditPage> {
  const page = Math.max(1, Math.floor(opts.page) || 1);
  const pageSize = Math.min(500, Math.max(1, Math.floor(opts.pageSize) || 50));
  const where = auditWhere({ ...opts.filter, ...(opts.clusterId ? { clusterId: opts.clusterId } : {}) });
  const [rows, totals] = await Promise.all([
    db
      .select()
      .from(auditEvents)
      .where(where)
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db.select({ total: count() }).from(auditEvents).where(where),
  ]);
  return { events: rows, total: totals[0]?.total ?? 0, page, pageSize };
}

/** Where a keyset page ended: the last row's time exactly as the database holds it (microseconds) and its id. */
export interface AuditCursor {
  at: string;
  id: number;
}

/** Where to read from: the newest events, those older than a cursor, or those newer than one. */
type AuditBound = { before: AuditCursor } | { after: AuditCursor } | null;

/** The log's order as a row value: newest first is descending (occurred_at, id). */
const logKey = sql`(${auditEvents.occurredAt}, ${auditEvents.id})`;

function cursorKey(cursor: AuditCursor): SQL {
  return sql`(${cursor.at}::timestamptz, ${cursor.id})`;
}

/**
 * Up to `limit` events next to a bound, in log order (newest first), each with its cursor: an index range scan however
 * deep into the log it starts. Events newer than a cursor are read nearest first and turned round.
 */
async function auditRows(
  db: Queryable,
  filter: AuditFilter,
  bound: AuditBound,
  limit: number,
): Promise<Array<{ event: AuditEvent; cursor: AuditCursor }>> {
  const towardsNewer = bound !== null && "after" in bound;
  const range =
    bound === null
      ? undefined
      : "before" in bound
        ? sql`${logKey} < ${cursorKey(bound.before)}`
        : sql`${logKey} > ${cursorKey(bound.after)}`;
  const order = towardsNewer ? [asc(auditEvents.occurredAt), asc(auditEvents.id)] : [desc(auditEvents.occurredAt), desc(auditEvents.id)];
  const rows = await db
    .select({ event: auditEvents, at: sql<string>`${auditEvents.occurredAt}::text` })
    .from(auditEvents)
    .where(and(auditWhere(filter), range))
    .orderBy(...order)
    .limit(limit);
  const events = rows.map((row) => ({ event: row.event, cursor: { at: row.at, id: row.event.id } }));
  return towardsNewer ? events.reverse() : events;
}

/**
 * The next `limit` events after `cursor` in log order (newest first), for reading the whole filtered log in bounded
 * pages (the CSV export): each page is an index range scan, however deep into the log it starts.
 */
export async function auditEventsAfter(
  db: Queryable,
  filter: AuditFilter,
  cursor: AuditCursor | null,
  limit: number,
): Promise<{ events: AuditEvent[]; next: AuditCursor | null }> {
  const rows = await auditRows(db, filter, cursor ? { before: cursor } : null, limit);
  const last = rows.at(-1);
  return { events: rows.map((row) => row.event), next: last && rows.length === limit ? last.cursor : null };
}

export interface AuditLogPage {
  events: AuditEvent[];
  total: number;
  /** How many matching events are newer than this page's first (so it shows events first+1 … first+events.length). */
  newer: number;
  /** Links onwards: the page of older events starts after `older`, the page of newer ones before `newer`; null at an end. */
  olderCursor: AuditCursor | null;
  newerCursor: AuditCursor | null;
}

/**
 * One page of the audit page's log by keyset, like the CSV export: the newest `pageSize` events, or those just older
 * or newer than a cursor. Pages stay put while new events arrive (no event is shown twice or skipped when paging on),
 * and near the top a "newer" page is the first page, always full.
 */
export async function auditLogPage(db: Queryable, filter: AuditFilter, bound: AuditBound, pageSize: number): Promise<AuditLogPage> {
  const size = Math.min(500, Math.max(1, Math.floor(pageSize) || 50));
  const where = auditWhere(filter);
  const totalQuery = db.select({ total: count() }).from(auditEvents).where(where);
  let rows = await auditRows(db, filter, bound, size + 1);
  let from = bound;
  if (bound !== null && "after" in bound && rows.length <= size) {
    rows = await auditRows(db, filter, null, size + 1);
    from = null;
  }
  // One row past the page says whether there is more beyond it: older events for a page read downwards, newer ones
  // (the extra row is then the page's first) for a page read upwards.
  const more = rows.length > size;
  const page = more ? (from !== null && "after" in from ? rows.slice(1) : rows.slice(0, size)) : rows;
  const first = page[0];
  const [totals, newerRows] = await Promise.all([
    totalQuery,
    first
      ? db
          .select({ newer: count() })
          .from(auditEvents)
          .where(and(where, gt(logKey, cursorKey(first.cursor))))
      : Promise.resolve([{ newer: 0 }]),
  ]);
  const newer = newerRows[0]?.newer ?? 0;
  const readingUp = from !== null && "after" in from;
  return {
    events: page.map((row) => row.event),
    total: totals[0]?.total ?? 0,
    newer,
    olderCursor: (readingUp || more) && page.length > 0 ? (page.at(-1)?.cursor ?? null) : null,
    newerCursor: newer > 0 && first ? first.cursor : null,
  };
}

/** A cursor as a URL carries it ("<time>~<id>"), and back; anything else is no cursor. */
export function formatAuditCursor(cursor: AuditCursor): string {
  return `${cursor.at}~${cursor.id}`;
}

const CURSOR = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?[+-]\d{2}(?::\d{2})?)~(\d{1,15})$/;

export function parseAuditCursor(text: string | undefined): AuditCursor | null {
  const match = text === undefined ? null : CURSOR.exec(text);
  return match?.[1] && match[2] ? { at: match[1], id: Number(match[2]) } : null;
}

/** The newest event of one action, or null (e.g. the last test notification, shown on Settings). */
export async function latestAuditEvent(db: Queryable, action: AuditAction): Promise<AuditEvent | null> {
  const [row] = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.action, action))
    .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
    .limit(1);
  return row ?? null;
}

/**
 * The clusters the log can be narrowed to and the CSV names, removed ones included (their events stay): name and GUID
 * cleaned like audit text (a name from elsewhere may carry CR/LF or controls).
 */
export async function getAuditClusters(db: Queryable): Promise<Array<{ id: string; name: string; guid: string }>> {
  const rows = await db
    .select({ id: clusters.id, name: clusters.name, guid: clusters.guid })
    .from(clusters)
    .orderBy(clusters.name, clusters.id);
  return rows.map((row) => ({ id: row.id, name: sanitizeText(row.name), guid: sanitizeText(row.guid) }));
}
