// Re-key the cluster (issue 25): a new key pair kept as the pending key, its request sent online or carried offline,
// the certificate installed once the enrollment service's operator approved it, or the re-key cancelled. Administrators
// only (the page and every action check the groups on the server); every step is a plain form, so no JavaScript needed.
import type { Metadata } from "next";
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { z } from "zod";
import { Breadcrumbs, linkClass } from "@/components/breadcrumbs";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { findAdministrator, refusedTitleKey } from "@/lib/console/auth/guard";
import { env } from "@/lib/console/env";
import { getRekeyPageData } from "@/lib/console/renewal/rekey-page";
import { formatDateTime } from "@/lib/platform/i18n/format";
import { findCluster, loadClusterPage } from "../../_components/load-cluster";
import { SubmitButton } from "../../_components/submit-button";
import { RekeyStepForm } from "./_components/rekey-step-form";

export async function generateMetadata({ params }: { params: Promise<{ clusterId: string }> }): Promise<Metadata> {
  const { clusterId } = await params;
  const cluster = (await findAdministrator()) ? await findCluster(clusterId) : null;
  const t = await getTranslations();
  return { title: cluster ? t("rekey.metaTitle", { cluster: cluster.name }) : t(await refusedTitleKey()) };
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className="text-sm break-all text-slate-900 sm:col-span-2">{children}</dd>
    </div>
  );
}

const DONE = z.enum(["started", "held", "installed", "cancelled"]);
const DONE_KEY = {
  started: "rekey.doneStarted",
  held: "rekey.doneHeld",
  installed: "rekey.doneInstalled",
  cancelled: "rekey.doneCancelled",
} as const;

export default async function RekeyPage({
  params,
  searchParams,
}: {
  params: Promise<{ clusterId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { clusterId } = await params;
  const done = DONE.safeParse((await searchParams).done);
  const path = `/clusters/${clusterId}/security/rekey`;
  const { cluster } = await loadClusterPage(clusterId, path);
  const t = await getTranslations();
  const locale = await getLocale();
  const data = await getRekeyPageData(clusterId);
  const { pending, installed } = data;
  const when = (date: Date) => formatDateTime(locale === "sv" ? "sv" : "en", date);
  return (
    <>
      <Breadcrumbs
        label={t("nav.breadcrumb")}
        trail={[
          { href: "/", text: t("nav.globalAdministration") },
          { href: `/clusters/${cluster.id}`, text: cluster.webSiteName ?? cluster.name },
        ]}
        current={t("rekey.title")}
      />
      <h1 className="mb-2 text-2xl font-semibold">{t("rekey.title")}</h1>
      <p className="mb-2 max-w-3xl text-slate-700">{t("rekey.intro")}</p>
      <p className="mb-6 max-w-3xl text-slate-700">{t("rekey.keepsWorking")}</p>
      {done.success && (
        <Alert tone={done.data === "held" ? "info" : "success"} className="mb-6 max-w-3xl" id="rekey-done">
          {t(DONE_KEY[done.data])}
        </Alert>
      )}
      <div className="flex max-w-3xl flex-col gap-6">
        <Card title={t("rekey.currentTitle")} id="current-key">
          <dl className="divide-y divide-slate-100">
            <Row label={t("rekey.keyFingerprint")}>
              <code>{data.keyFingerprint ?? "—"}</code>
            </Row>
            {installed && (
              <>
                <Row label={t("rekey.slcSerial")}>
                  <code>{installed.serialNumber}</code>
                </Row>
                <Row label={t("rekey.expires")}>{when(installed.validUntil)}</Row>
              </>
            )}
          </dl>
        </Card>

        {cluster.removed ? (
          <Alert tone="info">{t("rekey.removed")}</Alert>
        ) : !installed ? (
          <Alert tone="info">{t("rekey.noCertificate")}</Alert>
        ) : !pending ? (
          <Card title={t("rekey.startTitle")} id="start-rekey">
            <RekeyStepForm clusterId={clusterId} className="flex flex-col gap-4">
              <fieldset className="flex flex-col gap-3">
                <legend className="mb-2 text-sm font-medium text-slate-700">{t("rekey.method")}</legend>
                {(["online", "offline"] as const).map((method) => (
                  <label key={method} className="flex items-start gap-3">
                    <input type="radio" name="method" value={method} defaultChecked={method === "online"} className="mt-1" />
                    <span>
                      <span className="font-medium">{t(`rekey.${method}`)}</span>
                      <span className="block text-sm text-slate-600">{t(`rekey.${method}Hint`)}</span>
                    </span>
                  </label>
                ))}
              </fieldset>
              <div>
                <SubmitButton name="intent" value="start" busyText={t("rekey.starting")}>
                  {t("rekey.start")}
                </SubmitButton>
              </div>
            </RekeyStepForm>
          </Card>
        ) : (
          <Card title={t("rekey.pendingTitle")} id="pending-rekey">
            <dl className="mb-4 divide-y divide-slate-100">
              <Row label={t("rekey.status")}>
                {pending.submissionId
                  ? t("rekey.statusHeld", { submissionId: pending.submissionId })
                  : pending.exportedAt
                    ? t("rekey.statusExported", { time: when(pending.exportedAt) })
                    : t("rekey.statusNew")}
              </Row>
              <Row label={t("rekey.newKey")}>
                <code>{pending.newKeyFingerprint}</code>
              </Row>
              <Row label={t("rekey.replaces")}>
                <code>{pending.replacesSlcSerial}</code>
              </Row>
              <Row label={t("rekey.requestId")}>
                <code>{pending.requestId}</code>
              </Row>
              <Row label={t("rekey.started")}>
                {when(pending.startedAt)} · {t("rekey.by")} {pending.startedBy}
              </Row>
            </dl>

            <section aria-labelledby="rekey-online" className="border-t border-slate-200 py-4">
              <h3 id="rekey-online" className="mb-2 font-semibold">
                {t("rekey.onlineTitle")}
              </h3>
              <RekeyStepForm clusterId={clusterId} className="flex flex-col gap-2">
                <p className="text-sm text-slate-600">{t("rekey.sendHint")}</p>
                <div>
                  <SubmitButton name="intent" value="send" busyText={t("rekey.sending")}>
                    {pending.submissionId ? t("rekey.check") : t("rekey.send")}
                  </SubmitButton>
                </div>
              </RekeyStepForm>
            </section>

            <section aria-labelledby="rekey-offline" className="border-t border-slate-200 py-4">
              <h3 id="rekey-offline" className="mb-2 font-semibold">
                {t("rekey.offlineTitle")}
              </h3>
              <p className="mb-3 text-sm text-slate-600">{t("rekey.offlineSteps", { file: pending.fileName, url: env().enrollmentUrl })}</p>
              <form method="post" action={`${path}/request`} className="mb-4">
                <button type="submit" className={buttonClass("secondary")}>
                  {t("rekey.download")}
                </button>
              </form>
              <RekeyStepForm clusterId={clusterId} className="flex flex-col gap-2">
                <label htmlFor="rekey-file" className="text-sm font-medium text-slate-700">
                  {t("rekey.certificateFile")}
                </label>
                <input
                  id="rekey-file"
                  type="file"
                  name="file"
                  accept=".xml,application/xml,text/xml"
                  aria-describedby="rekey-file-hint"
                  className="block w-full text-sm"
                />
                <p id="rekey-file-hint" className="text-sm text-slate-600">
                  {t("rekey.importHint")}
                </p>
                <div>
                  <SubmitButton name="intent" value="import" busyText={t("rekey.importing")}>
                    {t("rekey.import")}
                  </SubmitButton>
                </div>
              </RekeyStepForm>
            </section>

            <details className="border-t border-slate-200 pt-4">
              <summary className="cursor-pointer font-semibold text-red-800">{t("rekey.cancelTitle")}</summary>
              <RekeyStepForm clusterId={clusterId} className="mt-3 flex flex-col gap-3 rounded-md border border-red-200 bg-white p-3">
                <p className="text-sm">{t("rekey.cancelExplain")}</p>
                <div>
                  <SubmitButton name="intent" value="cancel" variant="danger" busyText={t("rekey.cancelling")}>
                    {t("rekey.cancel")}
                  </SubmitButton>
                </div>
              </RekeyStepForm>
            </details>
          </Card>
        )}
        <p>
          <Link href={`/clusters/${cluster.id}`} className={linkClass}>
            {t("rekey.back")}
          </Link>
        </p>
      </div>
    </>
  );
}
