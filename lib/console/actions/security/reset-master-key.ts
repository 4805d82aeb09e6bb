"use server";
// Security settings → Reset the master key (TechNet "Återställ lösenordet för serverns privata nyckel"), after its
// confirmation step: every stored key re-encrypted under a new master key in one transaction, the old key file wiped,
// audited. Administrators only; success redirects back to the page, which says so (also without JavaScript).
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { MasterKeyRotationError, rotateMasterKey } from "@/lib/console/provisioning/master-key-rotation";
import { masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";

const resetMasterKeySchema = z.object({
  clusterId: z.uuid(),
  confirm: z.literal("yes"),
});

export const resetMasterKeyAction = adminActionClient
  .metadata({ actionName: "resetMasterKeyAction" })
  .inputSchema(formSchema(resetMasterKeySchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<{ message: string }> => {
    const { t } = await getTranslator();
    let to: string;
    try {
      const result = await rotateMasterKey(await getDb(), masterKeySettings(env()), {
        actor: actor.qualifiedName,
        remoteAddress: actor.remoteAddress,
      });
      to = result.to;
    } catch (error) {
      if (!(error instanceof MasterKeyRotationError)) throw error;
      return { message: t("security.reset.failed", { detail: error.message }) };
    }
    revalidatePath(`/clusters/${parsedInput.clusterId}/security`);
    redirect(`/clusters/${parsedInput.clusterId}/security?reset=done&key=${to}`);
  });
