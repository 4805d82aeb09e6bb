// Online renewal (Renew → Online → Renew): sign a request, send it, verify the answer, install it — or change nothing and say why.
import { and, eq } from "drizzle-orm";
import { buildRenewalRequest } from "@/lib/certificates/renewal-request";
import type { VerifiedSlc } from "@/lib/certificates/verify-slc";
import { renewalRequests } from "@/lib/db/schema";
import type { RenewalActor, RenewalContext } from "./context";
import { type EnrollmentFailure, postRenewalRequest } from "./enrollment-client";
import type { RenewalFailure, RenewalResult } from "./failures";
import { installCertificate } from "./install";
import { type ClusterState, decryptKey, runClusterOperation, trustAnchors, verifyForCluster } from "./operation";
import { type SlcSummary, slcSummary } from "./queries";
import { renewalRequestFields } from "./request-fields";

function enrollmentFailure(response: EnrollmentFailure): RenewalFailure {
  switch (response.kind) {
    case "rejected":
      return { ok: false, code: "rejected", reason: response.reason, serviceMessage: response.message };
    case "busy":
      return { ok: false, code: "busy", retryAfterSeconds: response.retryAfterSeconds };
    case "server_error":
      return { ok: false, code: "server_error", status: response.status };
    case "bad_response":
      return { ok: false, code: "invalid_response", failedCheck: null, detail: response.detail };
    case "unreachable":
    case "timeout":
      return { ok: false, code: response.kind, detail: response.detail };
  }
}

/**
 * Signs a request for the cluster, sends it to the enrollment service and verifies the answer — changes nothing.
 * Shared by online renewal and the first-run enrollment; `validityDays` asks the service for a shorter SLC.
 */
export async function requestSlcOnline(
  ctx: RenewalContext,
  cluster: ClusterState,
  request: { validityDays?: number } = {},
): Promise<RenewalResult<{ slc: VerifiedSlc; document: string; requestId: string }>> {
  const key = decryptKey(cluster.key);
  if (!key.ok) return key;
  const anchors = trustAnchors(ctx);
  if (!anchors.ok) return anchors;

  const fields = renewalRequestFields(cluster, cluster.key.publicKeyPem, {
    now: ctx.now(),
    installedSlcFingerprint: cluster.installed?.fingerprint ?? null,
  });
  const requestXml = buildRenewalRequest(fields, key.privateKeyPem);
  const response = await postRenewalRequest(ctx.enrollmentUrl, requestXml, ctx.http, request);
  if (!response.ok) return enrollmentFailure(response);
  const verification = verifyForCluster(ctx, cluster, response.body, fields.requestId, anchors.anchors);
  if (!verification.ok) {
    const { failed, reason, checks, detail } = verification;
    return { ok: false, code: "invalid_response", failedCheck: failed, rejectReason: reason, checks, detail };
  }
  return { ok: true, slc: verification.slc, document: response.body.toString("utf8"), requestId: fields.requestId };
}

export async function renewOnline(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
): Promise<RenewalResult<{ slc: SlcSummary; previousValidUntil: Date | null }>> {
  const spec = {
    clusterId: input.clusterId,
    actor: input.actor,
    exclusive: true,
    load: "keyed",
    failureAudit: "renew_online_failed",
  } as const;
  return runClusterOperation(ctx, spec, async (op) => {
    const { cluster } = op;
    await op.record("renew_online_started", { enrollmentUrl: ctx.enrollmentUrl });
    const obtained = await requestSlcOnline(ctx, cluster);
    if (!obtained.ok) return obtained;
    const { slc, document, requestId } = obtained;
    return op.commit("renew_online_succeeded", async (tx) => {
      await installCertificate(tx, {
        clusterId: cluster.id,
        document,
        slc,
        obtainedBy: "online",
        installedBy: input.actor.name,
        now: ctx.now(),
      });
      // An offline request exported earlier can no longer be imported: it no longer renews the installed SLC.
      await tx
        .update(renewalRequests)
        .set({ status: "superseded", closedAt: ctx.now() })
        .where(and(eq(renewalRequests.clusterId, cluster.id), eq(renewalRequests.status, "pending")));
      return {
        ok: true,
        result: { slc: slcSummary(slc), previousValidUntil: cluster.installed?.validUntil ?? null },
        audit: { fingerprint: slc.fingerprint, validUntil: slc.validUntil.toISOString(), requestId },
      };
    });
  });
}
