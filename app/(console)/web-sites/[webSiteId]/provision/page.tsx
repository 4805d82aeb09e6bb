// "Provision RMS on this Web site" (TechNet 18124738): the cluster's name, URL and configuration database; the key is made here.
import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Breadcrumbs, linkClass } from "@/components/breadcrumbs";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { findAdministrator, refusedTitleKey } from "@/lib/console/auth/guard";
import { labelsFor } from "@/lib/platform/i18n/labels";
import { localServerName } from "@/lib/platform/server-identity";
import { findWebSite, loadWebSitePage } from "../_components/load-web-site";
import { ProvisionForm } from "./provision-form";

type Props = { params: Promise<{ webSiteId: string }> };

const pathOf = (webSiteId: string) => `/web-sites/${webSiteId}/provision`;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { webSiteId } = await params;
  // Never throws: the layouts answer a refused or unknown address with their own page (lib/platform/http/response-status.ts).
  const site = (await findAdministrator()) ? await findWebSite(webSiteId) : null;
  const t = await getTranslations();
  return { title: site ? t("provision.metaTitle", { site: site.name }) : t(await refusedTitleKey()) };
}

export default async function ProvisionPage({ params }: Props) {
  const { webSiteId } = await params;
  const site = await loadWebSitePage(webSiteId, pathOf(webSiteId));
  const t = await getTranslations();
  return (
    <>
      <Breadcrumbs label={t("nav.breadcrumb")} trail={[{ href: "/", text: t("nav.globalAdministration") }]} current={site.name} />
      <h1 className="mb-2 text-2xl font-semibold">{t("provision.title")}</h1>
      <div className="max-w-2xl">
        <p className="mb-2 text-slate-700">{t("provision.intro", { site: site.name, server: localServerName() })}</p>
        <p className="mb-6 text-slate-700">{t("provision.next")}</p>
        {site.cluster ? (
          <Alert tone="info">
            <p>{t("provision.already_provisioned")}</p>
            <p className="mt-2">
              <Link href={`/clusters/${site.cluster.id}`} className={linkClass}>
                {t("global.administer")}
              </Link>
            </p>
          </Alert>
        ) : (
          <Card id="provision-settings" title={t("provision.form")}>
            <dl className="mb-4 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
              <dt className="font-medium text-slate-600">{t("provision.webSite")}</dt>
              <dd className="sm:col-span-2">{site.name}</dd>
              <dt className="font-medium text-slate-600">{t("provision.serverName")}</dt>
              <dd className="sm:col-span-2">{localServerName()}</dd>
            </dl>
            <ProvisionForm
              webSiteId={site.id}
              labels={labelsFor(t, [
                "provision.form",
                "provision.clusterName",
                "provision.clusterNameHint",
                "provision.clusterUrl",
                "provision.clusterUrlHint",
                "provision.configDatabase",
                "provision.configDatabaseHint",
                "provision.submit",
                "provision.submitting",
              ])}
            />
          </Card>
        )}
        <p className="mt-6 text-sm">
          <Link href="/" className={linkClass}>
            {t("provision.back")}
          </Link>
        </p>
      </div>
    </>
  );
}
