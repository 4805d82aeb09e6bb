"use server";
// "Provision RMS on this Web site": creates the cluster and its key, then opens its Administration page to enroll it.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { keyForNewSecrets } from "@/lib/console/provisioning/master-key";
import { PROVISION_FIELDS, type ProvisionField, provisionWebSite } from "@/lib/console/provisioning/web-sites";
import { masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import { KeyEncryptionError } from "@/lib/core/certificates/key-encryption";
import { getTranslator } from "@/lib/platform/i18n/server";
import { localServerName } from "@/lib/platform/server-identity";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { provisionSchema } from "./schemas";

export interface ProvisionState {
  message?: string;
  fields?: Partial<Record<ProvisionField, string>>;
  /** What was typed, shown again (a form without JavaScript is rendered anew after each post). */
  values?: Record<ProvisionField, string>;
}

export const provisionAction = adminActionClient
  .metadata({ actionName: "provisionAction" })
  .inputSchema(formSchema(provisionSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<ProvisionState> => {
    const { t } = await getTranslator();
    const { webSiteId, ...fields } = parsedInput;
    const db = await getDb();
    const config = env();
    let kek: Awaited<ReturnType<typeof keyForNewSecrets>>;
    try {
      kek = await keyForNewSecrets(db, masterKeySettings(config));
    } catch (error) {
      if (error instanceof KeyEncryptionError)
        return { message: t("provision.key_unavailable", { detail: error.message }), values: fields };
      throw error;
    }
    const result = await provisionWebSite(db, {
      webSiteId,
      fields,
      serverName: localServerName(),
      kek,
      token: config.RMS_CLUSTER_KEY_STORE === "pkcs11" ? config.pkcs11 : null,
      actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
    });
    if (!result.ok) {
      if (result.code === "token_unavailable")
        return { message: t("provision.token_unavailable", { detail: result.detail }), values: fields };
      if (result.code !== "fields") return { message: t(`provision.${result.code}`), values: fields };
      const messages: Partial<Record<ProvisionField, string>> = {};
      for (const field of PROVISION_FIELDS) {
        const code = result.fields[field];
        if (code) messages[field] = t(`provision.error.${code}`);
      }
      return { message: t("provision.failed"), fields: messages, values: fields };
    }
    revalidatePath("/");
    redirect(`/clusters/${result.clusterId}?provisioned=1`);
  });
