// Re-key a cluster whose key may be compromised: a new key pair kept beside the current key as the pending
// key, an enrollment request signed by the new key that names the certificate it replaces, sent online or exported,
// and — once the operator approved it and the new SLC passed every check against the pending key — the SLC installed,
// the pending key made the key and the old key's row deleted, in one transaction. Until then the old key renews.
import { and, desc, eq } from "drizzle-orm";
import { sanitizeServerName } from "@/lib/core/certificates/file-names";
import { encryptPrivateKey, KeyEncryptionError } from "@/lib/core/certificates/key-encryption";
import { documentFingerprint, generateClusterKeyPair, publicKeyFingerprint } from "@/lib/core/certificates/keys";
import { buildRenewalRequest } from "@/lib/core/certificates/renewal-request";
import type { VerifiedSlc } from "@/lib/core/certificates/verify-slc";
import type { Queryable } from "@/lib/platform/db/client";
import { clusterKeys, clusters, rekeys, renewalRequests } from "@/lib/platform/db/schema";
import { clusterKeyAssociatedData, clusterKeyOf } from "./cluster-keys";
import type { RenewalActor, RenewalContext } from "./context";
import { postRenewalRequest } from "./enrollment-client";
import type { RenewalResult } from "./failures";
import { installCertificate } from "./install";
import { enrollmentFailure } from "./online";
import { type ClusterState, type Operation, runClusterOperation, trustAnchors, verificationRefusal, verifyForCluster } from "./operation";
import { type SlcSummary, slcSummary } from "./queries";
import { renewalRequestFields } from "./request-fields";

export interface PendingRekey {
  id: string;
  requestId: string;
  /** The signed request, as sent or exported (the same bytes each time). */
  document: string;
  /** SHA-256 of the request document. */
  fingerprint: string;
  fileName: string;
  newKeyFingerprint: string;
  oldKeyFingerprint: string;
  replacesSlcSerial: string;
  replacesSlcFingerprint: string;
  /** The enrollment service's submission ID once it held the request for its operator. */
  submissionId: string | null;
  exportedAt: Date | null;
  startedBy: string;
  startedAt: Date;
}

/** `<servername>RekeyRequest.xml`: the request a re-key carries to the enrollment service. */
function rekeyRequestFileName(serverName: string): string {
  return `${sanitizeServerName(serverName)}RekeyRequest.xml`;
}

/** The cluster's pending re-key (with a pending key), or null. */
export async function getPendingRekey(db: Queryable, clusterId: string): Promise<PendingRekey | null> {
  const [row] = await db
    .select({ rekey: rekeys, serverName: clusters.serverName })
    .from(rekeys)
    .innerJoin(clusters, eq(clusters.id, rekeys.clusterId))
    .where(and(eq(rekeys.clusterId, clusterId), eq(rekeys.status, "pending")))
    .orderBy(desc(rekeys.startedAt))
    .limit(1);
  if (!row || row.rekey.keyId === null) return null;
  const r = row.rekey;
  return {
    id: r.id,
    requestId: r.requestId,
    document: r.document,
    fingerprint: r.fingerprint,
    fileName: rekeyRequestFileName(row.serverName),
    newKeyFingerprint: r.newKeyFingerprint,
    oldKeyFingerprint: r.oldKeyFingerprint,
    replacesSlcSerial: r.replacesSlcSerial,
    replacesSlcFingerprint: r.replacesSlcFingerprint,
    submissionId: r.submissionId,
    exportedAt: r.exportedAt,
    startedBy: r.startedBy,
    startedAt: r.startedAt,
  };
}

/** The pending re-key and the cluster as it will be once re-keyed (its key: the pending one), for checking its SLC. */
async function pendingWithKey(
  ctx: RenewalContext,
  cluster: ClusterState,
): Promise<RenewalResult<{ rekey: PendingRekey; keyId: string; rekeyed: ClusterState }>> {
  const rekey = await getPendingRekey(ctx.db, cluster.id);
  if (!rekey) return { ok: false, code: "no_pending" };
  const [row] = await ctx.db
    .select({ key: clusterKeys })
    .from(rekeys)
    .innerJoin(clusterKeys, eq(clusterKeys.id, rekeys.keyId))
    .where(eq(rekeys.id, rekey.id))
    .limit(1);
  if (!row) return { ok: false, code: "no_pending" };
  let kek: ReturnType<RenewalContext["kek"]>;
  try {
    kek = ctx.kek();
  } catch (error) {
    if (error instanceof KeyEncryptionError) return { ok: false, code: "key_unavailable", detail: error.message };
    throw error;
  }
  return { ok: true, rekey, keyId: row.key.id, rekeyed: { ...cluster, key: clusterKeyOf(row.key, kek) } };
}

const rekeySpec = (clusterId: string, actor: RenewalActor) =>
  ({ clusterId, actor, exclusive: true, load: "keyed", failureAudit: "rekey_failed" }) as const;

/**
 * Step 1: a new key pair (through generateClusterKeyPair) stored encrypted beside the current key as the pending key,
 * and the request it signs, naming the installed SLC by serial and fingerprint. The current key stays the key.
 */
export async function startRekey(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
): Promise<RenewalResult<{ rekey: PendingRekey }>> {
  return runClusterOperation(ctx, rekeySpec(input.clusterId, input.actor), async (op) => {
    const { cluster } = op;
    if (!cluster.installed) return { ok: false, code: "no_certificate" };
    if (await getPendingRekey(ctx.db, cluster.id)) return { ok: false, code: "rekey_pending" };
    let kek: ReturnType<RenewalContext["kek"]>;
    try {
      kek = ctx.kek();
    } catch (error) {
      if (error instanceof KeyEncryptionError) return { ok: false, code: "key_unavailable", detail: error.message };
      throw error;
    }
    const pair = await generateClusterKeyPair(2048);
    const now = ctx.now();
    const replaces = { replacesSlcSerial: cluster.installed.serialNumber, replacesSlcFingerprint: cluster.installed.fingerprint };
    const fields = {
      ...renewalRequestFields(cluster, pair.publicKeyPem, { now, installedSlcFingerprint: null }),
      installedSlcSerial: null,
      rekey: replaces,
    };
    const document = buildRenewalRequest(fields, pair.privateKeyPem);
    const newKeyFingerprint = publicKeyFingerprint(pair.publicKeyPem);
    return op.commit("rekey_started", async (tx) => {
      const [key] = await tx
        .insert(clusterKeys)
        .values({
          clusterId: cluster.id,
          publicKeyPem: pair.publicKeyPem,
          encryptedPrivateKey: encryptPrivateKey(pair.privateKeyPem, kek, clusterKeyAssociatedData(cluster.id)),
          fingerprint: newKeyFingerprint,
          active: false,
        })
        .returning({ id: clusterKeys.id });
      if (!key) throw new Error("Inserting the pending key returned no row");
      const [row] = await tx
        .insert(rekeys)
        .values({
          clusterId: cluster.id,
          keyId: key.id,
          newKeyFingerprint,
          oldKeyFingerprint: cluster.key.fingerprint,
          ...replaces,
          requestId: fields.requestId,
          document,
          fingerprint: documentFingerprint(document),
          status: "pending",
          startedBy: input.actor.name,
          startedAt: now,
        })
        .returning();
      if (!row) throw new Error("Inserting the re-key returned no row");
      const rekey: PendingRekey = {
        id: row.id,
        requestId: row.requestId,
        document,
        fingerprint: row.fingerprint,
        fileName: rekeyRequestFileName(cluster.serverName),
        newKeyFingerprint,
        oldKeyFingerprint: cluster.key.fingerprint,
        ...replaces,
        submissionId: null,
        exportedAt: null,
        startedBy: input.actor.name,
        startedAt: now,
      };
      return {
        ok: true,
        result: { rekey },
        audit: {
          requestId: fields.requestId,
          fingerprint: newKeyFingerprint,
          oldKeyFingerprint: cluster.key.fingerprint,
          replacesSlcSerial: replaces.replacesSlcSerial,
        },
      };
    });
  });
}

export type RekeyInstalled = { outcome: "installed"; slc: SlcSummary; keyFingerprint: string; oldKeyFingerprint: string };
export type RekeyOnline = RekeyInstalled | { outcome: "held"; requestId: string; submissionId: string };

/**
 * The pending key becomes the key: the SLC installed, the old key's row deleted, the re-key closed and any pending
 * renewal request (signed by the old key) superseded — one transaction with its audit event.
 */
function install(
  ctx: RenewalContext,
  op: Operation<"keyed">,
  pending: { rekey: PendingRekey; keyId: string },
  slc: VerifiedSlc,
  obtainedBy: "online" | "offline",
  actorName: string,
): Promise<RenewalResult<RekeyInstalled>> {
  const { cluster } = op;
  return op.commit("rekey_installed", async (tx) => {
    const now = ctx.now();
    const closed = await tx
      .update(rekeys)
      .set({ status: "installed", closedAt: now, closedBy: actorName })
      .where(and(eq(rekeys.id, pending.rekey.id), eq(rekeys.status, "pending")))
      .returning({ id: rekeys.id });
    if (closed.length === 0) return { ok: false, code: "no_pending" };
    await installCertificate(tx, { clusterId: cluster.id, document: slc.document, slc, obtainedBy, installedBy: actorName, now });
    // The old key is destroyed only now, in the commit that installs its successor's certificate.
    await tx.delete(clusterKeys).where(and(eq(clusterKeys.id, cluster.key.id), eq(clusterKeys.active, true)));
    await tx.update(clusterKeys).set({ active: true }).where(eq(clusterKeys.id, pending.keyId));
    await tx
      .update(renewalRequests)
      .set({ status: "superseded", closedAt: now })
      .where(and(eq(renewalRequests.clusterId, cluster.id), eq(renewalRequests.status, "pending")));
    return {
      ok: true,
      result: {
        outcome: "installed" as const,
        slc: slcSummary(slc),
        keyFingerprint: pending.rekey.newKeyFingerprint,
        oldKeyFingerprint: cluster.key.fingerprint,
      },
      audit: {
        requestId: pending.rekey.requestId,
        fingerprint: pending.rekey.newKeyFingerprint,
        oldKeyFingerprint: cluster.key.fingerprint,
        slcFingerprint: slc.fingerprint,
        validUntil: slc.validUntil.toISOString(),
        obtainedBy,
      },
    };
  });
}

/**
 * Online: sends the pending re-key request (the same bytes every time, so the service answers a repeat as before).
 * Held for the operator: the submission is kept and "held" returned; issued: checked against the pending key and installed.
 */
export async function sendRekeyOnline(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
): Promise<RenewalResult<RekeyOnline>> {
  return runClusterOperation(ctx, rekeySpec(input.clusterId, input.actor), async (op): Promise<RenewalResult<RekeyOnline>> => {
    const pending = await pendingWithKey(ctx, op.cluster);
    if (!pending.ok) return pending;
    const anchors = trustAnchors(ctx);
    if (!anchors.ok) return anchors;
    const { rekey } = pending;
    const response = await postRenewalRequest(ctx.enrollmentUrl, rekey.document, { ...ctx.http, ca: anchors.anchors });
    if (!response.ok) return enrollmentFailure(response, rekey.requestId);
    if (response.kind === "pending_approval") {
      return op.commit("rekey_sent", async (tx) => {
        await tx.update(rekeys).set({ submissionId: response.submissionId }).where(eq(rekeys.id, rekey.id));
        return {
          ok: true,
          result: { outcome: "held" as const, requestId: rekey.requestId, submissionId: response.submissionId },
          audit: { requestId: rekey.requestId, submissionId: response.submissionId, heldForApproval: true },
        };
      });
    }
    const verification = await verifyForCluster(ctx, pending.rekeyed, response.document, rekey.requestId, anchors.anchors);
    if (!verification.ok) return verificationRefusal(verification, "invalid_response");
    return install(ctx, op, pending, verification.slc, "online", input.actor.name);
  });
}

/** Offline: the pending request's file, to carry to the enrollment service's web site (audited, changes nothing else). */
export async function exportRekeyRequest(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
): Promise<RenewalResult<{ rekey: PendingRekey }>> {
  const spec = { clusterId: input.clusterId, actor: input.actor, exclusive: false, load: "exists", failureAudit: null } as const;
  return runClusterOperation(ctx, spec, async (op) => {
    const rekey = await getPendingRekey(ctx.db, input.clusterId);
    if (!rekey) return { ok: false, code: "no_pending" };
    return op.commit("rekey_exported", async (tx) => {
      const now = ctx.now();
      await tx.update(rekeys).set({ exportedAt: now }).where(eq(rekeys.id, rekey.id));
      return {
        ok: true,
        result: { rekey: { ...rekey, exportedAt: now } },
        audit: { requestId: rekey.requestId, fingerprint: rekey.newKeyFingerprint },
      };
    });
  });
}

/** Offline: the SLC file the enrollment service issued for the re-key, checked against the pending key, then installed. */
export async function importRekeyCertificate(
  ctx: RenewalContext,
  input: { clusterId: string; file: Uint8Array; actor: RenewalActor },
): Promise<RenewalResult<RekeyInstalled>> {
  return runClusterOperation(ctx, rekeySpec(input.clusterId, input.actor), async (op) => {
    const pending = await pendingWithKey(ctx, op.cluster);
    if (!pending.ok) return pending;
    const anchors = trustAnchors(ctx);
    if (!anchors.ok) return anchors;
    const verification = await verifyForCluster(ctx, pending.rekeyed, input.file, pending.rekey.requestId, anchors.anchors);
    if (!verification.ok) return verificationRefusal(verification, "invalid_file");
    return install(ctx, op, pending, verification.slc, "offline", input.actor.name);
  });
}

/** Cancel: the pending key's row is deleted and the re-key closed; the current key and SLC stay as they are. */
export async function cancelRekey(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
): Promise<RenewalResult<{ requestId: string }>> {
  const spec = { clusterId: input.clusterId, actor: input.actor, exclusive: true, load: "exists", failureAudit: null } as const;
  return runClusterOperation(ctx, spec, (op) =>
    op.commit("rekey_cancelled", async (tx) => {
      const [closed] = await tx
        .update(rekeys)
        .set({ status: "cancelled", closedAt: ctx.now(), closedBy: input.actor.name })
        .where(and(eq(rekeys.clusterId, input.clusterId), eq(rekeys.status, "pending")))
        .returning({ keyId: rekeys.keyId, requestId: rekeys.requestId, newKeyFingerprint: rekeys.newKeyFingerprint });
      if (!closed) return { ok: false, code: "no_pending" };
      if (closed.keyId) {
        await tx.delete(clusterKeys).where(and(eq(clusterKeys.id, closed.keyId), eq(clusterKeys.active, false)));
      }
      return {
        ok: true,
        result: { requestId: closed.requestId },
        audit: { requestId: closed.requestId, fingerprint: closed.newKeyFingerprint },
      };
    }),
  );
}
