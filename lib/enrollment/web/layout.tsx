/** @jsxImportSource hono/jsx */
// The enrollment web site's page shell and shared parts (hono/jsx escapes every value). One stylesheet, allowed by hash.
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { formatDateTime } from "@/lib/platform/i18n/format";
import type { Locale } from "@/lib/platform/i18n/locales";
import type { Translator } from "@/lib/platform/i18n/messages";

// Kept in one constant so the server can allow exactly this stylesheet by hash in its CSP.
export const PAGE_CSS = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--accent:#0b5cad;--accent-dark:#084785;--error:#a40e26;--error-bg:#fff0f1;--note:#7a4d00;--note-bg:#fff8e6;--ok:#1a7f37;--ok-bg:#eefbf1}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1f2a37;color:#fff;padding:.75rem 1.5rem;display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}
header p{margin:0;font-weight:600;letter-spacing:.01em}
header form{margin:0;padding:0;border:0;background:none}
header button{background:transparent;border:1px solid #fff;padding:.25rem .75rem}
.header-actions{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header .language{display:flex;gap:.25rem}
header .language button{border-color:transparent;font-weight:400;padding:.25rem .5rem;font-size:.9rem}
header .language button[aria-pressed=true]{font-weight:700;text-decoration:underline;text-underline-offset:4px}
.file{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;margin:.25rem 0 1rem}
.file input[type=file]{margin:0;flex:1 1 12rem;min-width:0}
.file input[type=file]::file-selector-button{display:none}
.file input[type=file]:invalid{color:transparent}
.file label.button{order:-1;margin:0;font-weight:600;background:#fff;color:var(--fg);border:1px solid var(--line)}
.file label.button:hover{background:var(--bg)}
.file input[type=file]:focus-visible+label.button,.file label.button:focus-within{outline:3px solid #f0b400;outline-offset:2px}
main{max-width:52rem;margin:2rem auto;padding:2rem;background:#fff;border:1px solid var(--line);border-radius:8px}
h1{font-size:1.6rem;margin:0 0 1rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
p,ol{margin:.5rem 0}
a{color:var(--accent)}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
form{margin:1.5rem 0;padding:1.25rem;border:1px solid var(--line);border-radius:6px;background:var(--bg)}
label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{color:var(--muted);font-size:.9rem;margin:.25rem 0 .75rem}
input[type=file]{display:block;margin:.25rem 0 1rem;font:inherit}
input[type=text],input[type=password]{display:block;width:100%;max-width:28rem;margin:.25rem 0 1rem;font:inherit;padding:.4rem .5rem;border:1px solid var(--line);border-radius:4px}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.5rem 1.25rem;border:0;border-radius:6px;background:var(--accent);color:#fff;text-decoration:none;cursor:pointer}
button:hover,.button:hover{background:var(--accent-dark)}
button.secondary{background:#fff;color:var(--error);border:1px solid var(--error)}
.alert{border:1px solid var(--error);background:var(--error-bg);color:var(--error);border-radius:6px;padding:1rem;margin:1rem 0}
.alert h2,.note h2,.ok h2{margin:0 0 .25rem;font-size:1rem}
.alert p,.note p,.ok p{margin:0;color:var(--fg)}
.alert p+p,.note p+p,.ok p+p{margin-top:.5rem}
.actions form.reject{display:flex;flex-wrap:wrap;align-items:flex-end;gap:.5rem 1rem}
.actions form.reject label,.actions form.reject .hint{flex-basis:100%;margin:0}
.actions form.reject input{margin:0;flex:1 1 14rem}
.note{border:1px solid var(--note);background:var(--note-bg);color:var(--note);border-radius:6px;padding:1rem;margin:1rem 0}
.ok{border:1px solid var(--ok);background:var(--ok-bg);color:var(--ok);border-radius:6px;padding:1rem;margin:1rem 0}
.detail{font-size:.85rem;color:var(--muted);margin-top:.5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:1rem 0}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
.trust{margin-top:2rem;padding-top:1rem;border-top:1px solid var(--line);font-size:.95rem}
.actions{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin-top:1.5rem}
.actions form{margin:0;padding:0;border:0;background:none}
article{border:1px solid var(--line);border-radius:6px;padding:1rem;margin:1rem 0}
article h2{margin-top:0}
@media (max-width:40rem){main{margin:0;border-radius:0;border-width:0 0 1px;padding:1.25rem}dl{grid-template-columns:1fr}dd{margin-bottom:.5rem}}
`;

export function Layout(props: { locale: Locale; t: Translator; title: string; header?: Child; children?: Child }) {
  const { t } = props;
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang={props.locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} – ${t("enrollment.siteName")}`}</title>
          <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
          {/* raw: the CSP allows exactly this text by its hash, so it must not be escaped */}
          <style>{raw(PAGE_CSS)}</style>
        </head>
        <body>
          <header>
            <p>{t("enrollment.siteName")}</p>
            <div class="header-actions">
              <LanguageSwitch locale={props.locale} label={t("header.language")} />
              {props.header}
            </div>
          </header>
          <main>{props.children}</main>
        </body>
      </html>
    </>
  );
}

const LANGUAGE_NAMES: Record<Locale, string> = { en: "English", sv: "Svenska" };

/** The console's language switch in this site's words: a plain form, the current language pressed. */
function LanguageSwitch({ locale, label }: { locale: Locale; label: string }) {
  return (
    <form method="post" action="/language" aria-label={label} class="language">
      {(Object.keys(LANGUAGE_NAMES) as Locale[]).map((code) => (
        <button key={code} type="submit" name="locale" value={code} lang={code} aria-pressed={code === locale ? "true" : "false"}>
          {LANGUAGE_NAMES[code]}
        </button>
      ))}
    </form>
  );
}

export function Alert(props: { id?: string; heading: string; message: string; detail?: string; detailLabel: string }) {
  return (
    <div class="alert" role="alert" id={props.id}>
      <h2>{props.heading}</h2>
      <p>{props.message}</p>
      {props.detail ? <p class="detail">{`${props.detailLabel}: ${props.detail}`}</p> : null}
    </div>
  );
}

export function DateTime(props: { locale: Locale; value: Date }) {
  return <time datetime={props.value.toISOString()}>{formatDateTime(props.locale, props.value)}</time>;
}

/** An identifier (fingerprint, GUID, serial): monospace, and it wraps only between byte pairs, never inside one. */
export function Identifier({ value }: { value: string }) {
  const [first = "", ...rest] = value.split(":");
  return (
    <code>
      {first}
      {rest.map((part) => (
        <span key={part}>
          :<wbr />
          {part}
        </span>
      ))}
    </code>
  );
}

/** A definition list row; `code` renders a string value as an Identifier. */
export function Row(props: { label: string; value: Child; code?: boolean }) {
  return (
    <>
      <dt>{props.label}</dt>
      <dd>{props.code && typeof props.value === "string" ? <Identifier value={props.value} /> : props.value}</dd>
    </>
  );
}
