// RMS proxy settings (TechNet "Så här ändrar du RMS-proxyinställningarna", an Administration link): what is in force —
// this page's proxy, else the environment's HTTPS_PROXY, else a direct connection — and the form that sets it. The
// password is never shown. Administrators only.
import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import { Breadcrumbs } from "@/components/breadcrumbs";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { getStoredProxySettings, proxyPasswordReadable } from "@/lib/console/proxy/settings";
import { proxyAddress, proxyPolicyFromEnvironment } from "@/lib/platform/http/forward-proxy";
import { formatDateTime } from "@/lib/platform/i18n/format";
import { labelsFor } from "@/lib/platform/i18n/labels";
import { PROXY_FORM_LABELS } from "./_components/proxy-labels";
import { ProxySettingsForm } from "./_components/proxy-settings-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: t("proxySettings.title") };
}

export default async function ProxySettingsPage() {
  await requireAdminPage("/settings/proxy");
  const t = await getTranslations();
  const locale = await getLocale();
  const config = env();
  const db = await getDb();
  const stored = await getStoredProxySettings(db);
  const fromEnv = proxyPolicyFromEnvironment(config);
  const readable = await proxyPasswordReadable(db, config);
  const inForce =
    stored?.enabled && stored.address && stored.port
      ? t("proxySettings.fromSettings", {
          server: proxyAddress({ host: stored.address, port: stored.port }),
          user: stored.changedBy,
          date: formatDateTime(locale, stored.changedAt),
        })
      : fromEnv
        ? t("proxySettings.fromEnvironment", { server: proxyAddress(fromEnv.proxy) })
        : t("proxySettings.direct");
  return (
    <>
      <Breadcrumbs
        label={t("nav.breadcrumb")}
        trail={[{ href: "/", text: t("nav.globalAdministration") }]}
        current={t("proxySettings.title")}
      />
      <h1 className="mb-2 text-2xl font-semibold">{t("proxySettings.title")}</h1>
      <p className="mb-6 max-w-3xl text-slate-600">{t("proxySettings.intro")}</p>
      <div className="flex max-w-3xl flex-col gap-6">
        <Card id="proxy-in-force" title={t("proxySettings.inForce")}>
          <p className="text-sm break-words text-slate-900">{inForce}</p>
          {!readable && (
            <Alert tone="error" className="mt-4">
              {t("proxySettings.unreadable")}
            </Alert>
          )}
        </Card>
        <Card id="proxy-settings" title={t("proxySettings.change")}>
          <ProxySettingsForm
            values={{
              enabled: stored?.enabled ?? false,
              address: stored?.address ?? "",
              port: stored?.port ? String(stored.port) : "",
              bypassLocal: stored?.bypassLocal ?? false,
              bypass: stored?.bypass.join("; ") ?? "",
              authRequired: stored?.authRequired ?? false,
              user: stored?.user ?? "",
              hasPassword: stored?.hasPassword ?? false,
              domain: stored?.domain ?? "",
            }}
            labels={labelsFor(t, PROXY_FORM_LABELS)}
          />
        </Card>
      </div>
    </>
  );
}
