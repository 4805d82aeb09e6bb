// Settings: how this console monitors and notifies — the expiry monitor and /metrics as the environment configures
// them, the notification channels in force (environment first, then what is saved here; secrets never shown), the
// form that sets them, and "Send test notification". Administrators only.
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { sendTestNotificationAction } from "@/lib/console/actions/settings/send-test-notification";
import { latestAuditEvent } from "@/lib/console/audit/audit";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { channelsInForce } from "@/lib/console/notifications/console-channels";
import { lastTestTone } from "@/lib/console/notifications/last-test";
import { getStoredNotificationSettings } from "@/lib/console/notifications/settings";
import { formatDateTime } from "@/lib/platform/i18n/format";
import { labelsFor } from "@/lib/platform/i18n/labels";
import { NotificationSettingsForm } from "./_components/notification-settings-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: t("settings.title") };
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="text-sm break-words text-slate-900 sm:col-span-2">{children}</dd>
    </div>
  );
}

/** A URL as it may be shown: no credentials, no query string (either may carry a secret). */
function displayUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

export default async function SettingsPage() {
  await requireAdminPage("/settings");
  const t = await getTranslations("settings");
  const locale = await getLocale();
  const config = env();
  const db = await getDb();
  const lastTest = await latestAuditEvent(db, "notification_test");
  const stored = await getStoredNotificationSettings(db);
  // Saved secrets that this master key cannot open (restored from another console) are reported, not a crash.
  const channels = await channelsInForce(db).catch(() => null);
  if (!channels) return <Alert tone="error">{t("unreadable")}</Alert>;
  const source = (channel: "webhook" | "email") =>
    channels.source[channel] === "environment" ? (
      <span className="text-slate-600"> ({t("fromEnvironment")})</span>
    ) : stored ? (
      <span className="text-slate-600">
        {" "}
        ({t("fromSettings", { user: stored.changedBy, date: formatDateTime(locale, stored.changedAt) })})
      </span>
    ) : null;
  const notConfigured = (variables: string) => <span className="text-slate-600">{t("notConfigured", { variables })}</span>;
  const minutes = Math.round(config.RMS_MONITOR_INTERVAL / 60_000);
  return (
    <>
      <Breadcrumbs label={t("breadcrumb")} trail={[{ href: "/", text: t("globalAdministration") }]} current={t("title")} />
      <h1 className="mb-2 text-2xl font-semibold">{t("title")}</h1>
      <p className="mb-6 text-slate-600">{t("intro")}</p>
      <div className="flex flex-col gap-6">
        <Card id="monitoring" title={t("monitoring")}>
          <dl className="divide-y divide-slate-100">
            <Row label={t("interval")}>{t("intervalValue", { minutes })}</Row>
            <Row label={t("metrics")}>{config.RMS_METRICS_TOKEN ? t("metricsToken") : t("metricsLoopback")}</Row>
          </dl>
        </Card>
        <Card id="notifications" title={t("notifications")}>
          <dl className="divide-y divide-slate-100">
            <Row label={t("webhook")}>
              {channels.webhook ? (
                <>
                  <span className="font-mono text-xs">{displayUrl(channels.webhook.url)}</span>
                  {source("webhook")}
                </>
              ) : (
                notConfigured("RMS_NOTIFY_WEBHOOK_URL, RMS_NOTIFY_WEBHOOK_SECRET")
              )}
            </Row>
            <Row label={t("email")}>
              {channels.email ? (
                <>
                  {t("emailValue", {
                    to: channels.email.to.join(", "),
                    from: channels.email.from,
                    server: `${channels.email.host}:${channels.email.port}`,
                  })}
                  {source("email")}
                </>
              ) : (
                notConfigured("RMS_SMTP_HOST, RMS_NOTIFY_EMAIL_FROM, RMS_NOTIFY_EMAIL_TO")
              )}
            </Row>
          </dl>
          {lastTest ? (
            <Alert tone={lastTestTone(lastTest)} className="mt-4">
              {t("lastTest", { date: formatDateTime(locale, lastTest.occurredAt), user: lastTest.actor ?? "" })}{" "}
              {Object.keys(lastTest.details).length === 0
                ? t("lastTestNoChannel")
                : Object.entries(lastTest.details)
                    .map(([channel, outcome]) => `${channel === "email" ? t("email") : t("webhook")}: ${String(outcome)}`)
                    .join(" · ")}
            </Alert>
          ) : null}
          <form action={sendTestNotificationAction} className="mt-4">
            <button type="submit" className={buttonClass("secondary")}>
              {t("sendTest")}
            </button>
          </form>
          <div className="mt-6 border-t border-slate-200 pt-6">
            <NotificationSettingsForm
              webhookFromEnv={channels.source.webhook === "environment"}
              emailFromEnv={channels.source.email === "environment"}
              values={{
                webhookUrl: stored?.webhookUrl ?? "",
                hasWebhookSecret: stored?.hasWebhookSecret ?? false,
                smtpHost: stored?.smtpHost ?? "",
                smtpPort: stored?.smtpPort ?? 587,
                smtpUser: stored?.smtpUser ?? "",
                hasSmtpPassword: stored?.hasSmtpPassword ?? false,
                smtpCaPem: stored?.smtpCaPem ?? "",
                emailFrom: stored?.emailFrom ?? "",
                emailTo: stored?.emailTo.join(", ") ?? "",
              }}
              labels={labelsFor(await getTranslations(), [
                "settingsForm.heading",
                "settingsForm.webhookLegend",
                "settingsForm.overriddenByEnv",
                "settingsForm.webhookUrl",
                "settingsForm.webhookSecret",
                "settingsForm.webhookSecretStored",
                "settingsForm.emailLegend",
                "settingsForm.smtpHost",
                "settingsForm.smtpPort",
                "settingsForm.smtpUser",
                "settingsForm.smtpPassword",
                "settingsForm.smtpPasswordStored",
                "settingsForm.emailFrom",
                "settingsForm.emailTo",
                "settingsForm.smtpCaPem",
                "settingsForm.smtpCaPemHint",
                "settingsForm.secretsNote",
                "settingsForm.save",
              ])}
            />
          </div>
        </Card>
      </div>
    </>
  );
}
