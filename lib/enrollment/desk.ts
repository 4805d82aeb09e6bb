// The enrollment desk: who may get an SLC. A verified request for a registered cluster, signed by its certified key and
// naming an SLC this service issued it, is renewed at once; anything else is a new enrollment, issued or held for an
// operator by policy. Each request ID is answered once per cluster GUID and key (replays and re-serialised copies get
// the same answer, other signed content a 409), across replicas, and every outcome is recorded as an event.
// Hostile cost is bounded here too: a refused document's hash is remembered for a while (the same file again costs
// nothing), each client has at most one verification running (the rest wait their turn), registered clusters'
// renewals go ahead of unknown callers in the issuing queue, and held submissions are capped per source and in all.
import { createHash, randomBytes } from "node:crypto";
import { and, asc, count, desc, eq, gt, isNull, type SQL, sql } from "drizzle-orm";
import { spkiFingerprint } from "@/lib/certificates/keys";
import type { RenewalRequestFields } from "@/lib/certificates/renewal-request";
import { ENROLLMENT_LOCK_CLASS } from "@/lib/db/advisory-locks";
import type { EnrollmentDb, EnrollmentDbHandle, EnrollmentTx } from "./db/client";
import { events, issuedSlcs, registrations, submissions } from "./db/schema";
import type { IssuancePolicy } from "./issue";
import { type IssuePool, IssuePoolError, type TaskPriority } from "./issue-pool";

type EnrollmentPolicy = "open" | "approval";
type Channel = "api" | "web";
export type ReviewReason = "new_cluster" | "unknown_installed_slc" | "registration_expired" | "registration_revoked";

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

export type Refusal = { status: 400 | 403 | 409 | 413 | 422 | 429 | 503; reason: string; detail: string };

/**
 * Who a submission is, before anything is verified: a registered cluster's renewal (the GUID it names is registered to
 * the key it carries) gets its own lane and goes ahead in the queue; anything else is an unknown caller. Only a
 * priority hint: the signature is still checked, and a lane whose request fails verification is demoted for a while.
 */
export interface Lane {
  /** The registered GUID, or null for an unknown caller. */
  guid: string | null;
  priority: TaskPriority;
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

type SubmissionRow = typeof submissions.$inferSelect;
type IssuedRow = typeof issuedSlcs.$inferSelect;

const BUSY_RETRY_AFTER_SECONDS = 5;
/** Verifications of one client that may wait behind its running one; beyond that it is told the service is busy. */
const MAX_WAITING_PER_CLIENT = 4;
const MAX_REMEMBERED = 10_000;
/** A lane whose "registered" request failed verification is an unknown caller for this long. */
const DEMOTION_MS = 10 * 60 * 1000;
// Refusals that depend on the time they were made: remembering them could refuse a request that is good later.
const NOT_REMEMBERED: ReadonlySet<string> = new Set(["request_from_future"]);

/** The cheap, unverified reading of a request's GUID and key (never used for anything but queue order). */
function claimedIdentity(body: Uint8Array): { guid: string; keyFingerprint: string } | null {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1");
  const guid = /<GUID>\s*(\{[0-9A-F-]{36}\})\s*<\/GUID>/.exec(text)?.[1];
  const key = /<PublicKey>\s*([A-Za-z0-9+/=\s]{1,8192})<\/PublicKey>/.exec(text)?.[1];
  if (!guid || !key) return null;
  return { guid, keyFingerprint: spkiFingerprint(Buffer.from(key.replace(/\s+/g, ""), "base64")) };
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

  /** The submission's lane: a registered cluster's renewal, or an unknown caller (see Lane). */
  async function classify(body: Uint8Array, remoteAddress: string | null): Promise<Lane> {
    const claimed = claimedIdentity(body);
    if (!claimed) return { guid: null, priority: "low" };
    const laneKey = `${remoteAddress ?? "-"}|${claimed.guid}`;
    const until = demoted.get(laneKey);
    if (until !== undefined && until > Date.now()) return { guid: null, priority: "low" };
    const [registration] = await db
      .select({ keyFingerprint: registrations.keyFingerprint, state: registrations.state })
      .from(registrations)
      .where(eq(registrations.guid, claimed.guid))
      .limit(1);
    const registered = registration?.state !== "revoked" && registration?.keyFingerprint === claimed.keyFingerprint;
    return registered ? { guid: claimed.guid, priority: "high" } : { guid: null, priority: "low" };
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
    await q.insert(events).values({ at: clock(), ...event });
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

  /** Signs and stores the SLC for an accepted submission and (re)binds its GUID to the request's key. Inside the caller's lock. */
  async function issueWithin(tx: EnrollmentTx, row: SubmissionRow, request: RenewalRequestFields, decidedBy: string | null) {
    const now = clock();
    const policy: IssuancePolicy = { validityDays: row.validityDays, issuerName: opts.issuerName, now };
    const signed = await pool.sign(request, policy);
    const [slc] = await tx
      .insert(issuedSlcs)
      .values({
        serial: signed.slc.serialNumber,
        submissionId: row.id,
        guid: row.guid,
        keyFingerprint: row.keyFingerprint,
        fingerprint: signed.fingerprint,
        issuedAt: signed.slc.issuedAt,
        validFrom: signed.slc.validFrom,
        validUntil: signed.slc.validUntil,
        issuerName: signed.slc.issuerName,
        slcXml: signed.slcXml,
      })
      .returning();
    const [updated] = await tx
      .update(submissions)
      .set({ state: "issued", decidedAt: now, decidedBy, slcSerial: signed.slc.serialNumber })
      .where(eq(submissions.id, row.id))
      .returning();
    await tx
      .insert(registrations)
      .values({
        guid: row.guid,
        keyFingerprint: row.keyFingerprint,
        serverName: row.serverName,
        clusterUrl: row.clusterUrl,
        registeredAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: registrations.guid,
        set: {
          keyFingerprint: row.keyFingerprint,
          serverName: row.serverName,
          clusterUrl: row.clusterUrl,
          updatedAt: now,
          // Revocation rule: issuing (only ever on approval for a revoked registration) makes the registration active.
          state: "active",
          revokedAt: null,
          revokedBy: null,
        },
      });
    if (!slc || !updated) throw new Error("the issued SLC was not stored");
    return { row: updated, slc };
  }

  /** Why a verified request needs an operator (null: an automatic renewal), or why it is refused outright. */
  async function review(
    tx: EnrollmentTx,
    request: RenewalRequestFields,
    keyFingerprint: string,
    now: Date,
  ): Promise<{ refused: Refusal } | { reason: ReviewReason | null }> {
    const [registration] = await tx.select().from(registrations).where(eq(registrations.guid, request.clusterGuid)).limit(1);
    if (!registration) return { reason: "new_cluster" };
    // --- revocation rule (lib/enrollment/revocations.ts) ---------------------------------------------------------
    // A revoked registration (its SLC revoked, or `registrations revoke`) re-enrolls only with the operator's approval:
    // whatever key signs the request (a re-keyed cluster too) and whatever the policy, it is held, never issued at once.
    if (registration.state === "revoked") return { reason: "registration_revoked" };
    // --- end of revocation rule ------------------------------------------------------------------------------------
    if (registration.keyFingerprint !== keyFingerprint) {
      return {
        refused: {
          status: 403,
          reason: "guid_registered_to_other_key",
          detail: `Cluster ${request.clusterGuid} is registered to the key ${registration.keyFingerprint}; this request is signed by ${keyFingerprint}.`,
        },
      };
    }
    // The installed SLC is recognised by what its signature covers (serial, GUID, key), not by the file's bytes: a
    // copy whose line endings a transfer changed is still the SLC this service issued. Consoles that name only the
    // file's fingerprint (older ones) are matched by it.
    const which = request.installedSlcSerial
      ? eq(issuedSlcs.serial, request.installedSlcSerial.toUpperCase())
      : request.installedSlcFingerprint !== null
        ? eq(issuedSlcs.fingerprint, request.installedSlcFingerprint)
        : null;
    if (which === null) return { reason: "unknown_installed_slc" };
    const [installed] = await tx
      .select({ validUntil: issuedSlcs.validUntil })
      .from(issuedSlcs)
      .where(and(which, eq(issuedSlcs.guid, request.clusterGuid), eq(issuedSlcs.keyFingerprint, keyFingerprint)))
      .limit(1);
    if (!installed) return { reason: "unknown_installed_slc" };
    return { reason: installed.validUntil.getTime() > now.getTime() ? null : "registration_expired" };
  }

  // Identical bodies in flight: the copies wait for the first and are then answered from what it stored.
  const inFlight = new Map<string, Promise<unknown>>();

  async function submit(input: SubmitInput): Promise<SubmitOutcome> {
    const contentSha256 = sha256Hex(input.body);
    const earlier = inFlight.get(contentSha256);
    if (earlier) await earlier.catch(() => undefined);
    const mine = submitOnce(input, contentSha256);
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
    // The same bytes again: the answer already given, without verifying or signing anything.
    const known = await loadView(db, eq(submissions.contentSha256, contentSha256));
    if (known) {
      const outcome = answer(known, true);
      await record(db, {
        ...base,
        outcome: "replayed",
        status: statusOf(known.row, known.slc),
        guid: known.row.guid,
        requestId: known.row.requestId,
        submissionId: known.row.id,
        slcSerial: known.slc?.serial ?? null,
      });
      return outcome;
    }

    const lane = input.lane ?? (await classify(input.body, input.remoteAddress));
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

    try {
      return await db.transaction(async (tx) => {
        await lockKeys(tx, [`request:${request.requestId}|${request.clusterGuid}|${keyFingerprint}`, `guid:${request.clusterGuid}`]);
        const ids = { guid: request.clusterGuid, requestId: request.requestId };
        // A request ID belongs to its cluster GUID and key: another cluster or key using it touches nothing here.
        const existing = await loadView(
          tx,
          and(
            eq(submissions.requestId, request.requestId),
            eq(submissions.guid, request.clusterGuid),
            eq(submissions.keyFingerprint, keyFingerprint),
          ) as SQL,
        );
        if (existing) {
          // The same signed content (any serialisation of it) is the same request; other content is a conflict.
          const same = existing.row.signedSha256 === signedSha256 || existing.row.contentSha256 === contentSha256;
          if (!same) {
            const refusal: Refusal = {
              status: 409,
              reason: "request_id_conflict",
              detail: `Request ${request.requestId} was already submitted with different content; a request ID is used once. Create a new request.`,
            };
            await record(tx, { ...base, ...ids, outcome: "refused", status: 409, reason: refusal.reason, detail: refusal.detail });
            return { kind: "refused", ...refusal } as const;
          }
          await record(tx, {
            ...base,
            ...ids,
            outcome: "replayed",
            status: statusOf(existing.row, existing.slc),
            submissionId: existing.row.id,
            slcSerial: existing.slc?.serial ?? null,
          });
          return answer(existing, true);
        }
        const now = clock();
        const decision = await review(tx, request, keyFingerprint, now);
        if ("refused" in decision) {
          await record(tx, {
            ...base,
            ...ids,
            outcome: "refused",
            status: decision.refused.status,
            reason: decision.refused.reason,
            detail: decision.refused.detail,
          });
          return { kind: "refused", ...decision.refused } as const;
        }
        // Revocation rule: a revoked registration is held under every policy (see review).
        const held = decision.reason !== null && (opts.policy === "approval" || decision.reason === "registration_revoked");
        if (held) {
          const full = await pendingCapRefusal(tx, input.remoteAddress);
          if (full) {
            await record(tx, { ...base, ...ids, outcome: "refused", status: full.status, reason: full.reason, detail: full.detail });
            return { kind: "refused", ...full } as const;
          }
        }
        const [row] = await tx
          .insert(submissions)
          .values({
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
          })
          .returning();
        if (!row) throw new Error("the submission was not stored");
        if (held) {
          await record(tx, { ...base, ...ids, outcome: "pending_approval", status: 202, reason: decision.reason, submissionId: row.id });
          return { kind: "pending_approval", submission: view(row, null), replayed: false } as const;
        }
        const issued = await issueWithin(tx, row, request, null);
        await record(tx, {
          ...base,
          ...ids,
          outcome: "issued",
          status: 200,
          reason: decision.reason,
          submissionId: row.id,
          slcSerial: issued.slc.serial,
        });
        return { kind: "issued", submission: view(issued.row, issued.slc), slcXml: issued.slc.slcXml, replayed: false } as const;
      });
    } catch (error) {
      return poolFailure(error, { ...base, guid: request.clusterGuid, requestId: request.requestId });
    }
  }

  /** Why one more held submission from this source is refused (its own cap, or the service's), or null. */
  async function pendingCapRefusal(tx: EnrollmentTx, source: string | null): Promise<Refusal | null> {
    await lockKeys(tx, ["pending"]);
    const pending = eq(submissions.state, "pending_approval");
    const [mine] = await tx
      .select({ n: count() })
      .from(submissions)
      .where(and(pending, source === null ? isNull(submissions.remoteAddress) : eq(submissions.remoteAddress, source)));
    if ((mine?.n ?? 0) >= maxPendingPerSource) {
      return {
        status: 429,
        reason: "too_many_pending",
        detail: `This address already has ${maxPendingPerSource} requests awaiting the operator's approval; wait until they are decided.`,
      };
    }
    const [all] = await tx.select({ n: count() }).from(submissions).where(pending);
    if ((all?.n ?? 0) >= maxPending) {
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

  /** An operator's approval: issues the held request (the key and fields are re-read from the stored, verified request). */
  async function approve(id: string, actor: string, channel: "operator" | "cli"): Promise<Decision> {
    const stored = await loadView(db, eq(submissions.id, id));
    if (!stored) return { ok: false, reason: "not_found", detail: `There is no submission ${id}.` };
    // Verified again on a worker: the stored text is what the signature covered, so the issued fields come from it.
    let checked: Awaited<ReturnType<IssuePool["verify"]>>;
    try {
      checked = await pool.verify(Buffer.from(stored.row.requestXml, "utf8"), stored.row.receivedAt, "high");
    } catch (error) {
      if (error instanceof IssuePoolError) return { ok: false, reason: "busy", detail: "The service is busy; try again in a moment." };
      throw error;
    }
    if (!checked.ok) return { ok: false, reason: "not_pending", detail: `The stored request no longer verifies (${checked.reason}).` };
    const request = checked.request;
    return db.transaction(async (tx) => {
      await lockKeys(tx, [`request:${stored.row.requestId}`, `guid:${stored.row.guid}`]);
      const current = await loadView(tx, eq(submissions.id, id));
      if (current?.row.state !== "pending_approval") {
        return {
          ok: false,
          reason: "not_pending",
          detail: `Submission ${id} is ${current?.row.state ?? "gone"}, not pending approval.`,
        } as const;
      }
      const [registration] = await tx.select().from(registrations).where(eq(registrations.guid, current.row.guid)).limit(1);
      // Another enrollment for the same new GUID was approved first: this key is now a foreign one. (Revocation rule: a
      // revoked registration is re-bound to the approved request's key and made active again by issueWithin.)
      if (registration && registration.state !== "revoked" && registration.keyFingerprint !== current.row.keyFingerprint) {
        return {
          ok: false,
          reason: "not_pending",
          detail: `Cluster ${current.row.guid} is now registered to the key ${registration.keyFingerprint}; reject this request.`,
        } as const;
      }
      const issued = await issueWithin(tx, current.row, request, actor);
      await record(tx, {
        channel,
        outcome: "approved",
        status: 200,
        actor,
        guid: current.row.guid,
        requestId: current.row.requestId,
        submissionId: id,
        slcSerial: issued.slc.serial,
      });
      return { ok: true, submission: view(issued.row, issued.slc) } as const;
    });
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
