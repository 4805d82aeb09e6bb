"use server";
// Cancel on the pending request in Cluster resources: the request can no longer be answered by an import.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { renewalActorOf } from "@/lib/console/renewal/context";
import { failureSentence } from "@/lib/console/renewal/failure-messages";
import { cancelRenewalRequest } from "@/lib/console/renewal/offline";
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { cancelRequestSchema } from "./schemas";

export const cancelRequestAction = adminActionClient
  .metadata({ actionName: "cancelRequestAction" })
  .inputSchema(formSchema(cancelRequestSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor, renewal } }): Promise<{ message: string }> => {
    const { t } = await getTranslator();
    const result = await cancelRenewalRequest(renewal, {
      clusterId: parsedInput.clusterId,
      requestId: parsedInput.requestId,
      actor: renewalActorOf(actor),
    });
    if (!result.ok) return { message: failureSentence(result, t, renewal.enrollmentUrl) };
    // The panel holding this form disappears with the request, so the confirmation is shown by the page.
    revalidatePath(`/clusters/${parsedInput.clusterId}`);
    redirect(`/clusters/${parsedInput.clusterId}?cancelled=1`);
  });
