// One installed SLC in full: identifiers, validity, how and by whom it was installed, the checks it passed, its issuer
// chain, the audit events that name it, and Download certificate (the file as installed, TechNet 18124911).
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { Breadcrumbs, linkClass } from "@/components/breadcrumbs";
import { LocalTime } from "@/components/local-time";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { actionText, actorText } from "@/lib/console/audit/present";
import { CHECK_NAMES } from "@/lib/core/certificates/verify-slc";
import { getTranslator } from "@/lib/platform/i18n/server";
import { findCertificate } from "./load-certificate";

type Params = { params: Promise<{ clusterId: string; certificateId: string }> };

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getTranslator();
  return { title: t("certificate.title") };
}

function Row({ label, children, mono = false }: { label: string; children: ReactNode; mono?: boolean }) {
  return (
    <div className="grid grid-cols-1 gap-1 py-2 sm:grid-cols-3 sm:gap-4">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className={`min-w-0 break-words text-sm text-slate-900 sm:col-span-2 ${mono ? "break-all font-mono text-xs" : ""}`}>
        {children}
      </dd>
    </div>
  );
}

export default async function CertificatePage({ params }: Params) {
  const { clusterId, certificateId } = await params;
  const certificate = await findCertificate(clusterId, certificateId);
  if (!certificate) notFound();
  const { t } = await getTranslator();
  const base = `/clusters/${certificate.clusterId}/certificates/${certificate.id}`;
  return (
    <>
      <Breadcrumbs
        label={t("nav.breadcrumb")}
        trail={[
          { href: "/", text: t("nav.globalAdministration") },
          { href: `/clusters/${certificate.clusterId}`, text: certificate.webSiteName ?? certificate.clusterName },
          { href: `/clusters/${certificate.clusterId}/history`, text: t("history.title") },
        ]}
        current={t("certificate.title")}
      />
      <h1 className="mb-2 text-2xl font-semibold">{t("certificate.title")}</h1>
      <p className="mb-4 text-slate-600">{t("certificate.intro")}</p>
      <div className="mb-6 flex flex-wrap items-center gap-3">
        <a href={`${base}/download`} className={buttonClass("primary")} download={certificate.fileName}>
          {t("certificate.download")}
        </a>
        <span className="text-sm text-slate-600">{t("certificate.downloadHint", { file: certificate.fileName })}</span>
      </div>
      <div className="grid gap-6 lg:grid-cols-2">
        <Card id="certificate-identity" title={t("certificate.identity")}>
          <dl className="divide-y divide-slate-100">
            <Row label={t("certificate.subject")}>{certificate.subjectName}</Row>
            <Row label={t("certificate.issuer")}>{certificate.issuerName}</Row>
            <Row label={t("certificate.issuerSubject")}>{certificate.issuerSubject}</Row>
            <Row label={t("identifiers.slcSerial")} mono>
              {certificate.serialNumber}
            </Row>
            <Row label={t("identifiers.slcFingerprint")} mono>
              {certificate.fingerprint}
            </Row>
            <Row label={t("identifiers.keyFingerprint")} mono>
              {certificate.keyFingerprint ?? t("certificate.keyUnreadable")}
            </Row>
            <Row label={t("identifiers.requestId")} mono>
              {certificate.requestId ?? t("certificate.notRecorded")}
            </Row>
          </dl>
        </Card>
        <div className="flex flex-col gap-6">
          <Card id="certificate-validity" title={t("certificate.validity")}>
            <dl className="divide-y divide-slate-100">
              <Row label={t("certificate.issuedAt")}>
                <LocalTime date={certificate.issuedAt} />
              </Row>
              <Row label={t("certificate.validFrom")}>
                <LocalTime date={certificate.validFrom} />
              </Row>
              <Row label={t("certificate.validUntil")}>
                <LocalTime date={certificate.validUntil} />
              </Row>
            </dl>
          </Card>
          <Card id="certificate-installation" title={t("certificate.installation")}>
            <dl className="divide-y divide-slate-100">
              <Row label={t("certificate.status")}>{certificate.active ? t("history.active") : t("history.inactive")}</Row>
              <Row label={t("certificate.obtained")}>{t(`history.obtained.${certificate.obtainedBy}`)}</Row>
              <Row label={t("certificate.installedBy")}>{actorText(t, certificate.installedBy)}</Row>
              <Row label={t("certificate.installedAt")}>
                <LocalTime date={certificate.installedAt} />
              </Row>
            </dl>
          </Card>
        </div>
        <Card id="certificate-checks" title={t("certificate.checks")}>
          <p className="mb-2 text-sm">{t("certificate.checksPassed")}</p>
          <ul className="grid gap-1 text-sm sm:grid-cols-2">
            {CHECK_NAMES.map((check) => (
              <li key={check} className="flex gap-2">
                <span aria-hidden="true" className="text-emerald-700">
                  ✓
                </span>
                {t(`check.${check}`)}
              </li>
            ))}
          </ul>
        </Card>
        <Card id="certificate-events" title={t("certificate.events")}>
          {certificate.events.length === 0 ? (
            <p className="text-sm text-slate-600">{t("certificate.eventsEmpty")}</p>
          ) : (
            <ol className="flex flex-col gap-2 text-sm">
              {certificate.events.map((event) => (
                <li key={event.id}>
                  <LocalTime date={event.occurredAt} /> — {actionText(t, event.action)} ({t(`audit.outcome.${event.outcome}`)}),{" "}
                  {actorText(t, event.actor)}
                </li>
              ))}
            </ol>
          )}
          <p className="mt-3 text-sm">
            <Link href={`/audit?cluster=${certificate.clusterId}`} className={linkClass}>
              {t("certificate.seeAudit")}
            </Link>
          </p>
        </Card>
      </div>
      <section aria-labelledby="certificate-chain" className="mt-6 rounded-lg border border-slate-200 bg-white shadow-sm">
        <div className="flex flex-wrap items-center justify-between gap-3 border-b border-slate-200 px-5 py-3">
          <h2 id="certificate-chain" className="text-base font-semibold">
            {t("certificate.chain")}
          </h2>
          {certificate.chain.length > 0 && (
            <a href={`${base}/chain`} className={buttonClass("secondary")} download>
              {t("certificate.downloadChain")}
            </a>
          )}
        </div>
        <div className="px-5 py-4">
          {certificate.chain.length === 0 ? (
            <p className="text-sm text-slate-600">{t("certificate.chainEmpty")}</p>
          ) : (
            <>
              <p className="mb-3 text-sm text-slate-600">{t("certificate.chainIntro")}</p>
              <ol className="flex flex-col gap-4">
                {certificate.chain.map((cert) => (
                  <li key={cert.fingerprint} className="rounded-md border border-slate-200 px-4 py-2">
                    <dl className="divide-y divide-slate-100">
                      <Row label={t("certificate.subject")}>{cert.subject}</Row>
                      <Row label={t("certificate.issuer")}>{cert.issuer}</Row>
                      <Row label={t("certificate.chainSerial")} mono>
                        {cert.serialNumber}
                      </Row>
                      <Row label={t("certificate.chainFingerprint")} mono>
                        {cert.fingerprint}
                      </Row>
                      <Row label={t("certificate.validity")}>
                        <LocalTime date={cert.validFrom} /> – <LocalTime date={cert.validUntil} />
                      </Row>
                    </dl>
                  </li>
                ))}
              </ol>
            </>
          )}
        </div>
      </section>
    </>
  );
}
