// Notification channels an administrator sets on the Settings page: validated like the environment's, stored with the
// secrets encrypted under the console's master key, audited by field name (never value); a channel the environment
// configures takes precedence over the stored one.
import { X509Certificate } from "node:crypto";
import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/lib/console/audit/audit";
import { decryptPrivateKey, encryptPrivateKey, type KeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import type { Database } from "@/lib/platform/db/client";
import { notificationSettings } from "@/lib/platform/db/schema";
import { type NotificationChannels, type NotificationEnv, notificationChannelsFrom } from "./notifier";
import { checkOutboundHost, type OutboundPolicy, type OutboundRefusal, outboundPolicy } from "./outbound";
import { webhookUrlAllowed } from "./webhook";

const emailAddress = z.email().max(320);
const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optionalText = (max: number) => z.preprocess(blankToUndefined, z.string().trim().min(1).max(max).optional());

function pemCertificatesValid(pem: string): boolean {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0 || blocks.length > 10) return false;
  try {
    for (const block of blocks) new X509Certificate(block);
    return true;
  } catch {
    return false;
  }
}

/** The Settings form. Blank secret fields keep the stored secret; blank host or URL turns the channel off. */
export const notificationSettingsSchema = z.object({
  webhookUrl: z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .refine((value) => URL.canParse(value) && webhookUrlAllowed(new URL(value)))
      .optional(),
  ),
  webhookSecret: z.preprocess(blankToUndefined, z.string().min(16).max(1024).optional()),
  smtpHost: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .max(253)
      .regex(/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/)
      .optional(),
  ),
  smtpPort: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(65535).default(587)),
  smtpUser: optionalText(256),
  smtpPassword: z.preprocess(blankToUndefined, z.string().min(1).max(1024).optional()),
  smtpCaPem: z.preprocess(
    blankToUndefined,
    z
      .string()
      .max(64 * 1024)
      .refine(pemCertificatesValid)
      .optional(),
  ),
  emailFrom: z.preprocess(blankToUndefined, z.email().max(320).optional()),
  emailTo: z.preprocess(
    (value) =>
      value === undefined
        ? []
        : typeof value === "string"
          ? value
              .split(/[,\s]+/)
              .map((part) => part.trim())
              .filter(Boolean)
          : value,
    // Checked as a whole so the error belongs to the field (a per-item error would be nested under an index).
    z
      .array(z.string())
      .max(20)
      .refine((addresses) => addresses.every((address) => emailAddress.safeParse(address).success)),
  ),
});

export type NotificationSettingsInput = z.infer<typeof notificationSettingsSchema>;
type NotificationSettingsField = keyof NotificationSettingsInput;

/** What the page shows: no secret, only whether one is stored. */
export interface StoredNotificationSettings {
  webhookUrl: string | null;
  hasWebhookSecret: boolean;
  smtpHost: string | null;
  smtpPort: number;
  smtpUser: string | null;
  hasSmtpPassword: boolean;
  smtpCaPem: string | null;
  emailFrom: string | null;
  emailTo: string[];
  changedBy: string;
  changedAt: Date;
}

/** What a stored notification secret is bound to when encrypted. */
export const notificationSecretContext = (name: "webhook-secret" | "smtp-password") => `notification-setting:${name}`;

export async function getStoredNotificationSettings(db: Database): Promise<StoredNotificationSettings | null> {
  const [row] = await db.select().from(notificationSettings).where(eq(notificationSettings.id, 1));
  if (!row) return null;
  return {
    webhookUrl: row.webhookUrl,
    hasWebhookSecret: row.encryptedWebhookSecret !== null,
    smtpHost: row.smtpHost,
    smtpPort: row.smtpPort,
    smtpUser: row.smtpUser,
    hasSmtpPassword: row.encryptedSmtpPassword !== null,
    smtpCaPem: row.smtpCaPem,
    emailFrom: row.emailFrom,
    emailTo: row.emailTo,
    changedBy: row.changedBy,
    changedAt: row.changedAt,
  };
}

export type SaveSettingsResult =
  | { ok: true; changed: string[] }
  | { ok: false; field: NotificationSettingsField; problem: "webhook_secret_required" | "smtp_password_required" | "email_incomplete" };

/**
 * Validates the combination against what is stored (a blank secret keeps the stored one), then writes the row and
 * its audit event in one transaction. A channel left incomplete is refused with the field to fix; nothing changes.
 */
export async function saveNotificationSettings(
  db: Database,
  kek: KeyEncryptionKey,
  input: NotificationSettingsInput,
  by: { actor: string; remoteAddress: string | null; now: Date },
): Promise<SaveSettingsResult> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(notificationSettings).where(eq(notificationSettings.id, 1)).for("update");
    const webhookSecret = input.webhookUrl
      ? input.webhookSecret
        ? encryptPrivateKey(input.webhookSecret, kek, notificationSecretContext("webhook-secret"))
        : (current?.encryptedWebhookSecret ?? null)
      : null;
    if (input.webhookUrl && !webhookSecret) return { ok: false, field: "webhookSecret", problem: "webhook_secret_required" };
    const smtpUser = input.smtpHost ? (input.smtpUser ?? null) : null;
    const smtpPassword = smtpUser
      ? input.smtpPassword
        ? encryptPrivateKey(input.smtpPassword, kek, notificationSecretContext("smtp-password"))
        : (current?.encryptedSmtpPassword ?? null)
      : null;
    if (smtpUser && !smtpPassword) return { ok: false, field: "smtpPassword", problem: "smtp_password_required" };
    if (input.smtpHost && !input.emailFrom) return { ok: false, field: "emailFrom", problem: "email_incomplete" };
    if (input.smtpHost && input.emailTo.length === 0) return { ok: false, field: "emailTo", problem: "email_incomplete" };

    const next = {
      webhookUrl: input.webhookUrl ?? null,
      encryptedWebhookSecret: webhookSecret,
      smtpHost: input.smtpHost ?? null,
      smtpPort: input.smtpPort,
      smtpUser,
      encryptedSmtpPassword: smtpPassword,
      smtpCaPem: input.smtpHost ? (input.smtpCaPem ?? null) : null,
      emailFrom: input.smtpHost ? (input.emailFrom ?? null) : null,
      emailTo: input.smtpHost ? input.emailTo : [],
    };
    const changed = (Object.keys(next) as Array<keyof typeof next>).filter((key) => {
      const before = current?.[key] ?? (key === "emailTo" ? [] : key === "smtpPort" ? 587 : null);
      return JSON.stringify(before) !== JSON.stringify(next[key]);
    });
    if (input.webhookSecret && !changed.includes("encryptedWebhookSecret") && next.webhookUrl) changed.push("encryptedWebhookSecret");
    if (input.smtpPassword && !changed.includes("encryptedSmtpPassword") && next.smtpUser) changed.push("encryptedSmtpPassword");
    const names = changed.map((key) => key.replace(/^encrypted(\w)/, (_, first: string) => first.toLowerCase()));
    await tx
      .insert(notificationSettings)
      .values({ id: 1, ...next, changedBy: by.actor, changedAt: by.now })
      .onConflictDoUpdate({ target: notificationSettings.id, set: { ...next, changedBy: by.actor, changedAt: by.now } });
    await recordAudit(tx, {
      actor: by.actor,
      remoteAddress: by.remoteAddress,
      action: "notification_settings_changed",
      outcome: "success",
      occurredAt: by.now,
      details: { changed: names.length > 0 ? names.join(", ") : "nothing" },
    });
    return { ok: true, changed: names };
  });
}

type ChannelSource = "environment" | "settings" | null;

export interface EffectiveChannels extends NotificationChannels {
  source: { webhook: ChannelSource; email: ChannelSource };
}

/** The channels in force: the environment's where it configures one, else the stored settings (secrets decrypted). */
export async function effectiveNotificationChannels(
  db: Database,
  env: NotificationEnv,
  kek: () => KeyEncryptionKey,
): Promise<EffectiveChannels> {
  const fromEnv = notificationChannelsFrom(env);
  // What an administrator typed on the Settings page connects only where the outbound policy allows.
  const guard = outboundPolicy(env.RMS_OUTBOUND_ALLOW_PRIVATE);
  const [row] = fromEnv.webhook && fromEnv.email ? [] : await db.select().from(notificationSettings).where(eq(notificationSettings.id, 1));
  const webhook =
    fromEnv.webhook ??
    (row?.webhookUrl && row.encryptedWebhookSecret
      ? {
          url: row.webhookUrl,
          secret: decryptPrivateKey(row.encryptedWebhookSecret, kek(), notificationSecretContext("webhook-secret")),
          guard,
        }
      : null);
  const email =
    fromEnv.email ??
    (row?.smtpHost && row.emailFrom && row.emailTo.length > 0
      ? {
          host: row.smtpHost,
          port: row.smtpPort,
          ca: row.smtpCaPem ?? undefined,
          user: row.smtpUser ?? undefined,
          password:
            row.smtpUser && row.encryptedSmtpPassword
              ? decryptPrivateKey(row.encryptedSmtpPassword, kek(), notificationSecretContext("smtp-password"))
              : undefined,
          from: row.emailFrom,
          to: row.emailTo,
          guard,
        }
      : null);
  return {
    webhook,
    email,
    source: {
      webhook: fromEnv.webhook ? "environment" : webhook ? "settings" : null,
      email: fromEnv.email ? "environment" : email ? "settings" : null,
    },
  };
}

/**
 * The outbound policy applied when the form is saved, for a message next to the field: the webhook's host and the
 * SMTP server as DNS resolves them now (connections are judged again when they are made).
 */
export async function refusedOutboundTarget(
  input: Pick<NotificationSettingsInput, "webhookUrl" | "smtpHost">,
  policy: OutboundPolicy,
): Promise<({ field: "webhookUrl" | "smtpHost" } & OutboundRefusal) | null> {
  if (input.webhookUrl) {
    const refusal = await checkOutboundHost(policy, new URL(input.webhookUrl).hostname);
    if (refusal) return { field: "webhookUrl", ...refusal };
  }
  if (input.smtpHost) {
    const refusal = await checkOutboundHost(policy, input.smtpHost);
    if (refusal) return { field: "smtpHost", ...refusal };
  }
  return null;
}
