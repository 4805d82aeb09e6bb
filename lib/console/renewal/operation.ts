// The skeleton every renewal operation shares, written once: lease, load the cluster (and its key), run, commit the
// change with its audit event in one transaction, audit every refusal.
import type { KeyObject } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { type AuditAction, recordAudit } from "@/lib/console/audit/audit";
import { revokedEntries } from "@/lib/console/revocation/status";
import { KeyEncryptionError, type KeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { publicKeyBase64 } from "@/lib/core/certificates/keys";
import { HsmError } from "@/lib/core/certificates/pkcs11-token";
import type { PublicKeySigner } from "@/lib/core/certificates/renewal-request";
import { sharedVerifier } from "@/lib/core/certificates/verify-off-thread";
import type { SlcVerification } from "@/lib/core/certificates/verify-slc";
import type { Queryable, Tx } from "@/lib/platform/db/client";
import { certificates, clusterKeys, clusters } from "@/lib/platform/db/schema";
import { type ClusterKey, clusterKeyOf } from "./cluster-keys";
import type { RenewalActor, RenewalContext } from "./context";
import { failureAuditDetails, IN_PROGRESS, type RenewalFailure, type RenewalResult } from "./failures";
import { type Lease, withRenewalLock } from "./lock";

export interface ClusterState {
  id: string;
  guid: string;
  name: string;
  serverName: string;
  clusterUrl: string;
  key: ClusterKey;
  installed: { fingerprint: string; serialNumber: string; validUntil: Date } | null;
}

/**
 * How much of the cluster an operation needs before it starts: nothing but its id (the lease already proves the
 * cluster exists), that the cluster exists, or the cluster with its key and installed SLC.
 */
type Load = "none" | "exists" | "keyed";

type Loaded<L extends Load> = L extends "keyed" ? ClusterState : { id: string };

interface OperationSpec<L extends Load> {
  clusterId: string;
  actor: RenewalActor;
  /** Operations that change the cluster hold its renewal lease; a second one meanwhile gets "in_progress". */
  exclusive: boolean;
  load: L;
  /** The audit action of a refusal once the cluster is loaded; null where a refusal is not an audited event. */
  failureAudit: AuditAction | null;
  /**
   * The success event that the operation has started, recorded once the cluster is loaded: for an exclusive operation
   * in the lease's own commit (lease, load and this event: one commit; the change and its event: the second).
   */
  started?: { action: AuditAction; details: Record<string, unknown> };
}

/** What a commit step returns: its result and the details of the success event recorded in the same transaction. */
type Committed<T> = { ok: true; result: T; audit: Record<string, unknown> } | RenewalFailure;

export interface Operation<L extends Load> {
  cluster: Loaded<L>;
  /** Records a success event on its own (a step that changes nothing else). */
  record(action: AuditAction, details: Record<string, unknown>): Promise<void>;
  /** Runs the change in one transaction that also records `action`; a refusal inside it changes nothing. */
  commit<T>(action: AuditAction, change: (tx: Tx) => Promise<Committed<T>>): Promise<RenewalResult<T>>;
}

async function audit(
  db: Queryable,
  actor: RenewalActor,
  action: AuditAction,
  outcome: "success" | "failure",
  clusterId: string,
  details: Record<string, unknown>,
): Promise<void> {
  await recordAudit(db, { actor: actor.name, remoteAddress: actor.remoteAddress, action, outcome, clusterId, details });
}

function keyEncryptionKey(ctx: RenewalContext): { ok: true; kek: KeyEncryptionKey } | RenewalFailure {
  try {
    return { ok: true, kek: ctx.kek() };
  } catch (error) {
    if (error instanceof KeyEncryptionError) return { ok: false, code: "key_unavailable", detail: error.message };
    throw error;
  }
}

/** The cluster, its active key and its active SLC in one statement (each is unique per cluster). */
async function loadKeyed(db: Queryable, ctx: RenewalContext, clusterId: string): Promise<RenewalResult<{ cluster: ClusterState }>> {
  const [row] = await db
    .select({
      cluster: clusters,
      key: clusterKeys,
      installed: { fingerprint: certificates.fingerprint, serialNumber: certificates.serialNumber, validUntil: certificates.validUntil },
    })
    .from(clusters)
    .leftJoin(clusterKeys, and(eq(clusterKeys.clusterId, clusters.id), eq(clusterKeys.active, true)))
    .leftJoin(certificates, and(eq(certificates.clusterId, clusters.id), eq(certificates.active, true)))
    .where(eq(clusters.id, clusterId))
    .limit(1);
  if (!row) return { ok: false, code: "not_found" };
  const kek = keyEncryptionKey(ctx);
  if (!kek.ok) return kek;
  if (!row.key) return { ok: false, code: "no_key" };
  return { ok: true, cluster: { ...row.cluster, key: clusterKeyOf(row.key, kek.kek, ctx.pkcs11 ?? null), installed: row.installed } };
}

async function load<L extends Load>(
  db: Queryable,
  ctx: RenewalContext,
  spec: OperationSpec<L>,
): Promise<RenewalResult<{ cluster: Loaded<L> }>>;
async function load(
  db: Queryable,
  ctx: RenewalContext,
  spec: OperationSpec<Load>,
): Promise<RenewalResult<{ cluster: ClusterState | { id: string } }>> {
  switch (spec.load) {
    case "none":
      return { ok: true, cluster: { id: spec.clusterId } };
    case "exists": {
      const [cluster] = await db.select({ id: clusters.id }).from(clusters).where(eq(clusters.id, spec.clusterId)).limit(1);
      return cluster ? { ok: true, cluster } : { ok: false, code: "not_found" };
    }
    case "keyed":
      return loadKeyed(db, ctx, spec.clusterId);
  }
}

/** Runs one renewal operation; failures before the cluster is loaded are returned unaudited, as before a start. */
export async function runClusterOperation<L extends Load, T>(
  ctx: RenewalContext,
  spec: OperationSpec<L>,
  run: (op: Operation<L>) => Promise<RenewalResult<T>>,
): Promise<RenewalResult<T>> {
  const { db } = ctx;
  // The cluster, and the start event once it is loaded.
  const start = async (tx: Queryable): Promise<RenewalResult<{ cluster: Loaded<L> }>> => {
    const loaded = await load(tx, ctx, spec);
    if (loaded.ok && spec.started) await audit(tx, spec.actor, spec.started.action, "success", loaded.cluster.id, spec.started.details);
    return loaded;
  };
  const operate = async (lease: Lease | null, started: RenewalResult<{ cluster: Loaded<L> }> | undefined): Promise<RenewalResult<T>> => {
    const loaded = started ?? (await start(db));
    if (!loaded.ok) return loaded;
    const { cluster } = loaded;
    const op: Operation<L> = {
      cluster,
      record: (action, details) => audit(db, spec.actor, action, "success", cluster.id, details),
      commit: <U>(action: AuditAction, change: (tx: Tx) => Promise<Committed<U>>) =>
        db
          .transaction(async (tx): Promise<RenewalResult<U>> => {
            const committed = await change(tx);
            if (!committed.ok) return committed;
            await audit(tx, spec.actor, action, "success", cluster.id, committed.audit);
            // The change is the operation's last: its lease ends in the same commit.
            await lease?.releaseWithin(tx);
            return { ok: true, ...committed.result };
          })
          .then((result) => {
            if (result.ok) lease?.released();
            return result;
          }),
    };
    const outcome = await run(op);
    if (!outcome.ok && spec.failureAudit) {
      await audit(db, spec.actor, spec.failureAudit, "failure", cluster.id, failureAuditDetails(outcome));
    }
    return outcome;
  };
  if (!spec.exclusive) return operate(null, undefined);
  const locked = await withRenewalLock(db, spec.clusterId, ctx.leaseMs, operate, spec.actor.name, spec.started ? start : undefined);
  return locked.acquired ? locked.value : IN_PROGRESS;
}

/**
 * What signs for the cluster: its key decrypted just for signing, or its PKCS#11 token (opened now, so an unplugged
 * module, a refused PIN or a missing key is reported before anything is sent or stored).
 */
export function clusterSigner(key: ClusterKey): RenewalResult<{ signer: KeyObject | PublicKeySigner }> {
  try {
    return { ok: true, signer: key.signer() };
  } catch (error) {
    if (error instanceof KeyEncryptionError || error instanceof HsmError)
      return { ok: false, code: "key_unavailable", detail: error.message };
    throw error;
  }
}

export function trustAnchors(ctx: RenewalContext): RenewalResult<{ anchors: string[] }> {
  try {
    return { ok: true, anchors: ctx.trustAnchors() };
  } catch (error) {
    // TrustAnchorError, or parseTrustAnchors refusing a file that holds no CA certificate.
    if (error instanceof Error) return { ok: false, code: "no_trust_anchors", detail: error.message };
    throw error;
  }
}

/**
 * Runs every check of the verifier against what this cluster expects of its next SLC, on the verification worker
 * under its deadline (the event loop stays free for every other user while a file is checked).
 */
export async function verifyForCluster(
  ctx: RenewalContext,
  cluster: ClusterState,
  input: Uint8Array | string,
  pendingRequestId: string | null,
  anchors: string[],
): Promise<SlcVerification> {
  // The check "Not revoked": the entries of the last revocation list that verified against the trust anchors.
  const revoked = await revokedEntries(ctx.db);
  return sharedVerifier().verify(input, {
    trustAnchorsPem: anchors,
    expect: {
      publicKeyBase64: publicKeyBase64(cluster.key.publicKeyPem),
      clusterGuid: cluster.guid,
      clusterUrl: cluster.clusterUrl,
      pendingRequestId,
      installedValidUntil: cluster.installed?.validUntil ?? null,
      now: ctx.now(),
      revoked,
    },
  });
}
