"use server";
// Cancel on the pending request in Cluster resources: the request can no longer be answered by an import.
import { revalidatePath } from "next/cache";
import { adminAction } from "@/lib/auth/guard";
import { getTranslator } from "@/lib/i18n/server";
import { cancelRenewalRequest } from "@/lib/renewal/renewal-service";
import { renewalContext } from "@/lib/renewal/server-context";
import { cancelRequestSchema } from "./schemas";
import { failureMessage } from "./view";

export interface CancelState {
  message?: string;
  tone?: "success" | "error";
}

const action = adminAction("cancelRequestAction", cancelRequestSchema, async (input, actor) => {
  const { t } = await getTranslator();
  const ctx = await renewalContext();
  const result = await cancelRenewalRequest(ctx, {
    clusterId: input.clusterId,
    requestId: input.requestId,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
  revalidatePath(`/clusters/${input.clusterId}`);
  if (!result.ok) return { ok: true, state: { message: failureMessage(result, t, ctx.enrollmentUrl), tone: "error" } as CancelState };
  return { ok: true, state: { message: t("pending.cancelled"), tone: "success" } as CancelState };
});

export async function cancelRequestAction(previous: CancelState, formData: FormData): Promise<CancelState> {
  const result = await action(previous, formData);
  return result.ok ? result.state : { message: result.message, tone: "error" };
}
