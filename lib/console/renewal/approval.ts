// A request the enrollment service holds for its operator's approval: ask the service again for the certificate. The
// service answers the same signed request with what it decided (202 while it waits, the SLC once approved, 403 when
// rejected), so the console sends the stored pending request again; nothing is installed here.

import { and, eq, isNull } from "drizzle-orm";
import { renewalRequests } from "@/lib/platform/db/schema";
import type { RenewalContext } from "./context";
import { postRenewalRequest } from "./enrollment-client";
import type { RenewalResult } from "./failures";
import { enrollmentFailure } from "./online";
import { trustAnchors } from "./operation";
import { getPendingRequest } from "./queries";

export async function fetchApprovedCertificate(
  ctx: RenewalContext,
  input: { clusterId: string },
): Promise<RenewalResult<{ document: Buffer }>> {
  const pending = await getPendingRequest(ctx.db, input.clusterId);
  if (!pending?.heldForApproval) return { ok: false, code: "no_pending" };
  const anchors = trustAnchors(ctx);
  if (!anchors.ok) return anchors;
  const response = await postRenewalRequest(ctx.enrollmentUrl, pending.document, { ...ctx.http, ca: anchors.anchors });
  if (!response.ok) return enrollmentFailure(response, pending.requestId);
  if (response.kind === "pending_approval") {
    return { ok: false, code: "pending_approval", requestId: pending.requestId, submissionId: response.submissionId };
  }
  return { ok: true, document: response.document };
}

export interface HeldCheck {
  clusterId: string;
  requestId: string;
  outcome: "approved" | "waiting" | "failed";
  detail: string;
}

/**
 * The expiry monitor's round for requests held for approval: asks the service about each one not yet found approved,
 * and marks those the operator approved (approved_at), so the pending card says the certificate is ready; installing it
 * stays the administrator's Check → Yes (its checks and confirmation). A failure changes nothing and is reported.
 */
export async function checkHeldRequests(ctx: RenewalContext, now: Date): Promise<HeldCheck[]> {
  const held = await ctx.db
    .select({ clusterId: renewalRequests.clusterId, requestId: renewalRequests.requestId })
    .from(renewalRequests)
    .where(and(eq(renewalRequests.status, "pending"), eq(renewalRequests.heldForApproval, true), isNull(renewalRequests.approvedAt)));
  const checks: HeldCheck[] = [];
  for (const { clusterId, requestId } of held) {
    const fetched = await fetchApprovedCertificate(ctx, { clusterId });
    if (fetched.ok) {
      await ctx.db
        .update(renewalRequests)
        .set({ approvedAt: now })
        .where(and(eq(renewalRequests.requestId, requestId), eq(renewalRequests.status, "pending")));
      checks.push({
        clusterId,
        requestId,
        outcome: "approved",
        detail: "The operator approved it; the certificate is ready to check and install.",
      });
    } else if (fetched.code === "pending_approval") {
      checks.push({ clusterId, requestId, outcome: "waiting", detail: "Still waiting for the operator's approval." });
    } else {
      checks.push({ clusterId, requestId, outcome: "failed", detail: `The enrollment service could not be asked: ${fetched.code}.` });
    }
  }
  return checks;
}
