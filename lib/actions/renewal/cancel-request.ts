"use server";
// Cancel on the pending request in Cluster resources: the request can no longer be answered by an import.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { adminAction } from "@/lib/auth/guard";
import { getTranslator } from "@/lib/i18n/server";
import { cancelRenewalRequest } from "@/lib/renewal/offline";
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
  if (!result.ok) return { ok: true, state: { message: failureMessage(result, t, ctx.enrollmentUrl), tone: "error" } as CancelState };
  // The panel holding this form disappears with the request, so the confirmation is shown by the page.
  revalidatePath(`/clusters/${input.clusterId}`);
  redirect(`/clusters/${input.clusterId}?cancelled=1`);
});

export async function cancelRequestAction(previous: CancelState, formData: FormData): Promise<CancelState> {
  const result = await action(previous, formData);
  return result.ok ? result.state : { message: result.message, tone: "error" };
}
