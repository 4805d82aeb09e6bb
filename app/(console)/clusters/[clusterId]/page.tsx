import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { z } from "zod";
import { Breadcrumbs, linkClass } from "@/components/breadcrumbs";
import { ExpiryAlerts } from "@/components/expiry-alerts";
import { ExpiryBadge } from "@/components/expiry-badge";
import { LocalTime } from "@/components/local-time";
import { RevocationBadge } from "@/components/revocation-badge";
import { Alert } from "@/components/ui/alert";
import { Card } from "@/components/ui/card";
import { findAdministrator, refusedTitleKey } from "@/lib/console/auth/guard";
import { readClusterResources } from "@/lib/console/clusters/read";
import { env } from "@/lib/console/env";
import { expiryAlertOf } from "@/lib/console/monitor/expiry-events";
import { failureSentence } from "@/lib/console/renewal/failure-messages";
import { formatDateTime } from "@/lib/platform/i18n/format";
import { AdministrationLinks } from "./_components/administration-links";
import { AutoRenewalPanel } from "./_components/auto-renewal-panel";
import { findCluster, loadClusterPage } from "./_components/load-cluster";
import { PendingRequestPanel } from "./_components/pending-request";
import { RemovedCluster } from "./_components/removed-cluster";
import { RenewDialog } from "./_components/renew-dialog";
import { renewLabels } from "./_components/renew-labels";

export async function generateMetadata({ params }: { params: Promise<{ clusterId: string }> }): Promise<Metadata> {
  const { clusterId } = await params;
  // Never throws: the layouts answer a refused or unknown address with their own page (lib/platform/http/response-status.ts).
  const cluster = (await findAdministrator()) ? await findCluster(clusterId) : null;
  const t = await getTranslations();
  return { title: cluster ? t("admin.metaTitle", { cluster: cluster.name }) : t(await refusedTitleKey()) };
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="text-sm text-slate-900 sm:col-span-2">{children}</dd>
    </div>
  );
}

export default async function AdministrationPage({
  params,
  searchParams,
}: {
  params: Promise<{ clusterId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { clusterId } = await params;
  const { cancelled, provisioned, renew, exportFailed } = await searchParams;
  // A refused Export posted without JavaScript comes back here with its reason (the codes an export can fail with).
  const exportFailure = z.enum(["not_found", "in_progress", "no_key", "key_unavailable"]).safeParse(exportFailed);
  // ?renew=online|offline opens the Renew dialog in the page: how its button works without JavaScript.
  const renewParam = z.enum(["online", "offline"]).safeParse(renew);
  const cluster = await loadClusterPage(clusterId, `/clusters/${clusterId}`);
  // RMS was removed from its web site: no key, nothing to renew; what is left to read.
  if (cluster.removed) return <RemovedCluster cluster={cluster} removed={cluster.removed} />;
  const [{ pending, autoRenewal, revocation }, actor] = await Promise.all([
    readClusterResources(clusterId, new Date()),
    // The signed-in administrator (cached for this request: the layout's check read it already).
    findAdministrator(),
  ]);
  const t = await getTranslations();
  const locale = await getLocale();
  const now = new Date();
  const slc = cluster.certificate;
  const alert = slc
    ? expiryAlertOf({ clusterId, clusterName: cluster.name, webSiteName: cluster.webSiteName, validUntil: slc.validUntil }, now)
    : null;
  return (
    <>
      <Breadcrumbs
        label={t("nav.breadcrumb")}
        trail={[{ href: "/", text: t("nav.globalAdministration") }]}
        current={cluster.webSiteName ?? cluster.name}
      />
      <h1 className="mb-6 text-2xl font-semibold">{t("admin.title")}</h1>
      {provisioned === "1" && !slc && (
        <Alert tone="success" className="mb-6">
          {t("admin.provisioned", { site: cluster.webSiteName ?? cluster.name })}
        </Alert>
      )}
      <ExpiryAlerts alerts={alert ? [alert] : []} linkToClusters={false} />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="flex flex-col gap-6 lg:col-span-2">
          <Card id="cluster-information" title={t("admin.clusterInformation")}>
            <dl className="divide-y divide-slate-100">
              <Row label={t("admin.clusterName")}>{cluster.name}</Row>
              <Row label={t("admin.serverName")}>{cluster.serverName}</Row>
              <Row label={t("admin.clusterUrl")}>
                <span className="font-mono text-xs">{cluster.clusterUrl}</span>
              </Row>
              <Row label={t("admin.clusterGuid")}>
                <span className="font-mono text-xs">{cluster.guid}</span>
              </Row>
              <Row label={t("admin.configDatabase")}>
                <span className="font-mono text-xs">{cluster.configDatabase}</span>
              </Row>
              <Row label={t("admin.slcName")}>
                {slc ? t("admin.slcNameValue", { subject: slc.subjectName, issuer: slc.issuerName }) : "—"}
              </Row>
            </dl>
          </Card>
          <Card id="cluster-resources" title={t("admin.clusterResources")}>
            <dl className="divide-y divide-slate-100">
              <Row label={t("admin.expiration")}>
                {slc ? (
                  <span className="flex flex-wrap items-center gap-3" data-testid="slc-expiration">
                    <LocalTime date={slc.validUntil} />
                    {/* A revoked SLC is not "Valid", whatever its dates say: the Revocation row speaks for it. */}
                    {revocation.state !== "revoked" && <ExpiryBadge validUntil={slc.validUntil} now={now} />}
                    <Link href={`/clusters/${cluster.id}/certificates/${slc.id}`} className={linkClass}>
                      {t("certificate.view")}
                    </Link>
                  </span>
                ) : (
                  t("admin.noSlc")
                )}
              </Row>
              {revocation.state !== "no_certificate" && (
                <Row label={t("revocation.label")}>
                  <span className="flex flex-col items-start gap-1" data-testid="slc-revocation">
                    <RevocationBadge status={revocation} />
                    <span className="text-slate-600">
                      {revocation.state === "revoked"
                        ? t("revocation.revokedDetail", { date: formatDateTime(locale, revocation.revokedAt) })
                        : revocation.state === "unknown"
                          ? t("revocation.unknownDetail", { detail: revocation.detail })
                          : t("revocation.checkedAt", { date: formatDateTime(locale, revocation.checkedAt) })}
                    </span>
                  </span>
                </Row>
              )}
            </dl>
            {exportFailure.success && (
              // A refused no-JavaScript Export lands here (#export-failed): focus on the reason, which is then read first.
              <div
                id="export-failed"
                tabIndex={-1}
                // biome-ignore lint/a11y/noAutofocus: without script, focus follows the form just posted (a page load)
                autoFocus
                className="mt-4 scroll-mt-4 rounded-md outline-none focus-visible:ring-2 focus-visible:ring-red-300"
              >
                <Alert tone="error">
                  {failureSentence(
                    exportFailure.data === "key_unavailable"
                      ? { ok: false, code: "key_unavailable", detail: "" }
                      : { ok: false, code: exportFailure.data },
                    t,
                    env().enrollmentUrl,
                  )}
                </Alert>
              </div>
            )}
            {cluster.renewalInProgress && (
              <Alert tone="info" className="mt-4" id="renewal-in-progress">
                {t("admin.inProgress", {
                  user: cluster.renewalInProgress.by ?? "—",
                  date: formatDateTime(await getLocale(), cluster.renewalInProgress.since),
                })}
              </Alert>
            )}
            {cancelled === "1" && !pending && (
              <Alert tone="success" className="mt-4">
                {t("pending.cancelled")}
              </Alert>
            )}
            {pending && actor && (
              <PendingRequestPanel
                clusterId={cluster.id}
                pending={pending}
                enrollmentUrl={env().enrollmentUrl}
                enroll={!slc}
                session={{ endsAt: actor.sessionEndsAt, idleMinutes: env().RMS_SESSION_IDLE_MINUTES }}
              />
            )}
            <div className="mt-4">
              <RenewDialog
                clusterId={cluster.id}
                enroll={!slc}
                pending={
                  pending
                    ? {
                        requestId: pending.requestId,
                        fingerprint: pending.fingerprint,
                        fileName: pending.fileName,
                        heldForApproval: pending.heldForApproval,
                      }
                    : null
                }
                openedOn={renewParam.success ? renewParam.data : null}
                method={pending ? "offline" : "online"}
                labels={renewLabels(t, pending, env().enrollmentUrl)}
              />
            </div>
            {slc ? <AutoRenewalPanel clusterId={cluster.id} view={autoRenewal} /> : null}
          </Card>
        </div>
        <AdministrationLinks clusterId={cluster.id} />
      </div>
    </>
  );
}
