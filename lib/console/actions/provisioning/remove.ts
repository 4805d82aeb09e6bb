"use server";
// "Remove RMS from this Web site", after the administrator typed the cluster's name; back to Global Administration.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/console/db";
import { removeRmsFromWebSite } from "@/lib/console/provisioning/web-sites";
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { removeSchema } from "./schemas";

export interface RemoveState {
  message?: string;
  /** The refusal is about the typed name: shown next to that field. */
  confirmationError?: boolean;
}

export const removeAction = adminActionClient
  .metadata({ actionName: "removeAction" })
  .inputSchema(formSchema(removeSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<RemoveState> => {
    const { t } = await getTranslator();
    const result = await removeRmsFromWebSite(await getDb(), {
      ...parsedInput,
      actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
      now: new Date(),
    });
    if (!result.ok) {
      if (result.code === "confirmation_mismatch") return { message: t("remove.confirmation_mismatch"), confirmationError: true };
      return { message: t(`remove.${result.code}`) };
    }
    revalidatePath("/");
    redirect(`/?removed=${result.clusterId}`);
  });
