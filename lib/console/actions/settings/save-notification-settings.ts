"use server";
// Saves the notification channels from the Settings page (administrators only, audited); secrets are encrypted at rest.
// Validation happens in the handler so a refused form comes back with what was typed (secrets excepted), also
// without JavaScript, and each problem next to its field.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { outboundPolicy } from "@/lib/console/notifications/outbound";
import { notificationSettingsSchema, refusedOutboundTarget, saveNotificationSettings } from "@/lib/console/notifications/settings";
import { keyForNewSecrets } from "@/lib/console/provisioning/master-key";
import { masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import type { MessageKey } from "@/lib/platform/i18n/messages";
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema } from "../safe-action";
import { echoedFields, fieldErrorsOf } from "./form-refusal";

const FIELD_MESSAGES = {
  webhookUrl: "settingsForm.badWebhookUrl",
  webhookSecret: "settingsForm.badWebhookSecret",
  smtpHost: "settingsForm.badSmtpHost",
  smtpPort: "settingsForm.badSmtpPort",
  smtpUser: "settingsForm.badSmtpUser",
  smtpPassword: "settingsForm.badSmtpPassword",
  smtpCaPem: "settingsForm.badSmtpCaPem",
  emailFrom: "settingsForm.badEmailFrom",
  emailTo: "settingsForm.badEmailTo",
} as const satisfies Record<string, MessageKey>;
type Field = keyof typeof FIELD_MESSAGES;

/** The fields shown again after a refusal; secrets are never sent back to the browser. */
const ECHOED = ["webhookUrl", "smtpHost", "smtpPort", "smtpUser", "smtpCaPem", "emailFrom", "emailTo"] as const;
export type EchoedSettings = Partial<Record<(typeof ECHOED)[number], string>>;

export interface SaveNotificationSettingsResult {
  saved: boolean;
  message: string;
  fieldErrors?: Partial<Record<Field, string>>;
  values?: EchoedSettings;
}

export const saveNotificationSettingsAction = adminActionClient
  .metadata({ actionName: "saveNotificationSettingsAction" })
  .inputSchema(formSchema(z.record(z.string(), z.unknown())))
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<SaveNotificationSettingsResult> => {
    const { t } = await getTranslator();
    const values: EchoedSettings = echoedFields(parsedInput, ECHOED, { maxLength: 64 * 1024 });
    const refused = (fieldErrors: Partial<Record<Field, string>>): SaveNotificationSettingsResult => ({
      saved: false,
      message: t("settingsForm.refused"),
      fieldErrors,
      values,
    });
    const parsed = notificationSettingsSchema.safeParse(parsedInput);
    if (!parsed.success) {
      return refused(fieldErrorsOf(parsed.error.issues, FIELD_MESSAGES, t));
    }
    // A webhook or SMTP server on this machine, a private network or a metadata service is refused, next to its field.
    const outbound = await refusedOutboundTarget(parsed.data, outboundPolicy(env().RMS_OUTBOUND_ALLOW_PRIVATE));
    if (outbound) {
      return refused({
        [outbound.field]: t(`settingsForm.outbound.${outbound.kind}`, {
          host: outbound.host === outbound.address ? outbound.address : `${outbound.host} (${outbound.address})`,
        }),
      });
    }
    const db = await getDb();
    const result = await saveNotificationSettings(db, await keyForNewSecrets(db, masterKeySettings(env())), parsed.data, {
      actor: actor.qualifiedName,
      remoteAddress: actor.remoteAddress,
      now: new Date(),
    });
    if (!result.ok) {
      const key = {
        webhook_secret_required: "settingsForm.webhookSecretRequired",
        smtp_password_required: "settingsForm.smtpPasswordRequired",
        email_incomplete: FIELD_MESSAGES[result.field === "emailFrom" ? "emailFrom" : "emailTo"],
      } as const;
      return refused({ [result.field]: t(key[result.problem]) });
    }
    revalidatePath("/settings");
    return { saved: true, message: t("settingsForm.saved") };
  });
