// The console's answer to a page that failed on the server (500): complete HTML written here, the same with and without
// JavaScript — header, heading, what happened, the way on — in the reader's language. Next 16 answers such a failure
// with an empty `<html id="__next_error__">` shell whose content exists only in the RSC payload (a blank page without
// JavaScript), so the console's server replaces a 500 document with this one (lib/platform/http/response-status.ts).
import type http from "node:http";
import { LOCALE_COOKIE, resolveLocale } from "@/lib/platform/i18n/locales";
import { messagesFor } from "@/lib/platform/i18n/messages";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

/** A page navigation (not an RSC fetch, a server action or an asset): the one kind of request that gets this page. */
export function isDocumentRequest(request: http.IncomingMessage): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (request.headers.rsc !== undefined || request.headers["next-action"] !== undefined) return false;
  return (request.headers.accept ?? "").includes("text/html");
}

const CSS = `*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#0f172a;background:#f8fafc}
header{background:#0b3b6f;color:#fff;padding:.9rem 1.5rem}header a{color:#fff;font-weight:600;text-decoration:none}
main{max-width:40rem;margin:2rem auto;padding:2rem;background:#fff;border:1px solid #fecaca;border-radius:.5rem}
h1{font-size:1.5rem;margin:0 0 1rem}p{margin:0 0 1rem}a{color:#0b5cad}
.actions{display:flex;flex-wrap:wrap;gap:1rem}@media (max-width:40rem){main{margin:0;border-width:0 0 1px;border-radius:0;padding:1.25rem}}`;

/** The page for `request`; `nonce` is the one the response's Content-Security-Policy allows styles by, when it has one. */
export function serverErrorPage(request: http.IncomingMessage, nonce: string | null): string {
  const locale = resolveLocale(cookieValue(request.headers.cookie, LOCALE_COOKIE), request.headers["accept-language"]);
  const m = messagesFor(locale);
  const again = (request.url ?? "/").startsWith("/") ? (request.url ?? "/") : "/";
  const style = nonce ? `<style nonce="${escapeHtml(nonce)}">${CSS}</style>` : "";
  return `<!DOCTYPE html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(m.error.serverErrorTitle)} – ${escapeHtml(m.app.title)}</title>${style}</head>
<body><header><a href="/">${escapeHtml(m.app.title)}</a></header>
<main><h1>${escapeHtml(m.error.serverErrorTitle)}</h1><p role="alert">${escapeHtml(m.error.generic)}</p>
<p class="actions"><a href="${escapeHtml(again)}">${escapeHtml(m.error.tryAgain)}</a><a href="/">${escapeHtml(m.notFound.back)}</a></p></main>
</body></html>
`;
}

/** The style nonce a Content-Security-Policy header allows, if any. */
export function styleNonce(csp: string | number | string[] | undefined): string | null {
  const text = Array.isArray(csp) ? csp.join(";") : String(csp ?? "");
  return /style-src[^;]*'nonce-([A-Za-z0-9+/=_-]+)'/.exec(text)?.[1] ?? null;
}
