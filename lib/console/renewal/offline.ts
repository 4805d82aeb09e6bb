// Offline renewal: export the signed request (and cancel it), then validate, confirm or decline the SLC file brought back.
import { and, eq } from "drizzle-orm";
import { documentFingerprint, publicKeyFingerprint } from "@/lib/core/certificates/keys";
import { buildRenewalRequest, renewalRequestFileName } from "@/lib/core/certificates/renewal-request";
import type { CheckResult, VerifiedSlc } from "@/lib/core/certificates/verify-slc";
import type { Tx } from "@/lib/platform/db/client";
import { renewalRequests } from "@/lib/platform/db/schema";
import type { RenewalActor, RenewalContext } from "./context";
import type { RenewalResult } from "./failures";
import { installCertificate } from "./install";
import { type ClusterState, clusterSigner, runClusterOperation, trustAnchors, verifyForCluster } from "./operation";
import { getPendingRequest, type PendingRequest, type SlcSummary, slcSummary } from "./queries";
import { renewalRequestFields } from "./request-fields";

/**
 * A signed request becomes the cluster's pending request, replacing any earlier one (the old file can no longer be
 * answered). Runs in the caller's transaction: offline export, or an online request the service holds for approval.
 */
export async function storePendingRequest(
  tx: Tx,
  input: {
    clusterId: string;
    requestId: string;
    document: string;
    exportedBy: string;
    now: Date;
    heldForApproval?: boolean;
    /** Answered online and kept for the small-gain confirmation: its certificate is recorded as obtained online. */
    answeredOnline?: boolean;
  },
): Promise<{ fingerprint: string }> {
  const fingerprint = documentFingerprint(input.document);
  await tx
    .update(renewalRequests)
    .set({ status: "superseded", closedAt: input.now })
    .where(and(eq(renewalRequests.clusterId, input.clusterId), eq(renewalRequests.status, "pending")));
  await tx.insert(renewalRequests).values({
    clusterId: input.clusterId,
    requestId: input.requestId,
    document: input.document,
    fingerprint,
    status: "pending",
    exportedBy: input.exportedBy,
    exportedAt: input.now,
    heldForApproval: input.heldForApproval ?? false,
    answeredOnline: input.answeredOnline ?? false,
  });
  return { fingerprint };
}

/** Offline step 4: a new signed request becomes the cluster's pending request (replacing any earlier one). */
export async function exportRenewalRequest(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
): Promise<RenewalResult<{ pending: PendingRequest }>> {
  const spec = { clusterId: input.clusterId, actor: input.actor, exclusive: true, load: "keyed", failureAudit: null } as const;
  return runClusterOperation(ctx, spec, async (op) => {
    const { cluster } = op;
    const key = clusterSigner(cluster.key);
    if (!key.ok) return key;
    const now = ctx.now();
    const fields = renewalRequestFields(cluster, cluster.key.publicKeyPem, {
      now,
      installedSlcFingerprint: cluster.installed?.fingerprint ?? null,
      installedSlcSerial: cluster.installed?.serialNumber ?? null,
    });
    const document = buildRenewalRequest(fields, key.signer);
    return op.commit("request_exported", async (tx) => {
      const { fingerprint } = await storePendingRequest(tx, {
        clusterId: cluster.id,
        requestId: fields.requestId,
        document,
        exportedBy: input.actor.name,
        now,
      });
      const pending: PendingRequest = {
        requestId: fields.requestId,
        fingerprint,
        exportedBy: input.actor.name,
        exportedAt: now,
        fileName: renewalRequestFileName(cluster.serverName, cluster.installed ? "renewal" : "enrollment"),
        document,
        heldForApproval: false,
        answeredOnline: false,
        approvedAt: null,
      };
      return { ok: true, result: { pending }, audit: { requestId: fields.requestId, fingerprint } };
    });
  });
}

export async function cancelRenewalRequest(
  ctx: RenewalContext,
  input: { clusterId: string; requestId: string; actor: RenewalActor },
): Promise<RenewalResult<object>> {
  const spec = { clusterId: input.clusterId, actor: input.actor, exclusive: true, load: "none", failureAudit: null } as const;
  return runClusterOperation(ctx, spec, (op) =>
    op.commit("request_cancelled", async (tx) => {
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
      return { ok: true, result: {}, audit: { requestId: input.requestId } };
    }),
  );
}

/** The checks of an import: the cluster's pending request, the trust anchors, then every check of the verifier. */
async function checkImport(
  ctx: RenewalContext,
  cluster: ClusterState,
  file: Uint8Array,
): Promise<RenewalResult<{ pending: PendingRequest; slc: VerifiedSlc; checks: CheckResult[] }>> {
  const pending = await getPendingRequest(ctx.db, cluster.id);
  if (!pending) return { ok: false, code: "no_pending" };
  const anchors = trustAnchors(ctx);
  if (!anchors.ok) return anchors;
  const verification = await verifyForCluster(ctx, cluster, file, pending.requestId, anchors.anchors);
  if (!verification.ok) {
    const { failed, reason, checks, detail } = verification;
    return { ok: false, code: "invalid_file", failedCheck: failed, rejectReason: reason, checks, detail };
  }
  return { ok: true, pending, slc: verification.slc, checks: verification.checks };
}

/** What a validated file answers and replaces: the request, the cluster key, and the installed certificate (if any). */
export interface ImportAnswers {
  requestId: string;
  keyFingerprint: string;
  installed: { validUntil: Date; fingerprint: string } | null;
}

/** Offline step 12: runs every check on the chosen file and reports what would be installed. Changes nothing. */
export async function validateImport(
  ctx: RenewalContext,
  input: { clusterId: string; file: Uint8Array; actor: RenewalActor },
): Promise<RenewalResult<{ slc: SlcSummary; checks: CheckResult[]; answers: ImportAnswers }>> {
  const spec = {
    clusterId: input.clusterId,
    actor: input.actor,
    exclusive: false,
    load: "keyed",
    failureAudit: "import_rejected",
  } as const;
  return runClusterOperation(ctx, spec, async (op) => {
    const checked = await checkImport(ctx, op.cluster, input.file);
    if (!checked.ok) return checked;
    await op.record("import_validated", { fingerprint: checked.slc.fingerprint, requestId: checked.pending.requestId });
    const answers: ImportAnswers = {
      requestId: checked.pending.requestId,
      keyFingerprint: publicKeyFingerprint(op.cluster.key.publicKeyPem),
      installed: op.cluster.installed
        ? { validUntil: op.cluster.installed.validUntil, fingerprint: op.cluster.installed.fingerprint }
        : null,
    };
    return { ok: true, slc: slcSummary(checked.slc), checks: checked.checks, answers };
  });
}

/** Offline step 13 (Yes): checks the same file again and installs it in one transaction, consuming the request. */
export async function confirmImport(
  ctx: RenewalContext,
  input: { clusterId: string; file: Uint8Array; expectedFingerprint: string; actor: RenewalActor },
): Promise<RenewalResult<{ slc: SlcSummary; previousValidUntil: Date | null }>> {
  const spec = { clusterId: input.clusterId, actor: input.actor, exclusive: true, load: "keyed", failureAudit: "import_rejected" } as const;
  return runClusterOperation(ctx, spec, async (op) => {
    const { cluster } = op;
    const checked = await checkImport(ctx, cluster, input.file);
    if (!checked.ok) return checked;
    const { pending, slc } = checked;
    if (slc.fingerprint !== input.expectedFingerprint) return { ok: false, code: "changed" };
    // The form the service issued (a transfer's line endings or byte-order mark undone): its fingerprint is the service's.
    const document = slc.document;
    // A request the service answered online, kept for this confirmation by the small-gain rule: its certificate is
    // recorded as an online renewal, not an import of a file carried by hand.
    const online = pending.answeredOnline;
    return op.commit(online ? "renew_online_confirmed" : "import_confirmed", async (tx) => {
      const consumed = await tx
        .update(renewalRequests)
        .set({ status: "consumed", closedAt: ctx.now() })
        .where(and(eq(renewalRequests.requestId, pending.requestId), eq(renewalRequests.status, "pending")))
        .returning({ id: renewalRequests.id });
      // Another confirmation of the same request committed first.
      if (consumed.length === 0) return { ok: false, code: "no_pending" };
      await installCertificate(tx, {
        clusterId: cluster.id,
        document,
        slc,
        obtainedBy: online ? "online" : "offline",
        installedBy: input.actor.name,
        now: ctx.now(),
      });
      return {
        ok: true,
        result: { slc: slcSummary(slc), previousValidUntil: cluster.installed?.validUntil ?? null },
        audit: { fingerprint: slc.fingerprint, validUntil: slc.validUntil.toISOString(), requestId: pending.requestId },
      };
    });
  });
}

/** Offline step 13 (No): nothing is installed and the request stays pending; the decision is audited. */
export async function declineImport(
  ctx: RenewalContext,
  input: { clusterId: string; fingerprint: string; actor: RenewalActor },
): Promise<RenewalResult<object>> {
  const spec = { clusterId: input.clusterId, actor: input.actor, exclusive: false, load: "exists", failureAudit: null } as const;
  return runClusterOperation(ctx, spec, async (op) => {
    await op.record("import_declined", { fingerprint: input.fingerprint });
    return { ok: true };
  });
}
