/** @jsxImportSource hono/jsx */
// The offline web site's pages: submit a request, see what became of it (issued, awaiting approval, rejected), look it
// up again by request ID, and the plain message pages. Identifiers carry the same labels as on the console.
import type { Locale } from "@/lib/platform/i18n/locales";
import type { Translator } from "@/lib/platform/i18n/messages";
import type { SubmissionView } from "../desk";
import { Alert, DateTime, Identifier, Layout, Row } from "./layout";

export interface PageError {
  message: string;
  /** English technical detail from the verifier, shown small for support. */
  detail?: string;
}

interface PageProps {
  locale: Locale;
  t: Translator;
}

function TrustSection({ t, rootFingerprint }: { t: Translator; rootFingerprint: string }) {
  return (
    <section class="trust" aria-labelledby="trust-heading">
      <h2 id="trust-heading">{t("enrollment.rootSectionTitle")}</h2>
      <p>{t("enrollment.rootCertificateHint")}</p>
      <p>
        <a href="/root.pem" download>
          {t("enrollment.downloadRootCertificate")}
        </a>
      </p>
      <p class="hint">
        {t("enrollment.rootFingerprintLabel")}: <Identifier value={rootFingerprint} />
      </p>
    </section>
  );
}

export function HomePage(props: PageProps & { rootFingerprint: string; error?: PageError; lookupError?: string }) {
  const { t, error } = props;
  return (
    <Layout locale={props.locale} t={t} title={t("enrollment.homeTitle")}>
      <h1>{t("enrollment.homeTitle")}</h1>
      <p>{t("enrollment.homeIntro")}</p>
      <h2>{t("enrollment.homeStepsHeading")}</h2>
      <ol>
        <li>{t("enrollment.homeStep1")}</li>
        <li>{t("enrollment.homeStep2")}</li>
        <li>{t("enrollment.homeStep3")}</li>
      </ol>
      {error ? (
        <Alert
          id="request-error"
          heading={t("enrollment.errorHeading")}
          message={error.message}
          detail={error.detail}
          detailLabel={t("enrollment.errorDetailLabel")}
        />
      ) : null}
      <form method="post" enctype="multipart/form-data" action="/submissions">
        <label for="request">{t("enrollment.requestFileLabel")}</label>
        <p class="hint" id="request-hint">
          {t("enrollment.requestFileHint")}
        </p>
        {/* Browse in the page's language (the browser's own button speaks the browser's); the chosen file's name shows
            beside it, and nothing while none is chosen (:invalid), all without script. */}
        <div class="file">
          <input
            type="file"
            id="request"
            name="request"
            accept=".xml,application/xml,text/xml"
            required
            aria-describedby={error ? "request-hint request-error" : "request-hint"}
            aria-invalid={error ? "true" : undefined}
          />
          <label for="request" class="button">
            {t("enrollment.browse")}
          </label>
        </div>
        <button type="submit">{t("enrollment.submitButton")}</button>
      </form>
      <section aria-labelledby="lookup-heading">
        <h2 id="lookup-heading">{t("enrollment.lookupHeading")}</h2>
        <form method="get" action="/requests">
          <label for="requestId">{t("identifiers.requestId")}</label>
          <p class="hint" id="lookup-hint">
            {t("enrollment.lookupHint")}
          </p>
          {props.lookupError ? (
            <p class="alert" role="alert" id="lookup-error">
              {props.lookupError}
            </p>
          ) : null}
          <input
            type="text"
            id="requestId"
            name="requestId"
            required
            autocomplete="off"
            spellcheck={false}
            aria-describedby={props.lookupError ? "lookup-hint lookup-error" : "lookup-hint"}
            aria-invalid={props.lookupError ? "true" : undefined}
          />
          <button type="submit">{t("enrollment.lookupButton")}</button>
        </form>
      </section>
      <TrustSection t={t} rootFingerprint={props.rootFingerprint} />
    </Layout>
  );
}

export function SubmissionPage(props: PageProps & { submission: SubmissionView; replayed: boolean }) {
  const { t, locale, submission: s } = props;
  const title =
    s.state === "issued"
      ? t("enrollment.submissionTitle")
      : s.state === "pending_approval"
        ? t("enrollment.pendingTitle")
        : t("enrollment.rejectedTitle");
  return (
    <Layout locale={locale} t={t} title={title}>
      <h1>{title}</h1>
      {props.replayed ? (
        <div class="note" role="status">
          <h2>{t("enrollment.alreadyAnsweredHeading")}</h2>
          <p>{t("enrollment.alreadyAnsweredText")}</p>
        </div>
      ) : null}
      {s.state === "issued" ? <p>{t("enrollment.submissionIntro")}</p> : null}
      {s.state === "pending_approval" ? (
        <div class="note" role="status">
          <h2>{t("enrollment.pendingHeading")}</h2>
          <p>{t("enrollment.pendingText", { requestId: s.requestId })}</p>
          <p>{t("enrollment.pendingWarning")}</p>
        </div>
      ) : null}
      {s.state === "rejected" ? (
        <div class="alert" role="alert">
          <h2>{t("enrollment.rejectedHeading")}</h2>
          <p>{t("enrollment.rejectedText", { reason: s.reason ?? "—" })}</p>
        </div>
      ) : null}
      <dl>
        <Row label={t("enrollment.fieldServerName")} value={s.serverName} />
        <Row label={t("enrollment.fieldClusterUrl")} value={s.clusterUrl} />
        <Row label={t("identifiers.guid")} value={s.guid} code />
        <Row label={t("identifiers.requestId")} value={s.requestId} code />
        <Row label={t("identifiers.keyFingerprint")} value={s.keyFingerprint} code />
        <Row label={t("enrollment.fieldReceived")} value={<DateTime locale={locale} value={s.receivedAt} />} />
        {s.slc ? (
          <>
            <Row label={t("identifiers.slcSerial")} value={s.slc.serial} code />
            <Row label={t("identifiers.slcFingerprint")} value={s.slc.fingerprint} code />
            <Row label={t("enrollment.fieldIssuer")} value={s.slc.issuerName} />
            <Row label={t("enrollment.fieldValidFrom")} value={<DateTime locale={locale} value={s.slc.validFrom} />} />
            <Row label={t("enrollment.fieldValidUntil")} value={<DateTime locale={locale} value={s.slc.validUntil} />} />
          </>
        ) : null}
      </dl>
      <div class="actions">
        {s.state === "issued" ? (
          <a class="button" href={`/submissions/${s.id}/certificate`} download>
            {t("enrollment.downloadCertificate")}
          </a>
        ) : null}
        {s.state === "pending_approval" ? <a href={`/submissions/${s.id}`}>{t("enrollment.checkAgain")}</a> : null}
        <a href="/">{t("enrollment.submitAnother")}</a>
      </div>
    </Layout>
  );
}

export type MessageKind = "not_found" | "server_error" | "busy" | "rate_limited" | "request_not_found";

export function MessagePage(props: PageProps & { kind: MessageKind; retryAfterSeconds?: number }) {
  const { t } = props;
  const texts: Record<MessageKind, [string, string]> = {
    not_found: [t("enrollment.notFoundTitle"), t("enrollment.notFoundText")],
    request_not_found: [t("enrollment.requestNotFoundTitle"), t("enrollment.requestNotFoundText")],
    server_error: [t("enrollment.serverErrorTitle"), t("enrollment.serverErrorText")],
    busy: [t("enrollment.busyTitle"), t("enrollment.busyText", { seconds: props.retryAfterSeconds ?? 5 })],
    rate_limited: [t("enrollment.busyTitle"), t("enrollment.rateLimitedText", { seconds: props.retryAfterSeconds ?? 60 })],
  };
  const [title, text] = texts[props.kind];
  return (
    <Layout locale={props.locale} t={t} title={title}>
      <h1>{title}</h1>
      <p role={props.kind === "not_found" || props.kind === "request_not_found" ? undefined : "alert"}>{text}</p>
      <p>
        <a href="/">{t("enrollment.backHome")}</a>
      </p>
    </Layout>
  );
}
