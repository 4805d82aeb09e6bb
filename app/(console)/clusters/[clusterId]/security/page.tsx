// Security settings (TechNet "Säkerhetsinställningar", an Administration link): where the cluster's private key is kept,
// its public-key fingerprint, the console's master key and Reset (TechNet: "Återställ lösenordet för serverns privata
// nyckel") with a confirmation step, Re-key…, and the revocation status. Administrators only; plain links and forms, so it
// works without JavaScript. Reads come from lib/console/security/cluster-security.ts (no database handle in app/).
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { Breadcrumbs, linkClass } from "@/components/breadcrumbs";
import { RevocationBadge } from "@/components/revocation-badge";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { type ClusterSecurity, getClusterSecurity } from "@/lib/console/security/cluster-security";
import { getTranslator } from "@/lib/platform/i18n/server";
import { findCluster } from "../_components/load-cluster";
import { ResetMasterKeyForm } from "./_components/reset-master-key-form";

type Props = {
  params: Promise<{ clusterId: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("security.title") };
}

function Row({ label, children, mono = false, id }: { label: string; children: ReactNode; mono?: boolean; id?: string }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 sm:grid-cols-3 sm:gap-4" id={id}>
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className={`min-w-0 text-sm break-words text-slate-900 sm:col-span-2 ${mono ? "font-mono text-xs break-all" : ""}`}>
        {children}
      </dd>
    </div>
  );
}

type T = Awaited<ReturnType<typeof getTranslator>>["t"];

function keyLocation(security: ClusterSecurity, t: T): string {
  const custody = security.key?.custody;
  if (!custody) return t("security.noKey");
  if (custody.kind === "hsm") return t("security.inHsm", { name: custody.token, target: custody.label });
  return custody.masterKeyId ? t("security.inDatabase", { fingerprint: custody.masterKeyId }) : t("security.inDatabaseDamaged");
}

const one = (value: string | string[] | undefined) => (typeof value === "string" ? value : undefined);

export default async function SecurityPage({ params, searchParams }: Props) {
  const { clusterId } = await params;
  await requireAdminPage(`/clusters/${clusterId}/security`);
  const cluster = await findCluster(clusterId);
  // The cluster layout has already answered 404 with the page itself; this only narrows the type.
  if (!cluster) notFound();
  const query = await searchParams;
  const security = await getClusterSecurity(cluster.id);
  const { t } = await getTranslator();
  const { masterKey } = security;
  const confirming = one(query.reset) === "confirm" && masterKey.current !== null;
  // The success notice only for the key this console now holds: a forged or stale URL shows nothing.
  const done = one(query.reset) === "done" && one(query.key) !== undefined && one(query.key) === masterKey.current?.id;
  const base = `/clusters/${cluster.id}/security`;
  return (
    <>
      <Breadcrumbs
        label={t("nav.breadcrumb")}
        trail={[
          { href: "/", text: t("nav.globalAdministration") },
          { href: `/clusters/${cluster.id}`, text: cluster.webSiteName ?? cluster.name },
        ]}
        current={t("security.title")}
      />
      <h1 className="mb-2 text-2xl font-semibold">{t("security.title")}</h1>
      <p className="mb-6 max-w-3xl text-slate-600">{t("security.intro")}</p>
      {done && masterKey.current && (
        <Alert tone="success" className="mb-6 max-w-3xl">
          {t("security.reset.done", { fingerprint: masterKey.current.id })}
        </Alert>
      )}
      {masterKey.missing.length > 0 && (
        <Alert tone="error" className="mb-6 max-w-3xl">
          {t("security.missingKeys", { fingerprint: masterKey.missing.join(", ") })}
        </Alert>
      )}
      <div className="flex max-w-3xl flex-col gap-6">
        <Card id="key-protection" title={t("security.protection")}>
          <dl className="divide-y divide-slate-100">
            <Row label={t("security.where")}>{keyLocation(security, t)}</Row>
            {security.key && (
              <Row label={t("security.fingerprint")} mono>
                {security.key.fingerprint}
              </Row>
            )}
            <Row label={t("security.masterKey")}>
              {masterKey.current ? (
                <>
                  <span className="font-mono text-xs">{masterKey.current.id}</span>
                  <span className="block text-xs break-all text-slate-600">{masterKey.current.source}</span>
                </>
              ) : (
                t("security.masterKeyMissing", { detail: masterKey.problem ?? "—" })
              )}
            </Row>
            {masterKey.next && (
              <Row label={t("security.nextKey")}>
                <span className="font-mono text-xs">{masterKey.next.id}</span>
                <span className="block text-xs break-all text-slate-600">{masterKey.next.source}</span>
              </Row>
            )}
            <Row label={t("security.revocation")} id="revocation-status">
              {security.revocation.state === "no_certificate" ? (
                t("security.revocationNotChecked")
              ) : (
                <RevocationBadge status={security.revocation} />
              )}
            </Row>
          </dl>
          <div className="mt-4 flex flex-wrap items-center gap-x-4 gap-y-1 border-t border-slate-200 pt-4">
            <Link href={`${base}/rekey`} className={linkClass}>
              {t("security.rekey")}
            </Link>
            <span className="text-sm text-slate-600">{t("security.rekeyHint")}</span>
          </div>
        </Card>
        <Card id="reset-master-key" title={t("security.reset.title")}>
          <p className="text-sm text-slate-700">{t("security.reset.intro", { count: security.encryptedCount })}</p>
          {masterKey.current &&
            (confirming ? (
              <ResetMasterKeyForm
                clusterId={cluster.id}
                labels={{ yes: t("security.reset.yes"), cancel: t("security.reset.cancel") }}
                cancelHref={base}
                title={t("security.reset.confirmTitle")}
              >
                <p className="text-sm text-slate-800">
                  {t("security.reset.confirmBody", { count: security.encryptedCount, fingerprint: masterKey.current.id })}
                </p>
                {security.sharedDatabase && <p className="text-sm text-slate-800">{t("security.reset.confirmShared")}</p>}
              </ResetMasterKeyForm>
            ) : (
              <div className="mt-4">
                <Link href={`${base}?reset=confirm#reset-master-key`} className={buttonClass("secondary")}>
                  {t("security.reset.start")}
                </Link>
              </div>
            ))}
        </Card>
      </div>
    </>
  );
}
