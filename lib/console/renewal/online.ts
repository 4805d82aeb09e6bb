// Online renewal (Renew → Online → Renew): sign a request, send it over HTTPS, verify the answer, install it — keep a request
// the service holds for approval as the pending request — or change nothing and say why.
import { and, eq } from "drizzle-orm";
import { buildRenewalRequest } from "@/lib/core/certificates/renewal-request";
import type { VerifiedSlc } from "@/lib/core/certificates/verify-slc";
import { renewalRequests } from "@/lib/platform/db/schema";
import type { RenewalActor, RenewalContext } from "./context";
import { type EnrollmentFailure, postRenewalRequest } from "./enrollment-client";
import type { RenewalFailure, RenewalResult } from "./failures";
import { installCertificate } from "./install";
import { storePendingRequest } from "./offline";
import { type ClusterState, clusterSigner, type Operation, runClusterOperation, trustAnchors, verifyForCluster } from "./operation";
import { type SlcSummary, slcSummary } from "./queries";
import { renewalRequestFields } from "./request-fields";

export function enrollmentFailure(response: EnrollmentFailure, requestId: string): RenewalFailure {
  switch (response.kind) {
    case "rejected":
      return { ok: false, code: "rejected", reason: response.reason, serviceMessage: response.message };
    case "conflict":
      return { ok: false, code: "conflict", requestId, serviceMessage: response.message };
    case "busy":
      return { ok: false, code: "busy", retryAfterSeconds: response.retryAfterSeconds };
    case "server_error":
      return { ok: false, code: "server_error", status: response.status };
    case "bad_response":
      return { ok: false, code: "invalid_response", failedCheck: null, detail: response.detail };
    case "untrusted":
      return { ok: false, code: "untrusted", tlsCode: response.code, detail: response.detail };
    case "misdirected":
      return { ok: false, code: "misdirected" };
    case "proxy_unreachable":
    case "proxy_auth_required":
    case "proxy_timeout":
      return { ok: false, code: response.kind, proxy: response.proxy, detail: response.detail };
    case "proxy_refused":
      return { ok: false, code: "proxy_refused", proxy: response.proxy, status: response.status, detail: response.detail };
    case "proxy_unusable":
      return { ok: false, code: "proxy_unusable", detail: response.detail };
    case "unreachable":
    case "timeout":
    case "tls_failed":
      return { ok: false, code: response.kind, detail: response.detail };
  }
}

/** What the service did with a request: signed it (verified here, not yet installed), or holds it for an operator. */
type OnlineAnswer =
  | { outcome: "issued"; slc: VerifiedSlc; document: string; requestId: string; requestDocument: string }
  | { outcome: "held"; requestId: string; submissionId: string; requestDocument: string };

/**
 * Signs a request for the cluster, sends it to the enrollment service over HTTPS (verified against the trust anchors)
 * and verifies the answer — changes nothing. Shared by online renewal and the first-run enrollment; `validityDays`
 * asks the service for a shorter SLC.
 */
export async function requestSlcOnline(
  ctx: RenewalContext,
  cluster: ClusterState,
  request: { validityDays?: number } = {},
): Promise<RenewalResult<OnlineAnswer>> {
  const key = clusterSigner(cluster.key);
  if (!key.ok) return key;
  const anchors = trustAnchors(ctx);
  if (!anchors.ok) return anchors;

  const fields = renewalRequestFields(cluster, cluster.key.publicKeyPem, {
    now: ctx.now(),
    installedSlcFingerprint: cluster.installed?.fingerprint ?? null,
    installedSlcSerial: cluster.installed?.serialNumber ?? null,
  });
  const requestXml = buildRenewalRequest(fields, key.signer);
  const response = await postRenewalRequest(ctx.enrollmentUrl, requestXml, { ...ctx.http, ca: anchors.anchors }, request);
  if (!response.ok) return enrollmentFailure(response, fields.requestId);
  if (response.kind === "pending_approval") {
    if (response.requestId.toLowerCase() !== fields.requestId.toLowerCase()) {
      const detail = `the service holds request ${response.requestId}, not the one sent (${fields.requestId})`;
      return { ok: false, code: "invalid_response", failedCheck: null, detail };
    }
    return { ok: true, outcome: "held", requestId: fields.requestId, submissionId: response.submissionId, requestDocument: requestXml };
  }
  const verification = await verifyForCluster(ctx, cluster, response.document, fields.requestId, anchors.anchors);
  if (!verification.ok) {
    const { failed, reason, checks, detail } = verification;
    return { ok: false, code: "invalid_response", failedCheck: failed, rejectReason: reason, checks, detail };
  }
  return {
    ok: true,
    outcome: "issued",
    slc: verification.slc,
    document: verification.slc.document,
    requestId: fields.requestId,
    requestDocument: requestXml,
  };
}

/**
 * A request the service holds for approval becomes the cluster's pending request (its audit: request_exported), so the
 * certificate an operator approves can be imported offline; the caller then reports "pending_approval".
 */
export async function keepHeldRequest(
  ctx: RenewalContext,
  op: Pick<Operation<"keyed">, "cluster" | "commit">,
  held: { requestId: string; submissionId: string; requestDocument: string },
  actorName: string,
): Promise<RenewalFailure> {
  const stored = await op.commit("request_exported", async (tx) => {
    const { fingerprint } = await storePendingRequest(tx, {
      clusterId: op.cluster.id,
      requestId: held.requestId,
      document: held.requestDocument,
      exportedBy: actorName,
      now: ctx.now(),
      heldForApproval: true,
    });
    return {
      ok: true,
      result: {},
      audit: { requestId: held.requestId, fingerprint, submissionId: held.submissionId, heldForApproval: true },
    };
  });
  if (!stored.ok) return stored;
  return { ok: false, code: "pending_approval", requestId: held.requestId, submissionId: held.submissionId };
}

/** Installed, or — under the small-gain rule — kept as the pending request until the administrator confirms it. */
export type OnlineRenewal =
  | { outcome: "installed"; slc: SlcSummary; previousValidUntil: Date | null }
  | { outcome: "confirm"; requestId: string; document: string };

/**
 * Online renewal. `askIf` is the small-gain rule (lib/console/renewal/expiry-gain.ts): when it says so, the signed answer is
 * not installed; its request becomes the pending request and the caller shows the confirmation, whose Yes installs the
 * certificate as an import does. Without it (CLI, automatic renewal) the answer is installed at once.
 */
export async function renewOnlineOrAsk(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
  askIf: ((installedUntil: Date | null, newUntil: Date) => boolean) | null,
): Promise<RenewalResult<OnlineRenewal>> {
  const spec = {
    clusterId: input.clusterId,
    actor: input.actor,
    exclusive: true,
    load: "keyed",
    failureAudit: "renew_online_failed",
    // Recorded in the lease's commit: an online renewal commits twice (lease and start, then the change).
    started: { action: "renew_online_started", details: { enrollmentUrl: ctx.enrollmentUrl } },
  } as const;
  return runClusterOperation(ctx, spec, async (op): Promise<RenewalResult<OnlineRenewal>> => {
    const { cluster } = op;
    const obtained = await requestSlcOnline(ctx, cluster);
    if (!obtained.ok) return obtained;
    if (obtained.outcome === "held") return keepHeldRequest(ctx, op, obtained, input.actor.name);
    const { slc, document, requestId } = obtained;
    if (askIf?.(cluster.installed?.validUntil ?? null, slc.validUntil)) {
      // Asked first: the request it answers is kept pending (replacing any other), so Yes can install it. The started
      // event closes with this outcome of its own (awaiting confirmation): started = succeeded + failed + asked; Yes is
      // then audited as renew_online_confirmed.
      return op.commit("renew_online_asked", async (tx) => {
        await storePendingRequest(tx, {
          clusterId: cluster.id,
          requestId,
          document: obtained.requestDocument,
          exportedBy: input.actor.name,
          now: ctx.now(),
          answeredOnline: true,
        });
        return {
          ok: true,
          result: { outcome: "confirm" as const, requestId, document },
          audit: { requestId, fingerprint: slc.fingerprint, validUntil: slc.validUntil.toISOString(), awaitingConfirmation: true },
        };
      });
    }
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
        result: { outcome: "installed" as const, slc: slcSummary(slc), previousValidUntil: cluster.installed?.validUntil ?? null },
        audit: { fingerprint: slc.fingerprint, validUntil: slc.validUntil.toISOString(), requestId },
      };
    });
  });
}

/** Online renewal that installs what the service signed (the CLI and automatic renewal). */
export async function renewOnline(
  ctx: RenewalContext,
  input: { clusterId: string; actor: RenewalActor },
): Promise<RenewalResult<{ slc: SlcSummary; previousValidUntil: Date | null }>> {
  const result = await renewOnlineOrAsk(ctx, input, null);
  if (result.ok && result.outcome === "confirm") throw new Error("online renewal asked without a rule");
  return result;
}
