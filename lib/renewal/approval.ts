// A request the enrollment service holds for its operator's approval: ask the service again for the certificate. The
// service answers the same signed request with what it decided (202 while it waits, the SLC once approved, 403 when
// rejected), so the console sends the stored pending request again; nothing is installed here.

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
