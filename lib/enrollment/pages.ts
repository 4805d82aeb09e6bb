// Server-rendered HTML for the enrollment service's web site (offline step); every dynamic value goes through escapeHtml.
import type { RequestRejectReason } from "@/lib/certificates/renewal-request";
import { formatDateTime } from "@/lib/i18n/format";
import type { Locale } from "@/lib/i18n/locales";
import { type Translator, translatorFor } from "@/lib/i18n/messages";
import type { IssuedSlcRecord } from "./store";

export function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

// Kept in one constant so the server can allow exactly this stylesheet by hash in its CSP.
export const PAGE_CSS = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--accent:#0b5cad;--accent-dark:#084785;--error:#a40e26;--error-bg:#fff0f1}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1f2a37;color:#fff;padding:.75rem 1.5rem}
header p{margin:0;font-weight:600;letter-spacing:.01em}
main{max-width:46rem;margin:2rem auto;padding:2rem;background:#fff;border:1px solid var(--line);border-radius:8px}
h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
p,ol{margin:.5rem 0}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
form{margin:1.5rem 0;padding:1.25rem;border:1px solid var(--line);border-radius:6px;background:var(--bg)}
label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{color:var(--muted);font-size:.9rem;margin:.25rem 0 .75rem}
input[type=file]{display:block;margin:.25rem 0 1rem;font:inherit}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.5rem 1.25rem;border:0;border-radius:6px;background:var(--accent);color:#fff;text-decoration:none;cursor:pointer}
button:hover,.button:hover{background:var(--accent-dark)}
.alert{border:1px solid var(--error);background:var(--error-bg);color:var(--error);border-radius:6px;padding:1rem;margin:1rem 0}
.alert h2{margin:0 0 .25rem;font-size:1rem}
.alert p{margin:0;color:var(--fg)}
.detail{font-size:.85rem;color:var(--muted);margin-top:.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:1rem 0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.trust{margin-top:2rem;padding-top:1rem;border-top:1px solid var(--line);font-size:.95rem}
.actions{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin-top:1.5rem}
@media (max-width:40rem){main{margin:0;border-radius:0;border-width:0 0 1px}dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}
`;

interface PageShell {
  locale: Locale;
  title: string;
  body: string;
}

function layout({ locale, title, body }: PageShell): string {
  const t = translatorFor(locale);
  return `<!DOCTYPE html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – ${escapeHtml(t("enrollment.siteName"))}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header><p>${escapeHtml(t("enrollment.siteName"))}</p></header>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface PageError {
  message: string;
  /** English technical detail from the verifier, shown small for support. */
  detail?: string;
}

function trustSection(t: Translator, rootFingerprint: string): string {
  return `<section class="trust" aria-labelledby="trust-heading">
<h2 id="trust-heading">${escapeHtml(t("enrollment.downloadRootCertificate"))}</h2>
<p>${escapeHtml(t("enrollment.rootCertificateHint"))}</p>
<p><a href="/root.pem" download>${escapeHtml(t("enrollment.downloadRootCertificate"))}</a></p>
<p class="hint">${escapeHtml(t("enrollment.rootFingerprintLabel"))}: <code>${escapeHtml(rootFingerprint)}</code></p>
</section>`;
}

export function renderHomePage(opts: { locale: Locale; rootFingerprint: string; error?: PageError }): string {
  const t = translatorFor(opts.locale);
  const error = opts.error;
  const alert = error
    ? `<div class="alert" role="alert" id="request-error">
<h2>${escapeHtml(t("enrollment.errorHeading"))}</h2>
<p>${escapeHtml(error.message)}</p>${
        error.detail ? `\n<p class="detail">${escapeHtml(t("enrollment.errorDetailLabel"))}: ${escapeHtml(error.detail)}</p>` : ""
      }
</div>`
    : "";
  const describedBy = error ? "request-hint request-error" : "request-hint";
  const body = `<h1>${escapeHtml(t("enrollment.homeTitle"))}</h1>
<p>${escapeHtml(t("enrollment.homeIntro"))}</p>
<h2>${escapeHtml(t("enrollment.homeStepsHeading"))}</h2>
<ol>
<li>${escapeHtml(t("enrollment.homeStep1"))}</li>
<li>${escapeHtml(t("enrollment.homeStep2"))}</li>
<li>${escapeHtml(t("enrollment.homeStep3"))}</li>
</ol>
${alert}
<form method="post" enctype="multipart/form-data" action="/submissions">
<label for="request">${escapeHtml(t("enrollment.requestFileLabel"))}</label>
<p class="hint" id="request-hint">${escapeHtml(t("enrollment.requestFileHint"))}</p>
<input type="file" id="request" name="request" accept=".xml,application/xml,text/xml" required aria-describedby="${describedBy}"${
    error ? ' aria-invalid="true"' : ""
  }>
<button type="submit">${escapeHtml(t("enrollment.submitButton"))}</button>
</form>
${trustSection(t, opts.rootFingerprint)}`;
  return layout({ locale: opts.locale, title: t("enrollment.homeTitle"), body });
}

function formatDate(iso: string, locale: Locale): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : formatDateTime(locale, date);
}

export function renderSubmissionPage(opts: { locale: Locale; record: IssuedSlcRecord }): string {
  const t = translatorFor(opts.locale);
  const r = opts.record;
  const row = (label: string, value: string, code = false) =>
    `<dt>${escapeHtml(label)}</dt><dd>${code ? `<code>${escapeHtml(value)}</code>` : escapeHtml(value)}</dd>`;
  const validFrom = `<time datetime="${escapeHtml(r.validFrom)}">${escapeHtml(formatDate(r.validFrom, opts.locale))}</time>`;
  const validUntil = `<time datetime="${escapeHtml(r.validUntil)}">${escapeHtml(formatDate(r.validUntil, opts.locale))}</time>`;
  const body = `<h1>${escapeHtml(t("enrollment.submissionTitle"))}</h1>
<p>${escapeHtml(t("enrollment.submissionIntro"))}</p>
<dl>
${row(t("enrollment.fieldServerName"), r.serverName)}
${row(t("enrollment.fieldClusterUrl"), r.clusterUrl)}
${row(t("enrollment.fieldGuid"), r.guid, true)}
${row(t("enrollment.fieldKeyFingerprint"), r.keyFingerprint, true)}
${row(t("enrollment.fieldRequestId"), r.requestId, true)}
${row(t("enrollment.fieldSerialNumber"), r.serialNumber, true)}
${row(t("enrollment.fieldIssuer"), r.issuerName)}
<dt>${escapeHtml(t("enrollment.fieldValidFrom"))}</dt><dd>${validFrom}</dd>
<dt>${escapeHtml(t("enrollment.fieldValidUntil"))}</dt><dd>${validUntil}</dd>
</dl>
<div class="actions">
<a class="button" href="/submissions/${escapeHtml(r.id)}/certificate" download>${escapeHtml(t("enrollment.downloadCertificate"))}</a>
<a href="/">${escapeHtml(t("enrollment.submitAnother"))}</a>
</div>`;
  return layout({ locale: opts.locale, title: t("enrollment.submissionTitle"), body });
}

export function renderMessagePage(opts: { locale: Locale; kind: "not_found" | "server_error" }): string {
  const t = translatorFor(opts.locale);
  const [title, text] =
    opts.kind === "not_found"
      ? [t("enrollment.notFoundTitle"), t("enrollment.notFoundText")]
      : [t("enrollment.serverErrorTitle"), t("enrollment.serverErrorText")];
  const body = `<h1>${escapeHtml(title)}</h1>
<p${opts.kind === "server_error" ? ' role="alert"' : ""}>${escapeHtml(text)}</p>
<p><a href="/">${escapeHtml(t("enrollment.backHome"))}</a></p>`;
  return layout({ locale: opts.locale, title, body });
}

export type RejectionMessageKey = `reason.${RequestRejectReason}`;

/** The one wording of a verifier reason code (the console words the same codes with the same messages). */
export function rejectionMessageKey(reason: RequestRejectReason): RejectionMessageKey {
  return `reason.${reason}`;
}
