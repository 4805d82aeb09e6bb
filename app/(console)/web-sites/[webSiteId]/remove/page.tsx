// "Remove RMS from this Web site" (TechNet 18124738): what removal does, then a typed confirmation of the cluster's name.
import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Breadcrumbs, linkClass } from "@/components/breadcrumbs";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { findAdministrator, refusedTitleKey } from "@/lib/console/auth/guard";
import { labelsFor } from "@/lib/platform/i18n/labels";
import { findWebSite, loadWebSitePage } from "../_components/load-web-site";
import { RemoveForm } from "./remove-form";

type Props = { params: Promise<{ webSiteId: string }> };

const pathOf = (webSiteId: string) => `/web-sites/${webSiteId}/remove`;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { webSiteId } = await params;
  // Never throws: the layouts answer a refused or unknown address with their own page (lib/platform/http/response-status.ts).
  const site = (await findAdministrator()) ? await findWebSite(webSiteId) : null;
  const t = await getTranslations();
  return { title: site ? t("remove.metaTitle", { site: site.name }) : t(await refusedTitleKey()) };
}

export default async function RemovePage({ params }: Props) {
  const { webSiteId } = await params;
  const site = await loadWebSitePage(webSiteId, pathOf(webSiteId));
  const t = await getTranslations();
  const { cluster } = site;
  return (
    <>
      <Breadcrumbs label={t("nav.breadcrumb")} trail={[{ href: "/", text: t("nav.globalAdministration") }]} current={site.name} />
      <h1 className="mb-2 text-2xl font-semibold">{t("remove.title")}</h1>
      <div className="max-w-2xl">
        {cluster ? (
          <>
            <p className="mb-2 text-slate-700">{t("remove.intro", { site: site.name, cluster: cluster.name })}</p>
            <ul className="mb-6 list-disc space-y-1 pl-6 text-slate-700">
              <li>{t("remove.keyDestroyed")}</li>
              {cluster.pendingRequestId && <li>{t("remove.pendingCancelled", { requestId: cluster.pendingRequestId })}</li>}
              <li>{t("remove.autoRenewalOff")}</li>
              <li>{t("remove.historyKept")}</li>
              <li>{t("remove.reprovision")}</li>
            </ul>
            <Card id="remove-confirm" title={t("remove.confirmTitle")}>
              <dl className="mb-4 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
                <dt className="font-medium text-slate-600">{t("remove.cluster")}</dt>
                <dd className="font-semibold sm:col-span-2">{cluster.name}</dd>
                <dt className="font-medium text-slate-600">{t("admin.clusterUrl")}</dt>
                <dd className="break-all font-mono text-xs sm:col-span-2">{cluster.clusterUrl}</dd>
                <dt className="font-medium text-slate-600">{t("remove.guid")}</dt>
                <dd className="break-all font-mono text-xs sm:col-span-2">{cluster.guid}</dd>
              </dl>
              <RemoveForm
                webSiteId={site.id}
                clusterId={cluster.id}
                labels={{
                  ...labelsFor(t, ["remove.confirmLabel", "remove.submit", "remove.submitting"]),
                  confirmHint: t("remove.confirmHint", { cluster: cluster.name }),
                }}
              />
            </Card>
          </>
        ) : (
          <Alert tone="info">{t("remove.notProvisionedPage")}</Alert>
        )}
        <p className="mt-6 text-sm">
          <Link href="/" className={linkClass}>
            {t("remove.back")}
          </Link>
        </p>
      </div>
    </>
  );
}
