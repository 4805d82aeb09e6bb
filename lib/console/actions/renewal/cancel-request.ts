"use server";
// Cancel on the pending request in Cluster resources: the request can no longer be answered by an import.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { cancelRenewalRequest } from "@/lib/console/renewal/offline";
import { renewalContext } from "@/lib/console/renewal/server-context";
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { cancelRequestSchema } from "./schemas";
import { failureMessage } from "./view";

export const cancelRequestAction = adminActionClient
  .metadata({ actionName: "cancelRequestAction" })
  .inputSchema(formSchema(cancelRequestSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<{ message: string }> => {
    const { t } = await getTranslator();
    const ctx = await renewalContext();
    const result = await cancelRenewalRequest(ctx, {
      clusterId: parsedInput.clusterId,
      requestId: parsedInput.requestId,
      actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
    });
    if (!result.ok) return { message: failureMessage(result, t, ctx.enrollmentUrl) };
    // The panel holding this form disappears with the request, so the confirmation is shown by the page.
    revalidatePath(`/clusters/${parsedInput.clusterId}`);
    redirect(`/clusters/${parsedInput.clusterId}?cancelled=1`);
  });
