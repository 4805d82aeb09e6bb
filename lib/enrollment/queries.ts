// The enrollment desk's statements. Issuance is one read and one guarded write: readSubmission gathers everything the
// policy and the idempotency rules need in one statement; writeIssued stores the SLC signed in between (outside any
// transaction) in one statement, a compare-and-set that wins only if the request ID is still unclaimed (or the held
// submission still pending) and the GUID's registration is still what the read saw.
import { and, count, eq, isNull, or, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { EnrollmentDb, EnrollmentTx } from "./db/client";
import { events, issuedSlcs, registrations, submissions } from "./db/schema";
import type { PolicyFacts } from "./policy";

export type Queryable = EnrollmentDb | EnrollmentTx;
export type SubmissionRow = typeof submissions.$inferSelect;
export type IssuedRow = typeof issuedSlcs.$inferSelect;
export type NewSubmission = typeof submissions.$inferInsert;
export type NewEvent = Omit<typeof events.$inferInsert, "id">;

/** What a submission is looked up by: its bytes' hash, and (once known) its request ID, GUID, key and installed SLC. */
export interface SubmissionKeys {
  contentSha256: string;
  requestId: string | null;
  guid: string | null;
  keyFingerprint: string | null;
  /** The installed SLC the request names: by serial (upper-case hex) when it gives one, else by the file's fingerprint. */
  installedSerial: string | null;
  installedFingerprint: string | null;
}

export interface SubmissionRead {
  keys: SubmissionKeys;
  /**
   * The stored submission with these bytes, or else with this request ID for this GUID and key (the idempotency key),
   * with its SLC; `sameBytes` tells which.
   */
  known: { row: SubmissionRow; slc: IssuedRow | null; sameBytes: boolean } | null;
  registration: PolicyFacts["registration"];
  installedSlc: PolicyFacts["installedSlc"];
}

const installed = alias(issuedSlcs, "installed");

/** Everything a submission's answer depends on, in one statement. */
export async function readSubmission(q: Queryable, keys: SubmissionKeys): Promise<SubmissionRead> {
  const sameBytes = eq(submissions.contentSha256, keys.contentSha256);
  const sameRequest =
    keys.requestId !== null && keys.guid !== null && keys.keyFingerprint !== null
      ? and(eq(submissions.requestId, keys.requestId), eq(submissions.guid, keys.guid), eq(submissions.keyFingerprint, keys.keyFingerprint))
      : undefined;
  const named = keys.installedSerial
    ? eq(installed.serial, keys.installedSerial)
    : keys.installedFingerprint !== null
      ? eq(installed.fingerprint, keys.installedFingerprint)
      : sql`false`;
  const guid = keys.guid ?? "";
  const [row] = await q
    .select({
      submission: submissions,
      slc: issuedSlcs,
      registration: { keyFingerprint: registrations.keyFingerprint, state: registrations.state },
      installed: { keyFingerprint: installed.keyFingerprint, validUntil: installed.validUntil },
      sameBytes: sql<boolean>`${submissions.contentSha256} = ${keys.contentSha256}`,
    })
    .from(sql`(SELECT 1) AS one`)
    .leftJoin(submissions, or(sameBytes, sameRequest) as SQL)
    .leftJoin(issuedSlcs, eq(issuedSlcs.submissionId, submissions.id))
    .leftJoin(registrations, eq(registrations.guid, guid))
    .leftJoin(installed, and(named, eq(installed.guid, guid)))
    .orderBy(sql`${sameBytes} DESC NULLS LAST`)
    .limit(1);
  return {
    keys,
    known: row?.submission ? { row: row.submission, slc: row.slc, sameBytes: row.sameBytes === true } : null,
    registration: row?.registration ?? null,
    installedSlc: row?.installed ?? null,
  };
}

/** A stored submission by ID with its SLC and its GUID's registration as it is now (an operator's decision), in one statement. */
export async function readForDecision(q: Queryable, id: string) {
  const [row] = await q
    .select({
      submission: submissions,
      slc: issuedSlcs,
      registration: { keyFingerprint: registrations.keyFingerprint, state: registrations.state },
    })
    .from(submissions)
    .leftJoin(issuedSlcs, eq(issuedSlcs.submissionId, submissions.id))
    .leftJoin(registrations, eq(registrations.guid, submissions.guid))
    .where(eq(submissions.id, id))
    .limit(1);
  return row ? { row: row.submission, slc: row.slc, registration: row.registration ?? null } : null;
}

/**
 * The SLC a re-key request names: issued by this service for `guid` with `serial` (any key), its key and fingerprint.
 * One more read, on the re-key path only.
 */
export async function replacedSlc(
  q: Queryable,
  guid: string,
  serial: string,
): Promise<{ keyFingerprint: string; fingerprint: string } | null> {
  const [row] = await q
    .select({ keyFingerprint: issuedSlcs.keyFingerprint, fingerprint: issuedSlcs.fingerprint })
    .from(issuedSlcs)
    .where(and(eq(issuedSlcs.serial, serial.toUpperCase()), eq(issuedSlcs.guid, guid)))
    .limit(1);
  return row ?? null;
}

export async function insertEvent(q: Queryable, event: NewEvent): Promise<void> {
  await q.insert(events).values(event);
}

/** Held submissions from `source` and in all (the pending caps). */
export async function pendingCounts(q: Queryable, source: string | null): Promise<{ mine: number; all: number }> {
  const [row] = await q
    .select({
      all: count(),
      mine: sql<number>`count(*) FILTER (WHERE ${source === null ? isNull(submissions.remoteAddress) : eq(submissions.remoteAddress, source)})`.mapWith(
        Number,
      ),
    })
    .from(submissions)
    .where(eq(submissions.state, "pending_approval"));
  return { mine: row?.mine ?? 0, all: row?.all ?? 0 };
}

/** Stores a held submission unless its request ID is taken for its GUID and key (then null). */
export async function insertHeld(q: Queryable, values: NewSubmission): Promise<SubmissionRow | null> {
  const [row] = await q.insert(submissions).values(values).onConflictDoNothing().returning();
  return row ?? null;
}

/** The SLC signed for a submission, as issued_slcs stores it. */
interface IssuedValues {
  serial: string;
  fingerprint: string;
  issuedAt: Date;
  validFrom: Date;
  validUntil: Date;
  issuerName: string;
  slcXml: string;
}

export interface IssueWrite {
  /** A new submission issued at once (its request ID must still be free), or a held one approved (it must still be pending). */
  claim: { kind: "new"; submission: SubmissionRow } | { kind: "approve"; id: string; decidedBy: string };
  guid: string;
  keyFingerprint: string;
  serverName: string;
  clusterUrl: string;
  /** The registration the decision was made on (null: none); the write stores nothing if it has changed since. */
  expected: PolicyFacts["registration"];
  slc: IssuedValues;
  now: Date;
  event: NewEvent;
}

export type IssueWriteResult = { won: true; submissionId: string } | { won: false; lost: "claimed" | "registration_changed" };

/** Marks the guard's deliberate error (a cast that fails), which rolls the whole statement back. */
const GUARD_MARK = "enrollment_write_guard";

const iso = (date: Date) => sql`${date.toISOString()}::timestamptz`;
const text = (value: string | null | undefined) => sql`${value ?? null}::text`;

function isGuardError(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes(GUARD_MARK)) return true;
  }
  return false;
}

/**
 * Stores an issued SLC in one statement: the claim (insert the submission if its request ID is free for its GUID and
 * key, or move a held one from pending to issued), the registration bound to the key (inserted, or updated only if it
 * is still `expected`), the SLC and the event. Nothing is stored unless all of it is: a claim lost to another replica
 * stores nothing and says so; a registration changed since the read makes the statement fail on purpose (a cast of a
 * value known only at run time), which rolls every part of it back.
 */
export async function writeIssued(q: Queryable, w: IssueWrite): Promise<IssueWriteResult> {
  const claim =
    w.claim.kind === "new"
      ? (() => {
          const s = w.claim.submission;
          return sql`INSERT INTO ${submissions} (id, request_id, content_sha256, signed_sha256, channel, state, reason, guid,
              server_name, cluster_url, key_fingerprint, installed_slc_fingerprint, validity_days, request_xml, remote_address,
              received_at, decided_at, decided_by, slc_serial)
            VALUES (${s.id}, ${s.requestId}, ${s.contentSha256}, ${text(s.signedSha256)}, ${s.channel}, 'issued', ${text(s.reason)},
              ${s.guid}, ${s.serverName}, ${s.clusterUrl}, ${s.keyFingerprint}, ${text(s.installedSlcFingerprint)},
              ${s.validityDays}::integer, ${s.requestXml}, ${text(s.remoteAddress)}, ${iso(s.receivedAt)}, ${iso(w.now)}, NULL::text,
              ${w.slc.serial})
            ON CONFLICT (request_id, guid, key_fingerprint) DO NOTHING
            RETURNING id`;
        })()
      : sql`UPDATE ${submissions} SET state = 'issued', decided_at = ${iso(w.now)}, decided_by = ${w.claim.decidedBy},
            slc_serial = ${w.slc.serial}
          WHERE id = ${w.claim.id} AND state = 'pending_approval'
          RETURNING id`;
  const e = w.event;
  const statement = sql`WITH claim AS (${claim}),
    reg AS (
      INSERT INTO ${registrations} (guid, key_fingerprint, server_name, cluster_url, registered_at, updated_at)
      SELECT ${w.guid}, ${w.keyFingerprint}, ${w.serverName}, ${w.clusterUrl}, ${iso(w.now)}, ${iso(w.now)} FROM claim
      ON CONFLICT (guid) DO UPDATE SET key_fingerprint = excluded.key_fingerprint, server_name = excluded.server_name,
        cluster_url = excluded.cluster_url, updated_at = excluded.updated_at, state = 'active', revoked_at = NULL, revoked_by = NULL
      WHERE ${registrations}.key_fingerprint = ${text(w.expected?.keyFingerprint)} AND ${registrations}.state = ${text(w.expected?.state)}
      RETURNING guid),
    slc AS (
      INSERT INTO ${issuedSlcs} (serial, submission_id, guid, key_fingerprint, fingerprint, issued_at, valid_from, valid_until,
        issuer_name, slc_xml)
      SELECT ${w.slc.serial}, claim.id, ${w.guid}, ${w.keyFingerprint}, ${w.slc.fingerprint}, ${iso(w.slc.issuedAt)},
        ${iso(w.slc.validFrom)}, ${iso(w.slc.validUntil)}, ${w.slc.issuerName}, ${w.slc.slcXml} FROM claim
      RETURNING serial),
    ev AS (
      INSERT INTO ${events} (at, channel, outcome, status, reason, detail, bytes, remote_address, actor, guid, request_id,
        submission_id, slc_serial)
      SELECT ${iso(e.at)}, ${e.channel}, ${e.outcome}, ${e.status ?? null}::integer, ${text(e.reason)}, ${text(e.detail)},
        ${e.bytes ?? null}::integer, ${text(e.remoteAddress)}, ${text(e.actor)}, ${text(e.guid)}, ${text(e.requestId)}, claim.id,
        ${w.slc.serial} FROM claim
      RETURNING id)
    SELECT claim.id AS claimed,
      CASE WHEN reg.guid IS NULL THEN ('${sql.raw(GUARD_MARK)}: the registration changed under ' || claim.id)::integer END AS guard
    FROM claim LEFT JOIN reg ON true`;
  try {
    const result = await q.execute<{ claimed: string }>(statement);
    const rows = (result as unknown as { rows: Array<{ claimed: string }> }).rows;
    const claimed = rows[0]?.claimed;
    return claimed ? { won: true, submissionId: claimed } : { won: false, lost: "claimed" };
  } catch (error) {
    if (isGuardError(error)) return { won: false, lost: "registration_changed" };
    throw error;
  }
}

/** The stored rows of a won write, as readSubmission would return them (without reading them back). */
export function issuedRows(w: IssueWrite, before: SubmissionRow | null, submissionId: string): { row: SubmissionRow; slc: IssuedRow } {
  const decided = { state: "issued" as const, decidedAt: w.now, slcSerial: w.slc.serial };
  const row: SubmissionRow =
    w.claim.kind === "new"
      ? { ...w.claim.submission, ...decided, id: submissionId }
      : ({ ...before, ...decided, decidedBy: w.claim.decidedBy } as SubmissionRow);
  return { row, slc: { ...w.slc, submissionId, guid: w.guid, keyFingerprint: w.keyFingerprint } };
}
