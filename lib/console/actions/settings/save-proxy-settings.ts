"use server";
// Saves the RMS proxy settings (administrators only, audited); the password is encrypted at rest and never sent back.
// Validation happens in the handler so a refused form comes back with what was typed (passwords excepted), also without
// JavaScript, and each problem next to its field.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { keyForNewSecrets } from "@/lib/console/provisioning/master-key";
import { type ProxySettingsField, proxySettingsSchema, saveProxySettings } from "@/lib/console/proxy/settings";
import { masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import type { MessageKey } from "@/lib/platform/i18n/messages";
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema } from "../safe-action";
import { echoedFields, fieldErrorsOf } from "./form-refusal";

const FIELD_MESSAGES = {
  address: "proxySettings.badAddress",
  port: "proxySettings.badPort",
  bypass: "proxySettings.badBypass",
  user: "proxySettings.badUser",
  password: "proxySettings.badPassword",
  confirmPassword: "proxySettings.badPassword",
  domain: "proxySettings.badDomain",
} as const satisfies Partial<Record<ProxySettingsField, MessageKey>>;
type Field = keyof typeof FIELD_MESSAGES;

/** The fields shown again after a refusal; passwords are never sent back to the browser. */
const ECHOED = ["enabled", "address", "port", "bypassLocal", "bypass", "authRequired", "user", "domain"] as const;
export type EchoedProxySettings = Partial<Record<(typeof ECHOED)[number], string>>;

export interface SaveProxySettingsState {
  saved: boolean;
  message: string;
  fieldErrors?: Partial<Record<Field, string>>;
  values?: EchoedProxySettings;
}

export const saveProxySettingsAction = adminActionClient
  .metadata({ actionName: "saveProxySettingsAction" })
  .inputSchema(formSchema(z.record(z.string(), z.unknown())))
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<SaveProxySettingsState> => {
    const { t } = await getTranslator();
    const values: EchoedProxySettings = echoedFields(parsedInput, ECHOED, { maxLength: 8 * 1024, missing: "" });
    const refused = (fieldErrors: Partial<Record<Field, string>>): SaveProxySettingsState => ({
      saved: false,
      message: t("proxySettings.refused"),
      fieldErrors,
      values,
    });
    const parsed = proxySettingsSchema.safeParse(parsedInput);
    if (!parsed.success) {
      return refused(fieldErrorsOf(parsed.error.issues, FIELD_MESSAGES, t));
    }
    const db = await getDb();
    // The master key is needed only to encrypt a new password (and made, like for any first secret, only on an empty database).
    const kek = parsed.data.password ? await keyForNewSecrets(db, masterKeySettings(env())) : null;
    const keyForPassword = () => {
      if (!kek) throw new Error("no password to encrypt");
      return kek;
    };
    const result = await saveProxySettings(db, keyForPassword, parsed.data, {
      actor: actor.qualifiedName,
      remoteAddress: actor.remoteAddress,
      now: new Date(),
    });
    if (!result.ok) {
      const key = {
        required: FIELD_MESSAGES[result.field as Field] ?? "proxySettings.refused",
        password_required: "proxySettings.passwordRequired",
        mismatch: "proxySettings.mismatch",
      } as const;
      return refused({ [result.field]: t(key[result.problem]) });
    }
    revalidatePath("/settings/proxy");
    return { saved: true, message: t("proxySettings.saved") };
  });
