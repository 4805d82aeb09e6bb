// The renewal operations behind the Renew dialog: online renewal, offline export/cancel, import validate/confirm/decline.
// Each checks with the shared verifier, installs in one transaction with its audit event, and reports a typed outcome.
import { and, desc, eq } from "drizzle-orm";
import { type AuditAction, recordAudit } from "@/lib/audit/audit";
import { KeyEncryptionError, type KeyEncryptionKey } from "@/lib/certificates/key-encryption";
import { documentFingerprint, publicKeyBase64 } from "@/lib/certificates/keys";
import { buildRenewalRequest, renewalRequestFileName } from "@/lib/certificates/renewal-request";
import { type CheckName, type CheckResult, type SlcRejectReason, type VerifiedSlc, verifySlc } from "@/lib/certificates/verify-slc";
import type { Queryable } from "@/lib/db/client";
import { certificates, clusters, renewalRequests } from "@/lib/db/schema";
import { type ClusterKey, getClusterKey } from "./cluster-keys";
import type { RenewalActor, RenewalContext } from "./context";
import { postRenewalRequest } from "./enrollment-client";
import { installCertificate } from "./install";
import { withRenewalLock } from "./lock";
import { renewalRequestFields } from "./request-fields";

export type RenewalFailureCode =
  | "not_found"
  | "in_progress"
  | "no_key"
  | "key_unavailable"
  | "no_trust_anchors"
  | "unreachable"
  | "timeout"
  | "rejected"
  | "busy"
  | "server_error"
  | "invalid_response"
  | "no_pending"
  | "invalid_file"
  | "changed";

export interface RenewalFailure {
  ok: false;
  code: RenewalFailureCode;
  /** For rejected requests: the enrollment service's reason code and message. */
  reason?: string;
  serviceMessage?: string;
  retryAfterSeconds?: number | null;
  /** For certificates that fail verification: which check and why, plus the checks run. */
  failedCheck?: CheckName;
  rejectReason?: SlcRejectReason;
  checks?: CheckResult[];
  detail?: string;
}

export interface SlcSummary {
  fingerprint: string;
  issuerName: string;
  issuerSubject: string;
  serverName: string;
  serverGuid: string;
  clusterUrl: string;
  validFrom: Date;
  validUntil: Date;
  serialNumber: string;
}

export type RenewalResult<T> = ({ ok: true } & T) | RenewalFailure;

function summary(slc: VerifiedSlc): SlcSummary {
  return {
    fingerprint: slc.fingerprint,
    issuerName: slc.issuerName,
    issuerSubject: slc.issuerSubject,
    serverName: slc.serverName,
    serverGuid: slc.serverGuid,
    clusterUrl: slc.clusterUrl,
    validFrom: slc.validFrom,
    validUntil: slc.validUntil,
    serialNumber: slc.serialNumber,
  };
}

interface ClusterState {
  id: string;
  guid: string;
  name: string;
  serverName: string;
  clusterUrl: string;
  key: ClusterKey;
  installed: { fingerprint: string; validUntil: Date } | null;
}

/** Loads the cluster with its key and installed SLC, or the failure that stops a renewal before it starts. */
async function loadCluster(ctx: RenewalContext, db: Queryable, clusterId: string): Promise<RenewalResult<{ cluster: ClusterState }>> {
  const [cluster] = await db.select().from(clusters).where(eq(clusters.id, clusterId)).limit(1);
  if (!cluster) return { ok: false, code: "not_found" };
  let kek: KeyEncryptionKey;
  try {
    kek = ctx.kek();
  } catch (error) {
    if (error instanceof KeyEncryptionError) return { ok: false, code: "key_unavailable", detail: error.message };
    throw error;
  }
  const key = await getClusterKey(db, clusterId, kek);
  if (!key) return { ok: false, code: "no_key" };
  const [installed] = await db
    .select({ fingerprint: certificates.fingerprint, validUntil: certificates.validUntil })
    .from(certificates)
    .where(and(eq(certificates.clusterId, clusterId), eq(certificates.active, true)))
    .limit(1);
  return { ok: true, cluster: { ...cluster, key, installed: installed ?? null } };
}

function decryptKey(key: ClusterKey): RenewalResult<{ privateKeyPem: string }> {
  try {
    return { ok: true, privateKeyPem: key.privateKeyPem() };
  } catch (error) {
    if (error instanceof KeyEncryptionError) return { ok: false, code: "key_unavailable", detail: error.message };
    throw error;
  }
}

function trustAnchors(ctx: RenewalContext): RenewalResult<{ anchors: string[] }> {
  try {
    return { ok: true, anchors: ctx.trustAnchors() };
  } catch (error) {
    // TrustAnchorError, or parseTrustAnchors refusing a file that holds no CA certificate.
    if (error instanceof Error) return { ok: false, code: "no_trust_anchors", detail: error.message };
    throw error;
  }
}

function verify(
  ctx: RenewalContext,
  cluster: ClusterState,
  input: Uint8Array | string,
  pendingRequestId: string | null,
  anchors: string[],
) {
  return verifySlc(input, {
    trustAnchorsPem: anchors,
    expect: {
      publicKeyBase64: publicKeyBase64(cluster.key.publicKeyPem),
      clusterGuid: cluster.guid,
      clusterUrl: cluster.clusterUrl,
      pendingRequestId,
      installedValidUntil: cluster.installed?.validUntil ?? null,
      now: ctx.now(),
    },
  });
}

async function audit(
  db: Queryable,
  actor: RenewalActor,
  action: AuditAction,
  outcome: "success" | "failure",
  clusterId: string,
  details: Record<string, unknown> = {},
): Promise<void> {
  await recordAudit(db, { actor: actor.name, remoteAddress: actor.remoteAddress, action, outcome, clusterId, details });
}

function failureDetails(failure: RenewalFailure): Record<string, unknown> {
  return {
    code: failure.code,
    ...(failure.reason ? { reason: failure.reason } : {}),
    ...(failure.failedCheck ? { check: failure.failedCheck, rejectReason: failure.rejectReason } : {}),
    ...(failure.detail ? { detail: failure.detail.slice(0, 500) } : {}),
  };
}

const IN_PROGRESS: RenewalFailure = { ok: false, code: "in_progress" };

/** Online renewal: sign a request, send it, verify the answer, install it — or change nothing and say why. */
export async function renewOnline(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
): Promise<RenewalResult<{ slc: SlcSummary; previousValidUntil: Date | null }>> {
  const { db } = ctx;
  const locked = await withRenewalLock(db, input.clusterId, ctx.leaseMs, async () => {
    const loaded = await loadCluster(ctx, db, input.clusterId);
    if (!loaded.ok) return loaded;
    const { cluster } = loaded;
    await audit(db, input.actor, "renew_online_started", "success", cluster.id, { enrollmentUrl: ctx.enrollmentUrl });
    const fail = async (failure: RenewalFailure): Promise<RenewalFailure> => {
      await audit(db, input.actor, "renew_online_failed", "failure", cluster.id, failureDetails(failure));
      return failure;
    };
    const key = decryptKey(cluster.key);
    if (!key.ok) return fail(key);
    const anchors = trustAnchors(ctx);
    if (!anchors.ok) return fail(anchors);

    const fields = renewalRequestFields(cluster, cluster.key.publicKeyPem, {
      now: ctx.now(),
      installedSlcFingerprint: cluster.installed?.fingerprint ?? null,
    });
    const requestXml = buildRenewalRequest(fields, key.privateKeyPem);
    const response = await postRenewalRequest(ctx.enrollmentUrl, requestXml, ctx.http);
    if (!response.ok) {
      switch (response.kind) {
        case "rejected":
          return fail({ ok: false, code: "rejected", reason: response.reason, serviceMessage: response.message });
        case "busy":
          return fail({ ok: false, code: "busy", retryAfterSeconds: response.retryAfterSeconds });
        case "server_error":
          return fail({ ok: false, code: "server_error", detail: `HTTP ${response.status}` });
        case "bad_response":
          return fail({ ok: false, code: "invalid_response", detail: response.detail });
        default:
          return fail({ ok: false, code: response.kind, detail: response.detail });
      }
    }
    const verification = verify(ctx, cluster, response.body, fields.requestId, anchors.anchors);
    if (!verification.ok) {
      return fail({
        ok: false,
        code: "invalid_response",
        failedCheck: verification.failed,
        rejectReason: verification.reason,
        checks: verification.checks,
        detail: verification.detail,
      });
    }
    const document = response.body.toString("utf8");
    await db.transaction(async (tx) => {
      await installCertificate(tx, {
        clusterId: cluster.id,
        document,
        slc: verification.slc,
        obtainedBy: "online",
        installedBy: input.actor.name,
        now: ctx.now(),
      });
      // An offline request exported earlier can no longer be imported: it no longer renews the installed SLC.
      await tx
        .update(renewalRequests)
        .set({ status: "superseded", closedAt: ctx.now() })
        .where(and(eq(renewalRequests.clusterId, cluster.id), eq(renewalRequests.status, "pending")));
      await audit(tx, input.actor, "renew_online_succeeded", "success", cluster.id, {
        fingerprint: verification.slc.fingerprint,
        validUntil: verification.slc.validUntil.toISOString(),
        requestId: fields.requestId,
      });
    });
    return { ok: true as const, slc: summary(verification.slc), previousValidUntil: cluster.installed?.validUntil ?? null };
  });
  return locked.acquired ? locked.value : IN_PROGRESS;
}

export interface PendingRequest {
  requestId: string;
  fingerprint: string;
  exportedBy: string;
  exportedAt: Date;
  fileName: string;
  document: string;
}

export async function getPendingRequest(db: Queryable, clusterId: string): Promise<PendingRequest | null> {
  const [row] = await db
    .select({
      requestId: renewalRequests.requestId,
      fingerprint: renewalRequests.fingerprint,
      exportedBy: renewalRequests.exportedBy,
      exportedAt: renewalRequests.exportedAt,
      document: renewalRequests.document,
      serverName: clusters.serverName,
    })
    .from(renewalRequests)
    .innerJoin(clusters, eq(clusters.id, renewalRequests.clusterId))
    .where(and(eq(renewalRequests.clusterId, clusterId), eq(renewalRequests.status, "pending")))
    .orderBy(desc(renewalRequests.exportedAt))
    .limit(1);
  if (!row) return null;
  const { serverName, ...pending } = row;
  return { ...pending, fileName: renewalRequestFileName(serverName) };
}

/** Offline step 4: a new signed request becomes the cluster's pending request (replacing any earlier one). */
export async function exportRenewalRequest(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
): Promise<RenewalResult<{ pending: PendingRequest }>> {
  const { db } = ctx;
  const locked = await withRenewalLock(db, input.clusterId, ctx.leaseMs, async (): Promise<RenewalResult<{ pending: PendingRequest }>> => {
    const loaded = await loadCluster(ctx, db, input.clusterId);
    if (!loaded.ok) return loaded;
    const { cluster } = loaded;
    const key = decryptKey(cluster.key);
    if (!key.ok) return key;
    const now = ctx.now();
    const fields = renewalRequestFields(cluster, cluster.key.publicKeyPem, {
      now,
      installedSlcFingerprint: cluster.installed?.fingerprint ?? null,
    });
    const document = buildRenewalRequest(fields, key.privateKeyPem);
    const fingerprint = documentFingerprint(document);
    await db.transaction(async (tx) => {
      await tx
        .update(renewalRequests)
        .set({ status: "superseded", closedAt: now })
        .where(and(eq(renewalRequests.clusterId, cluster.id), eq(renewalRequests.status, "pending")));
      await tx.insert(renewalRequests).values({
        clusterId: cluster.id,
        requestId: fields.requestId,
        document,
        fingerprint,
        status: "pending",
        exportedBy: input.actor.name,
        exportedAt: now,
      });
      await audit(tx, input.actor, "request_exported", "success", cluster.id, { requestId: fields.requestId, fingerprint });
    });
    return {
      ok: true,
      pending: {
        requestId: fields.requestId,
        fingerprint,
        exportedBy: input.actor.name,
        exportedAt: now,
        fileName: renewalRequestFileName(cluster.serverName),
        document,
      },
    };
  });
  return locked.acquired ? locked.value : IN_PROGRESS;
}

export async function cancelRenewalRequest(
  ctx: RenewalContext,
  input: { clusterId: string; requestId: string; actor: RenewalActor },
): Promise<RenewalResult<object>> {
  const { db } = ctx;
  const locked = await withRenewalLock(
    db,
    input.clusterId,
    ctx.leaseMs,
    async (): Promise<RenewalResult<object>> =>
      db.transaction(async (tx) => {
        const closed = await tx
          .update(renewalRequests)
          .set({ status: "cancelled", closedAt: ctx.now() })
          .where(
            and(
              eq(renewalRequests.clusterId, input.clusterId),
              eq(renewalRequests.requestId, input.requestId),
              eq(renewalRequests.status, "pending"),
            ),
          )
          .returning({ id: renewalRequests.id });
        if (closed.length === 0) return { ok: false, code: "no_pending" };
        await audit(tx, input.actor, "request_cancelled", "success", input.clusterId, { requestId: input.requestId });
        return { ok: true };
      }),
  );
  return locked.acquired ? locked.value : IN_PROGRESS;
}

async function rejectImport(db: Queryable, actor: RenewalActor, clusterId: string, failure: RenewalFailure): Promise<RenewalFailure> {
  await audit(db, actor, "import_rejected", "failure", clusterId, failureDetails(failure));
  return failure;
}

/**
 * The checks of an import: the cluster's pending request, the trust anchors, then every check of the verifier.
 * A refusal is audited as import_rejected.
 */
async function checkImport(
  ctx: RenewalContext,
  clusterId: string,
  file: Uint8Array,
  actor: RenewalActor,
): Promise<RenewalResult<{ cluster: ClusterState; pending: PendingRequest; slc: VerifiedSlc; checks: CheckResult[] }>> {
  const { db } = ctx;
  const loaded = await loadCluster(ctx, db, clusterId);
  if (!loaded.ok) return loaded;
  const { cluster } = loaded;
  const reject = (failure: RenewalFailure) => rejectImport(db, actor, cluster.id, failure);
  const pending = await getPendingRequest(db, cluster.id);
  if (!pending) return reject({ ok: false, code: "no_pending" });
  const anchors = trustAnchors(ctx);
  if (!anchors.ok) return reject(anchors);
  const verification = verify(ctx, cluster, file, pending.requestId, anchors.anchors);
  if (!verification.ok) {
    return reject({
      ok: false,
      code: "invalid_file",
      failedCheck: verification.failed,
      rejectReason: verification.reason,
      checks: verification.checks,
      detail: verification.detail,
    });
  }
  return { ok: true, cluster, pending, slc: verification.slc, checks: verification.checks };
}

/** Offline step 12: runs every check on the chosen file and reports what would be installed. Changes nothing. */
export async function validateImport(
  ctx: RenewalContext,
  input: { clusterId: string; file: Uint8Array; actor: RenewalActor },
): Promise<RenewalResult<{ slc: SlcSummary; checks: CheckResult[] }>> {
  const checked = await checkImport(ctx, input.clusterId, input.file, input.actor);
  if (!checked.ok) return checked;
  await audit(ctx.db, input.actor, "import_validated", "success", checked.cluster.id, {
    fingerprint: checked.slc.fingerprint,
    requestId: checked.pending.requestId,
  });
  return { ok: true, slc: summary(checked.slc), checks: checked.checks };
}

/** Offline step 13 (Yes): checks the same file again and installs it in one transaction, consuming the request. */
export async function confirmImport(
  ctx: RenewalContext,
  input: { clusterId: string; file: Uint8Array; expectedFingerprint: string; actor: RenewalActor },
): Promise<RenewalResult<{ slc: SlcSummary; previousValidUntil: Date | null }>> {
  const { db } = ctx;
  const locked = await withRenewalLock(db, input.clusterId, ctx.leaseMs, async () => {
    const checked = await checkImport(ctx, input.clusterId, input.file, input.actor);
    if (!checked.ok) return checked;
    const { cluster, pending, slc } = checked;
    const reject = (failure: RenewalFailure) => rejectImport(db, input.actor, cluster.id, failure);
    if (slc.fingerprint !== input.expectedFingerprint) return reject({ ok: false, code: "changed" });
    const document = Buffer.from(input.file).toString("utf8");
    const installed = await db.transaction(async (tx) => {
      const consumed = await tx
        .update(renewalRequests)
        .set({ status: "consumed", closedAt: ctx.now() })
        .where(and(eq(renewalRequests.requestId, pending.requestId), eq(renewalRequests.status, "pending")))
        .returning({ id: renewalRequests.id });
      if (consumed.length === 0) return false;
      await installCertificate(tx, {
        clusterId: cluster.id,
        document,
        slc,
        obtainedBy: "offline",
        installedBy: input.actor.name,
        now: ctx.now(),
      });
      await audit(tx, input.actor, "import_confirmed", "success", cluster.id, {
        fingerprint: slc.fingerprint,
        validUntil: slc.validUntil.toISOString(),
        requestId: pending.requestId,
      });
      return true;
    });
    if (!installed) return reject({ ok: false, code: "no_pending" });
    return { ok: true as const, slc: summary(slc), previousValidUntil: cluster.installed?.validUntil ?? null };
  });
  return locked.acquired ? locked.value : IN_PROGRESS;
}

/** Offline step 13 (No): nothing is installed and the request stays pending; the decision is audited. */
export async function declineImport(
  ctx: RenewalContext,
  input: { clusterId: string; fingerprint: string; actor: RenewalActor },
): Promise<RenewalResult<object>> {
  const [cluster] = await ctx.db.select({ id: clusters.id }).from(clusters).where(eq(clusters.id, input.clusterId)).limit(1);
  if (!cluster) return { ok: false, code: "not_found" };
  await audit(ctx.db, input.actor, "import_declined", "success", cluster.id, { fingerprint: input.fingerprint });
  return { ok: true };
}
