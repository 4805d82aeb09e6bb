// Notifications of the expiry events (and a test message): to the webhook and the e-mail recipients configured by
// env (RMS_NOTIFY_WEBHOOK_*, RMS_SMTP_*, RMS_NOTIFY_EMAIL_*) or on the Settings page (./settings.ts). Each delivery's outcome is one JSON log line; a
// failure never stops the monitor.
import fs from "node:fs";
import type { ExpiryEvent } from "@/lib/console/monitor/expiry-events";
import type { AutoRenewalAttempt } from "@/lib/console/renewal/auto-renewal";
import type { RevokedSlcEvent } from "@/lib/console/revocation/check";
import { jsonLogLine, type LineWriter, toStdout } from "@/lib/platform/log";
import { type SmtpTarget, sendEmail } from "./email";
import { deliverWebhook, type WebhookOptions, type WebhookTarget } from "./webhook";

export interface NotificationChannels {
  webhook: WebhookTarget | null;
  email: SmtpTarget | null;
}

export interface NotificationEnv {
  RMS_NOTIFY_WEBHOOK_URL?: string;
  RMS_NOTIFY_WEBHOOK_SECRET?: string;
  RMS_SMTP_HOST?: string;
  RMS_SMTP_PORT: number;
  RMS_SMTP_USER?: string;
  RMS_SMTP_PASSWORD?: string;
  RMS_SMTP_CA_FILE?: string;
  RMS_NOTIFY_EMAIL_FROM?: string;
  RMS_NOTIFY_EMAIL_TO: string[];
  /** Internal addresses Settings-page targets may reach anyway (environment targets are the operator's own: unguarded). */
  RMS_OUTBOUND_ALLOW_PRIVATE?: string[];
}

/** The channels the validated environment configures (lib/console/env.ts checks they are complete). */
export function notificationChannelsFrom(env: NotificationEnv): NotificationChannels {
  return {
    webhook:
      env.RMS_NOTIFY_WEBHOOK_URL && env.RMS_NOTIFY_WEBHOOK_SECRET
        ? { url: env.RMS_NOTIFY_WEBHOOK_URL, secret: env.RMS_NOTIFY_WEBHOOK_SECRET }
        : null,
    email:
      env.RMS_SMTP_HOST && env.RMS_NOTIFY_EMAIL_FROM
        ? {
            host: env.RMS_SMTP_HOST,
            port: env.RMS_SMTP_PORT,
            ca: env.RMS_SMTP_CA_FILE ? fs.readFileSync(env.RMS_SMTP_CA_FILE, "utf8") : undefined,
            user: env.RMS_SMTP_USER,
            password: env.RMS_SMTP_PASSWORD,
            from: env.RMS_NOTIFY_EMAIL_FROM,
            to: env.RMS_NOTIFY_EMAIL_TO,
          }
        : null,
  };
}

export interface Notification {
  /** Stable per event, so a receiver can drop duplicates: `<certificate fingerprint>/<event id>`. */
  id: string;
  type: "slc_expiry" | "slc_revoked" | "auto_renewal_failed" | "test";
  eventId: number | null;
  event: string | null;
  level: "info" | "warning" | "error";
  subject: string;
  text: string;
  details: Record<string, string | number | null>;
  occurredAt: string;
}

export function expiryNotification(event: ExpiryEvent): Notification {
  const expired = event.level === "error";
  const subject = expired
    ? `RMS: the server licensor certificate of ${event.clusterName} has expired`
    : `RMS: the server licensor certificate of ${event.clusterName} expires in ${event.daysLeft} day${event.daysLeft === 1 ? "" : "s"}`;
  const text = [
    `${subject} (event ${event.eventId}, ${event.name}).`,
    "",
    `Cluster: ${event.clusterName} (${event.serverName}, ${event.clusterGuid})`,
    `Expires: ${event.validUntil.toISOString()}`,
    `Certificate SHA-256: ${event.certificateFingerprint}; serial ${event.serialNumber}`,
    "",
    expired
      ? "The cluster cannot issue licences until the certificate is renewed. Renew it now in the RMS Administration console (Renew: Online, or Offline)."
      : "Renew it in the RMS Administration console: open the cluster's Administration page and choose Renew (Online, or Offline).",
  ].join("\n");
  return {
    id: `${event.certificateFingerprint}/${event.eventId}`,
    type: "slc_expiry",
    eventId: event.eventId,
    event: event.name,
    level: event.level,
    subject,
    text,
    details: {
      clusterGuid: event.clusterGuid,
      clusterName: event.clusterName,
      serverName: event.serverName,
      validUntil: event.validUntil.toISOString(),
      daysLeft: event.daysLeft,
      certificateFingerprint: event.certificateFingerprint,
      serialNumber: event.serialNumber,
    },
    occurredAt: event.occurredAt.toISOString(),
  };
}

export function revokedSlcNotification(event: RevokedSlcEvent): Notification {
  const subject = `RMS: the server licensor certificate of ${event.clusterName} was revoked`;
  return {
    id: `${event.certificateFingerprint}/revoked`,
    type: "slc_revoked",
    eventId: null,
    event: null,
    level: "error",
    subject,
    text: [
      `${subject} by the enrollment service (reason: ${event.reason}, on ${event.revokedAt}).`,
      "",
      `Cluster: ${event.clusterName} (${event.serverName}, ${event.clusterGuid})`,
      `Certificate SHA-256: ${event.certificateFingerprint}; serial ${event.serialNumber}`,
      "",
      "Its registration is revoked too: the cluster gets a new certificate only when the enrollment service's operator approves its request. Renew it (with a new key if the key may be compromised) and ask the operator to approve.",
    ].join("\n"),
    details: {
      clusterGuid: event.clusterGuid,
      clusterName: event.clusterName,
      serverName: event.serverName,
      certificateFingerprint: event.certificateFingerprint,
      serialNumber: event.serialNumber,
      reason: event.reason,
      revokedAt: event.revokedAt,
    },
    occurredAt: event.occurredAt.toISOString(),
  };
}

export function autoRenewalFailureNotification(attempt: AutoRenewalAttempt, now: Date): Notification {
  const subject = `RMS: automatic renewal of ${attempt.clusterName} failed`;
  const next = attempt.nextAttemptAt ? `The next attempt is at ${attempt.nextAttemptAt.toISOString()}.` : "";
  return {
    id: `auto-renewal/${attempt.guid}/${now.getTime()}`,
    type: "auto_renewal_failed",
    eventId: null,
    event: null,
    level: "error",
    subject,
    text: [
      `${subject} (attempt ${attempt.failures} in a row).`,
      "",
      `Cluster: ${attempt.clusterName} (${attempt.serverName}, ${attempt.guid})`,
      `Reason: ${attempt.detail}`,
      "",
      `${next} Renew it yourself in the RMS Administration console if the certificate is close to expiry (Renew: Online, or Offline).`.trim(),
    ].join("\n"),
    details: {
      clusterGuid: attempt.guid,
      clusterName: attempt.clusterName,
      serverName: attempt.serverName,
      failures: attempt.failures,
      nextAttemptAt: attempt.nextAttemptAt?.toISOString() ?? null,
      reason: attempt.detail,
    },
    occurredAt: now.toISOString(),
  };
}

export function testNotification(requestedBy: string, now: Date): Notification {
  return {
    id: `test/${now.getTime()}`,
    type: "test",
    eventId: null,
    event: null,
    level: "info",
    subject: "RMS: test notification",
    text: `A test notification from the RMS Administration console, sent by ${requestedBy}. If you read this, notifications reach you.`,
    details: { requestedBy },
    occurredAt: now.toISOString(),
  };
}

export interface ChannelOutcome {
  channel: "webhook" | "email";
  ok: boolean;
  detail: string;
}

/** Sends one notification on every configured channel; resolves with each channel's outcome (never rejects). */
export async function sendNotification(
  channels: NotificationChannels,
  notification: Notification,
  opts: { webhook?: WebhookOptions; log?: LineWriter } = {},
): Promise<ChannelOutcome[]> {
  const log = opts.log ?? toStdout;
  const sends: Array<Promise<ChannelOutcome>> = [];
  if (channels.webhook) {
    const target = channels.webhook;
    sends.push(
      deliverWebhook(target, notification, opts.webhook).then((d) => ({
        channel: "webhook" as const,
        ok: d.ok,
        detail: d.ok ? `HTTP ${d.status} after ${d.attempts} attempt(s)` : `${d.error ?? "failed"} after ${d.attempts} attempt(s)`,
      })),
    );
  }
  if (channels.email) {
    const target = channels.email;
    sends.push(
      sendEmail(target, { subject: notification.subject, text: notification.text }).then((r) => ({
        channel: "email" as const,
        ok: r.ok,
        detail: r.ok ? `accepted for ${target.to.join(", ")}` : r.error,
      })),
    );
  }
  const outcomes = await Promise.all(sends);
  for (const outcome of outcomes) {
    log(
      jsonLogLine({
        time: new Date(),
        level: outcome.ok ? "info" : "error",
        source: "rms-notify",
        notification: notification.id,
        channel: outcome.channel,
        message: `${outcome.ok ? "Delivered" : "Could not deliver"} ${notification.type} notification by ${outcome.channel}: ${outcome.detail}`,
      }),
    );
  }
  return outcomes;
}
