/** @jsxImportSource hono/jsx */
// The operator's pages: sign-in, and the requests held for approval with Approve and Reject, plus recent decisions.
import type { Locale } from "@/lib/platform/i18n/locales";
import type { Translator } from "@/lib/platform/i18n/messages";
import type { SubmissionView } from "../desk";
import { type IssuedSlcRow, REVOCATION_REASONS, type RevocationReason } from "../revocations";
import { Alert, DateTime, Layout, Row } from "./layout";

interface PageProps {
  locale: Locale;
  t: Translator;
}

export function OperatorSignInPage(props: PageProps & { error?: string; name?: string }) {
  const { t } = props;
  return (
    <Layout locale={props.locale} t={t} title={t("enrollmentOperator.signInTitle")}>
      <h1>{t("enrollmentOperator.signInTitle")}</h1>
      <p>{t("enrollmentOperator.signInIntro")}</p>
      {props.error ? (
        <Alert id="sign-in-error" heading={t("enrollmentOperator.signInFailed")} message={props.error} detailLabel="" />
      ) : null}
      <form method="post" action="/operator/sign-in">
        <label for="name">{t("enrollmentOperator.nameLabel")}</label>
        <input type="text" id="name" name="name" required autocomplete="username" value={props.name ?? ""} />
        <label for="password">{t("enrollmentOperator.passwordLabel")}</label>
        <input type="password" id="password" name="password" required autocomplete="current-password" />
        <button type="submit">{t("enrollmentOperator.signInButton")}</button>
      </form>
    </Layout>
  );
}

function SignOut({ t }: { t: Translator }) {
  return (
    <form method="post" action="/operator/sign-out">
      <button type="submit">{t("enrollmentOperator.signOut")}</button>
    </form>
  );
}

function reasonText(t: Translator, reason: string | null): string {
  switch (reason) {
    case "new_cluster":
      return t("enrollmentOperator.reviewNewCluster");
    case "unknown_installed_slc":
      return t("enrollmentOperator.reviewUnknownSlc");
    case "registration_expired":
      return t("enrollmentOperator.reviewExpired");
    case "rekey":
      return t("enrollmentOperator.reviewRekey");
    case "registration_revoked":
      return t("enrollmentOperator.reviewRevoked");
    default:
      return reason ?? "—";
  }
}

export function OperatorRequestsPage(
  props: PageProps & {
    operator: string;
    pending: SubmissionView[];
    recent: SubmissionView[];
    notice?: { ok: boolean; text: string };
    /** For held re-keys: the certificate each names as the one it replaces, by submission ID. */
    rekeys?: Record<string, { serial: string; fingerprint: string }>;
    issued: IssuedSlcRow[];
  },
) {
  const { t, locale } = props;
  return (
    <Layout locale={locale} t={t} title={t("enrollmentOperator.requestsTitle")} header={<SignOut t={t} />}>
      <h1>{t("enrollmentOperator.requestsTitle")}</h1>
      <p>{t("enrollmentOperator.signedInAs", { name: props.operator })}</p>
      {props.notice ? (
        <div class={props.notice.ok ? "ok" : "alert"} role={props.notice.ok ? "status" : "alert"}>
          <p>{props.notice.text}</p>
        </div>
      ) : null}
      <h2>{t("enrollmentOperator.pendingHeading", { count: props.pending.length })}</h2>
      {props.pending.length === 0 ? <p>{t("enrollmentOperator.nonePending")}</p> : null}
      {props.pending.length > 1 ? (
        <section aria-labelledby="bulk-reject">
          <h3 id="bulk-reject">{t("enrollmentOperator.bulkRejectHeading")}</h3>
          <p>{t("enrollmentOperator.bulkRejectIntro")}</p>
          <form method="post" action="/operator/reject-pending" class="reject">
            <label for="bulk-source">{t("enrollmentOperator.bulkSourceLabel")}</label>
            <input type="text" id="bulk-source" name="source" maxlength={64} />
            <label for="bulk-reason">{t("enrollmentOperator.rejectReasonLabel")}</label>
            <input type="text" id="bulk-reason" name="reason" required maxlength={500} />
            <button type="submit" class="secondary">
              {t("enrollmentOperator.bulkRejectButton")}
            </button>
          </form>
        </section>
      ) : null}
      {props.pending.map((s) => (
        <article key={s.id} aria-labelledby={`req-${s.id}`}>
          <h3 id={`req-${s.id}`}>{s.serverName}</h3>
          <p>{reasonText(t, s.reason)}</p>
          {s.reason === "rekey" ? <p>{t("enrollmentOperator.rekeyExplained")}</p> : null}
          <dl>
            <Row label={t("enrollment.fieldClusterName")} value={s.clusterName ?? "—"} />
            <Row label={t("enrollment.fieldClusterUrl")} value={s.clusterUrl} />
            <Row label={t("identifiers.guid")} value={s.guid} code />
            <Row label={t("identifiers.requestId")} value={s.requestId} code />
            <Row
              label={t(s.reason === "rekey" ? "enrollmentOperator.fieldNewKey" : "identifiers.keyFingerprint")}
              value={s.keyFingerprint}
              code
            />
            {props.rekeys?.[s.id] ? (
              <>
                <Row label={t("enrollmentOperator.fieldReplacesSerial")} value={props.rekeys[s.id]?.serial ?? ""} code />
                <Row label={t("enrollmentOperator.fieldReplacesFingerprint")} value={props.rekeys[s.id]?.fingerprint ?? ""} code />
              </>
            ) : null}
            <Row label={t("enrollment.fieldReceived")} value={<DateTime locale={locale} value={s.receivedAt} />} />
            <Row label={t("enrollmentOperator.fieldSource")} value={s.remoteAddress ?? "—"} code />
          </dl>
          <div class="actions">
            <form method="post" action={`/operator/submissions/${s.id}/approve`}>
              <button type="submit" aria-label={t("enrollmentOperator.approveLabel", { server: s.serverName })}>
                {t("enrollmentOperator.approve")}
              </button>
            </form>
            <form method="post" action={`/operator/submissions/${s.id}/reject`} class="reject">
              <label for={`reason-${s.id}`}>{t("enrollmentOperator.rejectReasonLabel")}</label>
              <p class="hint" id={`reason-hint-${s.id}`}>
                {t("enrollmentOperator.rejectReasonHint")}
              </p>
              <input type="text" id={`reason-${s.id}`} name="reason" required maxlength={500} aria-describedby={`reason-hint-${s.id}`} />
              <button type="submit" class="secondary" aria-label={t("enrollmentOperator.rejectLabel", { server: s.serverName })}>
                {t("enrollmentOperator.reject")}
              </button>
            </form>
          </div>
        </article>
      ))}
      <h2>{t("enrollmentOperator.recentHeading")}</h2>
      {props.recent.length === 0 ? <p>{t("enrollmentOperator.noneRecent")}</p> : null}
      {props.recent.length > 0 ? (
        <ul>
          {props.recent.map((s) => (
            // Cluster name and GUID as well as the server: after re-provisioning two clusters may share a server name.
            <li key={s.id}>
              <a href={`/submissions/${s.id}`}>{s.clusterName ? `${s.clusterName} (${s.serverName})` : s.serverName}</a>
              {` — ${s.state === "issued" ? t("enrollmentOperator.stateIssued") : t("enrollmentOperator.stateRejected")}`}
              {s.state === "issued" && s.reason === "rekey" ? ` (${t("enrollmentOperator.stateRekeyed")})` : ""}
              {s.decidedBy ? ` (${s.decidedBy})` : ""} · {t("identifiers.guid")} <code>{s.guid}</code> · {t("identifiers.requestId")}{" "}
              <code>{s.requestId}</code>
            </li>
          ))}
        </ul>
      ) : null}
      <IssuedCertificates t={t} locale={locale} issued={props.issued} />
    </Layout>
  );
}

function revocationReasonText(t: Translator, reason: RevocationReason): string {
  return t(`enrollmentOperator.revocationReason.${reason}`);
}

/** The latest issued SLCs: Revoke (with an RFC 5280 reason) for each one not yet revoked; a revoked one says so. */
function IssuedCertificates(props: { t: Translator; locale: Locale; issued: IssuedSlcRow[] }) {
  const { t, locale } = props;
  return (
    <section aria-labelledby="issued-heading">
      <h2 id="issued-heading">{t("enrollmentOperator.issuedHeading")}</h2>
      <p>{t("enrollmentOperator.issuedIntro")}</p>
      {props.issued.length === 0 ? <p>{t("enrollmentOperator.noneIssued")}</p> : null}
      {props.issued.map((slc) => (
        <article key={slc.serial} aria-labelledby={`slc-${slc.serial}`}>
          <h3 id={`slc-${slc.serial}`}>
            {slc.serverName}
            {slc.revocation ? ` — ${t("enrollmentOperator.stateRevoked")}` : ""}
          </h3>
          <dl>
            <Row label={t("identifiers.slcSerial")} value={slc.serial} code />
            <Row label={t("identifiers.guid")} value={slc.guid} code />
            <Row label={t("enrollmentOperator.fieldIssued")} value={<DateTime locale={locale} value={slc.issuedAt} />} />
            <Row label={t("enrollmentOperator.fieldValidUntil")} value={<DateTime locale={locale} value={slc.validUntil} />} />
            {slc.revocation ? (
              <Row
                label={t("enrollmentOperator.fieldRevoked")}
                value={
                  <>
                    <DateTime locale={locale} value={slc.revocation.revokedAt} />
                    {` — ${revocationReasonText(t, slc.revocation.reason)} (${slc.revocation.revokedBy})`}
                  </>
                }
              />
            ) : null}
          </dl>
          {slc.revocation ? null : (
            <form method="post" action={`/operator/slcs/${slc.serial}/revoke`} class="reject">
              <label for={`revoke-reason-${slc.serial}`}>{t("enrollmentOperator.revokeReasonLabel")}</label>
              <p class="hint" id={`revoke-hint-${slc.serial}`}>
                {t("enrollmentOperator.revokeHint")}
              </p>
              <select id={`revoke-reason-${slc.serial}`} name="reason" required aria-describedby={`revoke-hint-${slc.serial}`}>
                {REVOCATION_REASONS.map((reason) => (
                  <option value={reason} key={reason}>
                    {revocationReasonText(t, reason)}
                  </option>
                ))}
              </select>
              <button
                type="submit"
                class="secondary"
                aria-label={t("enrollmentOperator.revokeLabel", { server: slc.serverName, serial: slc.serial })}
              >
                {t("enrollmentOperator.revoke")}
              </button>
            </form>
          )}
        </article>
      ))}
    </section>
  );
}
