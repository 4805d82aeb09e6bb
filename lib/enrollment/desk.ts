// The enrollment desk: who may get an SLC. A verified request for a registered cluster, signed by its certified key and
// naming an SLC this service issued it, is renewed at once; anything else is a new enrollment, issued or held for an
// operator by policy. Each request ID is answered once per cluster GUID and key (replays and re-serialised copies get
// the same answer, other signed content a 409), across replicas, and every outcome is recorded as an event.
// Hostile cost is bounded here too: a refused document's hash is remembered for a while (the same file again costs
// nothing), each client has at most one verification running (the rest wait their turn), registered clusters'
// renewals go ahead of unknown callers in the issuing queue, and held submissions are capped per source and in all.
import { createHash, randomBytes } from "node:crypto";
import { and, asc, desc, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import { spkiFingerprint } from "@/lib/core/certificates/keys";
import type { RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { ENROLLMENT_LOCK_CLASS } from "@/lib/platform/db/advisory-locks";
import type { EnrollmentDb, EnrollmentDbHandle, EnrollmentTx } from "./db/client";
import { events, issuedSlcs, registrations, submissions } from "./db/schema";
import type { SignedSlc } from "./issue";
import { type IssuePool, IssuePoolError, type TaskPriority } from "./issue-pool";
import { approvalBlock, decide, type Refusal } from "./policy";
import {
  type IssuedRow,
  type IssueWrite,
  insertEvent,
  insertHeld,
  issuedRows,
  pendingCounts,
  readForDecision,
  readSubmission,
  replacedSlc,
  type SubmissionKeys,
  type SubmissionRead,
  type SubmissionRow,
  writeIssued,
} from "./queries";
import { storedRekeyReplaces } from "./rekey-rule";

type EnrollmentPolicy = "open" | "approval";
type Channel = "api" | "web";

export type { Refusal } from "./policy";

interface IssuedSlcView {
  serial: string;
  fingerprint: string;
  issuedAt: Date;
  validFrom: Date;
  validUntil: Date;
  issuerName: string;
}

export interface SubmissionView {
  id: string;
  requestId: string;
  channel: Channel;
  state: "pending_approval" | "issued" | "rejected";
  reason: string | null;
  guid: string;
  /** The cluster's name as its request gives it (after re-provisioning two clusters may share a server name). */
  clusterName: string | null;
  serverName: string;
  clusterUrl: string;
  keyFingerprint: string;
  installedSlcFingerprint: string | null;
  /** The client address it came from (behind a trusted proxy, the client's). */
  remoteAddress: string | null;
  receivedAt: Date;
  decidedAt: Date | null;
  decidedBy: string | null;
  slc: IssuedSlcView | null;
}

/**
 * Who a submission is, before anything is verified: a registered cluster's renewal (the GUID it names is registered to
 * the key it carries) gets its own lane and goes ahead in the queue; anything else is an unknown caller. Only a
 * priority hint: the signature is still checked, and a lane whose request fails verification is demoted for a while.
 */
export interface Lane {
  /** The registered GUID, or null for an unknown caller. */
  guid: string | null;
  priority: TaskPriority;
  /** The submission's one read, made while classifying; submit uses it instead of reading again. */
  read?: SubmissionRead;
}

export type SubmitOutcome =
  | { kind: "issued"; submission: SubmissionView; slcXml: string; replayed: boolean }
  | { kind: "pending_approval"; submission: SubmissionView; replayed: boolean }
  | { kind: "rejected"; submission: SubmissionView; replayed: true }
  | ({ kind: "refused" } & Refusal)
  | { kind: "busy"; retryAfterSeconds: number };

export interface SubmitInput {
  body: Uint8Array;
  channel: Channel;
  remoteAddress: string | null;
  /** The validity this submission asks for, already capped by the service's policy. */
  validityDays: number;
  /** The lane the route already classified the body into (else the desk classifies it). */
  lane?: Lane;
}

export interface EventInput {
  channel: "api" | "web" | "operator" | "cli";
  outcome: (typeof events.$inferInsert)["outcome"];
  status?: number | null;
  reason?: string | null;
  detail?: string | null;
  bytes?: number | null;
  remoteAddress?: string | null;
  actor?: string | null;
  guid?: string | null;
  requestId?: string | null;
  submissionId?: string | null;
  slcSerial?: string | null;
}

export interface DeskOptions {
  handle: EnrollmentDbHandle;
  pool: IssuePool;
  policy: EnrollmentPolicy;
  issuerName: string;
  clock: () => Date;
  /** Held (pending) submissions one source may have at once; 5 by default. */
  maxPendingPerSource?: number;
  /** Held submissions in all; 200 by default. */
  maxPending?: number;
  /** How long a refused document's hash is remembered; 10 minutes by default. */
  refusedMemoryMs?: number;
}

const BUSY_RETRY_AFTER_SECONDS = 5;
/** Verifications of one client that may wait behind its running one; beyond that it is told the service is busy. */
const MAX_WAITING_PER_CLIENT = 4;
const MAX_REMEMBERED = 10_000;
/** A lane whose "registered" request failed verification is an unknown caller for this long. */
const DEMOTION_MS = 10 * 60 * 1000;
// Refusals that depend on the time they were made: remembering them could refuse a request that is good later.
const NOT_REMEMBERED: ReadonlySet<string> = new Set(["request_from_future"]);
/** Writes retried after losing a compare-and-set to another replica, before giving up. */
const MAX_ATTEMPTS = 3;

/** The cheap, unverified reading of a request's GUID and key (never used for anything but queue order). */
function claimedIdentity(text: string): { guid: string; keyFingerprint: string } | null {
  const guid = /<GUID>\s*(\{[0-9A-F-]{36}\})\s*<\/GUID>/.exec(text)?.[1];
  const key = /<PublicKey>\s*([A-Za-z0-9+/=\s]{1,8192})<\/PublicKey>/.exec(text)?.[1];
  if (!guid || !key) return null;
  return { guid, keyFingerprint: spkiFingerprint(Buffer.from(key.replace(/\s+/g, ""), "base64")) };
}

/**
 * What the unverified text claims to be, to key the one read by before verification. Nothing is decided on it: after
 * verification the desk compares it with the verified fields (verifiedKeys) and reads again if they differ.
 */
function claimedKeys(body: Uint8Array, contentSha256: string): SubmissionKeys {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1");
  const identity = claimedIdentity(text);
  const serial = /<InstalledSlcSerial>([0-9A-Fa-f]{1,64})<\/InstalledSlcSerial>/.exec(text)?.[1];
  return {
    contentSha256,
    requestId: /<RequestId>([^<&]{1,200})<\/RequestId>/.exec(text)?.[1] ?? null,
    guid: identity?.guid ?? null,
    keyFingerprint: identity?.keyFingerprint ?? null,
    installedSerial: serial ? serial.toUpperCase() : null,
    installedFingerprint: serial ? null : (/<InstalledSlcFingerprint>([^<&]{1,200})<\/InstalledSlcFingerprint>/.exec(text)?.[1] ?? null),
  };
}

function verifiedKeys(contentSha256: string, request: RenewalRequestFields, keyFingerprint: string): SubmissionKeys {
  const serial = request.installedSlcSerial ? request.installedSlcSerial.toUpperCase() : null;
  return {
    contentSha256,
    requestId: request.requestId,
    guid: request.clusterGuid,
    keyFingerprint,
    installedSerial: serial,
    installedFingerprint: serial ? null : request.installedSlcFingerprint,
  };
}

function sameKeys(a: SubmissionKeys, b: SubmissionKeys): boolean {
  return (Object.keys(a) as Array<keyof SubmissionKeys>).every((k) => a[k] === b[k]);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/**
 * The cluster's name (EnrolleeInformation/Name) of a request already verified on intake, as shown in the operator's
 * lists; null when the document has none.
 */
function requestClusterName(requestXml: string): string | null {
  const text = /<EnrolleeInformation>[\s\S]*?<Name>([^<]{1,256})<\/Name>/.exec(requestXml)?.[1];
  if (text === undefined) return null;
  return text.replace(/&(amp|lt|gt|quot|apos);/g, (_, name: string) => XML_ENTITIES[name] ?? "");
}

function view(row: SubmissionRow, slc: IssuedRow | null): SubmissionView {
  return {
    id: row.id,
    requestId: row.requestId,
    channel: row.channel,
    state: row.state,
    reason: row.reason,
    guid: row.guid,
    clusterName: requestClusterName(row.requestXml),
    serverName: row.serverName,
    clusterUrl: row.clusterUrl,
    keyFingerprint: row.keyFingerprint,
    installedSlcFingerprint: row.installedSlcFingerprint,
    remoteAddress: row.remoteAddress,
    receivedAt: row.receivedAt,
    decidedAt: row.decidedAt,
    decidedBy: row.decidedBy,
    slc:
      slc === null
        ? null
        : {
            serial: slc.serial,
            fingerprint: slc.fingerprint,
            issuedAt: slc.issuedAt,
            validFrom: slc.validFrom,
            validUntil: slc.validUntil,
            issuerName: slc.issuerName,
          },
  };
}

export function createDesk(opts: DeskOptions) {
  const { handle, pool, clock } = opts;
  const db: EnrollmentDb = handle.db;
  const maxPendingPerSource = opts.maxPendingPerSource ?? 5;
  const maxPending = opts.maxPending ?? 200;
  const refusedMemoryMs = opts.refusedMemoryMs ?? 10 * 60 * 1000;
  const refused = new Map<string, { refusal: Refusal; until: number }>();
  const demoted = new Map<string, number>();
  const clients = new Map<string, { waiting: Array<() => void> }>();

  function rememberRefusal(contentSha256: string, refusal: Refusal): void {
    if (NOT_REMEMBERED.has(refusal.reason)) return;
    if (refused.size >= MAX_REMEMBERED) {
      const oldest = refused.keys().next().value;
      if (oldest !== undefined) refused.delete(oldest);
    }
    refused.set(contentSha256, { refusal, until: Date.now() + refusedMemoryMs });
  }

  function rememberedRefusal(contentSha256: string): Refusal | null {
    const hit = refused.get(contentSha256);
    if (!hit) return null;
    if (hit.until <= Date.now()) {
      refused.delete(contentSha256);
      return null;
    }
    return hit.refusal;
  }

  /** The lane the read shows: a registered cluster's renewal, or an unknown caller (see Lane). */
  function laneOf(read: SubmissionRead, remoteAddress: string | null): Lane {
    const { guid, keyFingerprint } = read.keys;
    if (guid === null || keyFingerprint === null) return { guid: null, priority: "low", read };
    const until = demoted.get(`${remoteAddress ?? "-"}|${guid}`);
    if (until !== undefined && until > Date.now()) return { guid: null, priority: "low", read };
    const registered = read.registration?.state !== "revoked" && read.registration?.keyFingerprint === keyFingerprint;
    return registered ? { guid, priority: "high", read } : { guid: null, priority: "low", read };
  }

  /** The submission's lane (see Lane), from its one read, which submit then reuses. */
  async function classify(body: Uint8Array, remoteAddress: string | null): Promise<Lane> {
    return laneOf(await readSubmission(db, claimedKeys(body, sha256Hex(body))), remoteAddress);
  }

  /** Runs `work` when this client has no other verification running; at most MAX_WAITING_PER_CLIENT wait. */
  async function oneAtATime<T>(client: string, work: () => Promise<T>): Promise<T | "busy"> {
    let entry = clients.get(client);
    if (entry) {
      if (entry.waiting.length >= MAX_WAITING_PER_CLIENT) return "busy";
      const mine = entry;
      await new Promise<void>((resolve) => mine.waiting.push(resolve));
    } else {
      entry = { waiting: [] };
      clients.set(client, entry);
    }
    try {
      return await work();
    } finally {
      const next = entry.waiting.shift();
      if (next) next();
      else clients.delete(client);
    }
  }

  async function record(q: EnrollmentDb | EnrollmentTx, event: EventInput): Promise<void> {
    await insertEvent(q, { at: clock(), ...event });
  }

  /** Serialises deciding one request ID and one cluster GUID across replicas (PGlite runs one transaction at a time). */
  async function lockKeys(tx: EnrollmentTx, keys: string[]): Promise<void> {
    if (handle.kind !== "postgres") return;
    for (const key of keys) {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${ENROLLMENT_LOCK_CLASS}, hashtext(${key}))`);
    }
  }

  async function loadView(q: EnrollmentDb | EnrollmentTx, where: SQL): Promise<{ row: SubmissionRow; slc: IssuedRow | null } | null> {
    const [row] = await q.select().from(submissions).where(where).limit(1);
    if (!row) return null;
    const [slc] = await q.select().from(issuedSlcs).where(eq(issuedSlcs.submissionId, row.id)).limit(1);
    return { row, slc: slc ?? null };
  }

  /** The HTTP status a stored submission is answered with (the API's; the web site redirects to its page). */
  function statusOf(row: SubmissionRow, slc: IssuedRow | null): number {
    if (row.state === "issued" && slc) return 200;
    return row.state === "rejected" ? 403 : 202;
  }

  function answer(found: { row: SubmissionRow; slc: IssuedRow | null }, replayed: boolean): SubmitOutcome {
    const submission = view(found.row, found.slc);
    if (found.row.state === "issued" && found.slc) return { kind: "issued", submission, slcXml: found.slc.slcXml, replayed };
    if (found.row.state === "rejected") return { kind: "rejected", submission, replayed: true };
    return { kind: "pending_approval", submission, replayed };
  }

  /** A submission answered from what is stored: its SLC, its held state or its rejection, with the replay recorded. */
  async function replay(found: { row: SubmissionRow; slc: IssuedRow | null }, event: Omit<EventInput, "outcome">): Promise<SubmitOutcome> {
    await record(db, {
      ...event,
      outcome: "replayed",
      status: statusOf(found.row, found.slc),
      guid: found.row.guid,
      requestId: found.row.requestId,
      submissionId: found.row.id,
      slcSerial: found.slc?.serial ?? null,
    });
    return answer(found, true);
  }

  async function refuse(refusal: Refusal, event: Omit<EventInput, "outcome">): Promise<SubmitOutcome> {
    await record(db, { ...event, outcome: "refused", status: refusal.status, reason: refusal.reason, detail: refusal.detail });
    return { kind: "refused", ...refusal };
  }

  // Identical bodies in flight: the copies wait for the first and are then answered from what it stored.
  const inFlight = new Map<string, Promise<unknown>>();

  async function submit(input: SubmitInput): Promise<SubmitOutcome> {
    const contentSha256 = sha256Hex(input.body);
    const earlier = inFlight.get(contentSha256);
    if (earlier) await earlier.catch(() => undefined);
    // A copy that waited reads again: what the route read before is older than the first copy's answer.
    const mine = submitOnce(earlier ? { ...input, lane: input.lane && { ...input.lane, read: undefined } } : input, contentSha256);
    if (!earlier) {
      inFlight.set(contentSha256, mine);
      void mine.finally(() => inFlight.delete(contentSha256)).catch(() => undefined);
    }
    return mine;
  }

  async function submitOnce(input: SubmitInput, contentSha256: string): Promise<SubmitOutcome> {
    const base = { channel: input.channel, remoteAddress: input.remoteAddress, bytes: input.body.length } as const;

    // A document refused a moment ago: the same refusal, without reading it again.
    const remembered = rememberedRefusal(contentSha256);
    if (remembered) {
      await record(db, {
        ...base,
        outcome: "refused",
        status: remembered.status,
        reason: remembered.reason,
        detail: "refused before (remembered)",
      });
      return { kind: "refused", ...remembered };
    }
    // The one read (usually made by classify already): the same bytes again get the answer already given, without
    // verifying or signing anything.
    let read =
      input.lane?.read?.keys.contentSha256 === contentSha256
        ? input.lane.read
        : await readSubmission(db, claimedKeys(input.body, contentSha256));
    if (read.known?.sameBytes) return replay(read.known, base);

    const lane = input.lane ?? laneOf(read, input.remoteAddress);
    const client = `${input.remoteAddress ?? "-"}|${lane.guid ?? "unknown"}`;
    let checked: Awaited<ReturnType<IssuePool["verify"]>> | "busy";
    try {
      checked = await oneAtATime(client, () => pool.verify(input.body, clock(), lane.priority));
    } catch (error) {
      return poolFailure(error, base);
    }
    if (checked === "busy") return poolFailure(new IssuePoolError({ kind: "busy" }), base);
    if (!checked.ok) {
      if (lane.guid !== null) {
        if (demoted.size >= MAX_REMEMBERED) demoted.clear();
        demoted.set(client, Date.now() + DEMOTION_MS);
      }
      rememberRefusal(contentSha256, { status: checked.status, reason: checked.reason, detail: checked.detail });
      await record(db, { ...base, outcome: "refused", status: checked.status, reason: checked.reason, detail: checked.detail });
      return { kind: "refused", status: checked.status, reason: checked.reason, detail: checked.detail };
    }
    const { request, keyFingerprint, signedSha256 } = checked;
    const ids = { ...base, guid: request.clusterGuid, requestId: request.requestId };
    // The read was keyed by what the unverified text claimed; only what was verified counts, so read again if they differ.
    const keys = verifiedKeys(contentSha256, request, keyFingerprint);
    if (!sameKeys(keys, read.keys)) read = await readSubmission(db, keys);

    let signed: SignedSlc | null = null;
    try {
      for (let attempt = 0; ; attempt++) {
        if (read.known) {
          // A request ID belongs to its cluster GUID and key: the same signed content (any serialisation of it) is the
          // same request; other content is a conflict.
          const same = read.known.row.signedSha256 === signedSha256 || read.known.row.contentSha256 === contentSha256;
          if (!same) {
            return refuse(
              {
                status: 409,
                reason: "request_id_conflict",
                detail: `Request ${request.requestId} was already submitted with different content; a request ID is used once. Create a new request.`,
              },
              ids,
            );
          }
          return replay(read.known, ids);
        }
        const now = clock();
        const rekey = request.rekey
          ? { ...request.rekey, replaced: await replacedSlc(db, request.clusterGuid, request.rekey.replacesSlcSerial) }
          : null;
        const decision = decide({
          mode: opts.policy,
          request: { clusterGuid: request.clusterGuid, keyFingerprint },
          registration: read.registration,
          installedSlc: read.installedSlc,
          rekey,
          now,
        });
        if (decision.kind === "refuse") return refuse(decision.refusal, ids);
        const submission: SubmissionRow = {
          id: randomBytes(16).toString("hex"),
          requestId: request.requestId,
          contentSha256,
          signedSha256,
          channel: input.channel,
          state: "pending_approval",
          reason: decision.reason,
          guid: request.clusterGuid,
          serverName: request.serverName,
          clusterUrl: request.clusterUrl,
          keyFingerprint,
          installedSlcFingerprint: request.installedSlcFingerprint,
          validityDays: input.validityDays,
          requestXml: Buffer.from(input.body).toString("utf8"),
          remoteAddress: input.remoteAddress,
          receivedAt: now,
          decidedAt: null,
          decidedBy: null,
          slcSerial: null,
        };
        if (decision.kind === "hold") {
          const held = await hold(submission, ids);
          if (held) return held;
        } else {
          // Signed outside any transaction; stored only if the write below wins, and answered only then.
          signed ??= await pool.sign(request, { validityDays: input.validityDays, issuerName: opts.issuerName, now });
          const write = issueWrite(
            { kind: "new", submission: { ...submission, state: "issued" } },
            submission,
            read.registration,
            signed,
            now,
            {
              ...ids,
              at: now,
              outcome: "issued",
              status: 200,
              reason: decision.reason,
            },
          );
          const written = await writeIssued(db, write);
          if (written.won) {
            const stored = issuedRows(write, null, written.submissionId);
            return { kind: "issued", submission: view(stored.row, stored.slc), slcXml: stored.slc.slcXml, replayed: false };
          }
        }
        // Another replica claimed the request ID, or changed the registration, since the read: decide again on what is
        // stored now (a replay, a 409, or the same decision on the new registration).
        if (attempt >= MAX_ATTEMPTS)
          throw new Error(`Request ${request.requestId} could not be stored after ${MAX_ATTEMPTS + 1} attempts.`);
        read = await readSubmission(db, keys);
      }
    } catch (error) {
      return poolFailure(error, ids);
    }
  }

  /** The issuing write for a submission (new or held) and the SLC signed for it. */
  function issueWrite(
    claim: IssueWrite["claim"],
    row: SubmissionRow,
    expected: IssueWrite["expected"],
    signed: SignedSlc,
    now: Date,
    event: IssueWrite["event"],
  ): IssueWrite {
    return {
      claim,
      guid: row.guid,
      keyFingerprint: row.keyFingerprint,
      serverName: row.serverName,
      clusterUrl: row.clusterUrl,
      expected,
      now,
      event,
      slc: {
        serial: signed.slc.serialNumber,
        fingerprint: signed.fingerprint,
        issuedAt: signed.slc.issuedAt,
        validFrom: signed.slc.validFrom,
        validUntil: signed.slc.validUntil,
        issuerName: signed.slc.issuerName,
        slcXml: signed.slcXml,
      },
    };
  }

  /**
   * Stores a held submission under the pending caps (one transaction; on PostgreSQL under the "pending" lock, so replicas
   * count one at a time). Null when its request ID was claimed meanwhile (the caller reads again).
   */
  async function hold(submission: SubmissionRow, event: Omit<EventInput, "outcome">): Promise<SubmitOutcome | null> {
    return db.transaction(async (tx) => {
      await lockKeys(tx, ["pending"]);
      const full = pendingCapRefusal(await pendingCounts(tx, submission.remoteAddress));
      if (full) {
        await record(tx, { ...event, outcome: "refused", status: full.status, reason: full.reason, detail: full.detail });
        return { kind: "refused", ...full } as const;
      }
      const row = await insertHeld(tx, submission);
      if (!row) return null;
      await record(tx, { ...event, outcome: "pending_approval", status: 202, reason: submission.reason, submissionId: row.id });
      return { kind: "pending_approval", submission: view(row, null), replayed: false } as const;
    });
  }

  /** Why one more held submission from this source is refused (its own cap, or the service's), or null. */
  function pendingCapRefusal(counts: { mine: number; all: number }): Refusal | null {
    if (counts.mine >= maxPendingPerSource) {
      return {
        status: 429,
        reason: "too_many_pending",
        detail: `This address already has ${maxPendingPerSource} requests awaiting the operator's approval; wait until they are decided.`,
      };
    }
    if (counts.all >= maxPending) {
      return {
        status: 503,
        reason: "too_many_pending",
        detail: `${maxPending} requests already await the operator's approval; try again once they are decided.`,
      };
    }
    return null;
  }

  async function poolFailure(error: unknown, event: Omit<EventInput, "outcome">): Promise<SubmitOutcome> {
    if (!(error instanceof IssuePoolError)) throw error;
    if (error.failure.kind === "busy") {
      await record(db, { ...event, outcome: "refused", status: 503, reason: "busy", detail: error.message });
      return { kind: "busy", retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS };
    }
    const detail = "Checking or signing this request took longer than the service allows; it was stopped. Nothing was issued.";
    await record(db, { ...event, outcome: "refused", status: 503, reason: "deadline", detail });
    return { kind: "refused", status: 503, reason: "deadline", detail };
  }

  type Decision = { ok: true; submission: SubmissionView } | { ok: false; reason: "not_found" | "not_pending" | "busy"; detail: string };

  /**
   * An operator's approval: issues the held request (the key and fields are re-read from the stored, verified request),
   * signed outside any transaction and stored by one guarded write that only wins while the submission is pending and
   * its GUID's registration is what was read.
   */
  async function approve(id: string, actor: string, channel: "operator" | "cli"): Promise<Decision> {
    const notPending = (detail: string) => ({ ok: false, reason: "not_pending", detail }) as const;
    const stored = await readForDecision(db, id);
    if (!stored) return { ok: false, reason: "not_found", detail: `There is no submission ${id}.` };
    if (stored.row.state !== "pending_approval") return notPending(`Submission ${id} is ${stored.row.state}, not pending approval.`);
    const ident = { clusterGuid: stored.row.guid, keyFingerprint: stored.row.keyFingerprint };
    // A held re-key may move the registration to its key: the key of the SLC it replaces, as stored now.
    const replaces = stored.row.reason === "rekey" ? storedRekeyReplaces(stored.row.requestXml) : null;
    const rekeyReplacedKey = replaces ? ((await replacedSlc(db, stored.row.guid, replaces.serial))?.keyFingerprint ?? null) : undefined;
    const blocked = approvalBlock({ request: ident, registration: stored.registration, rekeyReplacedKey });
    if (blocked) return notPending(blocked);
    // Verified again on a worker: the stored text is what the signature covered, so the issued fields come from it.
    const now = clock();
    let signed: SignedSlc;
    try {
      const checked = await pool.verify(Buffer.from(stored.row.requestXml, "utf8"), stored.row.receivedAt, "high");
      if (!checked.ok) return notPending(`The stored request no longer verifies (${checked.reason}).`);
      signed = await pool.sign(checked.request, { validityDays: stored.row.validityDays, issuerName: opts.issuerName, now });
    } catch (error) {
      if (error instanceof IssuePoolError) return { ok: false, reason: "busy", detail: "The service is busy; try again in a moment." };
      throw error;
    }
    const write = issueWrite({ kind: "approve", id, decidedBy: actor }, stored.row, stored.registration, signed, now, {
      at: now,
      channel,
      outcome: "approved",
      status: 200,
      actor,
      guid: stored.row.guid,
      requestId: stored.row.requestId,
    });
    const written = await writeIssued(db, write);
    if (written.won) {
      const issued = issuedRows(write, stored.row, id);
      return { ok: true, submission: view(issued.row, issued.slc) };
    }
    // Decided by someone else meanwhile, or the registration changed: say which.
    const current = await readForDecision(db, id);
    if (current?.row.state !== "pending_approval")
      return notPending(`Submission ${id} is ${current?.row.state ?? "gone"}, not pending approval.`);
    return notPending(
      approvalBlock({ request: ident, registration: current.registration, rekeyReplacedKey }) ??
        `The registration of cluster ${stored.row.guid} changed while this was approved; try again.`,
    );
  }

  async function reject(id: string, actor: string, channel: "operator" | "cli", note: string): Promise<Decision> {
    return db.transaction(async (tx) => {
      const current = await loadView(tx, eq(submissions.id, id));
      if (!current) return { ok: false, reason: "not_found", detail: `There is no submission ${id}.` } as const;
      await lockKeys(tx, [`request:${current.row.requestId}`]);
      if (current.row.state !== "pending_approval") {
        return { ok: false, reason: "not_pending", detail: `Submission ${id} is ${current.row.state}, not pending approval.` } as const;
      }
      const [row] = await tx
        .update(submissions)
        .set({ state: "rejected", reason: note, decidedAt: clock(), decidedBy: actor })
        .where(and(eq(submissions.id, id), eq(submissions.state, "pending_approval")))
        .returning();
      if (!row) return { ok: false, reason: "not_pending", detail: `Submission ${id} is no longer pending.` } as const;
      await record(tx, { channel, outcome: "rejected", reason: note, actor, guid: row.guid, requestId: row.requestId, submissionId: id });
      return { ok: true, submission: view(row, null) } as const;
    });
  }

  /** Rejects every held submission (from one source, when given): the operator's answer to a flood. */
  async function rejectPending(
    filter: { source?: string | null },
    actor: string,
    channel: "operator" | "cli",
    note: string,
  ): Promise<{ rejected: number }> {
    const where =
      filter.source === undefined
        ? eq(submissions.state, "pending_approval")
        : and(
            eq(submissions.state, "pending_approval"),
            filter.source === null ? isNull(submissions.remoteAddress) : eq(submissions.remoteAddress, filter.source),
          );
    const ids = await db.select({ id: submissions.id }).from(submissions).where(where);
    let rejected = 0;
    for (const { id } of ids) {
      if ((await reject(id, actor, channel, note)).ok) rejected += 1;
    }
    return { rejected };
  }

  async function list(filter: { state?: SubmissionView["state"]; limit?: number } = {}): Promise<SubmissionView[]> {
    const rows = await db
      .select()
      .from(submissions)
      .leftJoin(issuedSlcs, eq(issuedSlcs.submissionId, submissions.id))
      .where(filter.state ? eq(submissions.state, filter.state) : undefined)
      .orderBy(desc(submissions.receivedAt))
      .limit(filter.limit ?? 200);
    return rows.map((r) => view(r.submissions, r.issued_slcs));
  }

  async function find(by: { id: string } | { requestId: string }) {
    const found = await loadView(db, "id" in by ? eq(submissions.id, by.id) : eq(submissions.requestId, by.requestId));
    return found === null
      ? null
      : { submission: view(found.row, found.slc), slcXml: found.slc?.slcXml ?? null, requestXml: found.row.requestXml };
  }

  /** Every event after `afterId`, oldest first, in pages (the JSON-lines export). */
  async function eventsAfter(afterId: number, limit = 1_000) {
    return db.select().from(events).where(gt(events.id, afterId)).orderBy(asc(events.id)).limit(limit);
  }

  async function listRegistrations() {
    return db.select().from(registrations).orderBy(asc(registrations.guid));
  }

  async function revokeRegistration(guid: string, actor: string): Promise<boolean> {
    return db.transaction(async (tx) => {
      await lockKeys(tx, [`guid:${guid}`]);
      const now = clock();
      const [row] = await tx
        .update(registrations)
        .set({ state: "revoked", revokedAt: now, revokedBy: actor, updatedAt: now })
        .where(eq(registrations.guid, guid))
        .returning();
      if (row) await record(tx, { channel: "cli", outcome: "registration_revoked", actor, guid });
      return row !== undefined;
    });
  }

  return { submit, classify, approve, reject, rejectPending, list, find, eventsAfter, listRegistrations, revokeRegistration, record };
}

export type Desk = ReturnType<typeof createDesk>;
