// Global Administration's table of web sites as HTML text, the markup React renders from DataTable, LocalTime,
// ExpiryBadge and RevocationBadge (components/web-sites-table.test.tsx holds the two equal), so the page can keep
// it while the data's version stands and send it as one string instead of rendering ≈ 800 elements per request.
import { daysLeft, expiryStatus } from "@/lib/console/clusters/expiry";
import type { WebSitesPage } from "@/lib/console/clusters/queries";
import type { RevocationStatus } from "@/lib/console/revocation/status";
import { formatDate } from "@/lib/platform/i18n/format";
import type { Locale } from "@/lib/platform/i18n/locales";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { linkClass } from "./breadcrumbs";
import { expiryBadgeClass, expiryBadgeLabels } from "./expiry-badge";
import { isNamedReason, revocationBadgeClass } from "./revocation-badge";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" };

/** Text or an attribute value escaped as React escapes it. */
function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

export interface WebSitesTableData {
  sites: WebSitesPage["sites"];
  revocation: ReadonlyMap<string, RevocationStatus>;
  now: Date;
}

/** The inside of the page's sites section: its heading, then the table (or the sentence saying there is no site). */
export function webSitesTableHtml({ sites, revocation, now }: WebSitesTableData, locale: Locale): string {
  const t = translatorFor(locale);
  const heading = `<h2 id="sites-heading" class="sr-only">${esc(t("global.sites"))}</h2>`;
  if (sites.length === 0) return `${heading}<p class="p-5 text-slate-600">${esc(t("global.noSites"))}</p>`;
  const columns = [
    t("global.col.site"),
    t("global.col.state"),
    t("global.col.clusterUrl"),
    t("global.col.expires"),
    t("global.col.actions"),
  ];
  const [, stateColumn, urlColumn, expiresColumn, actionsColumn] = columns.map(esc);
  const label = {
    started: esc(t("global.state.started")),
    stopped: esc(t("global.state.stopped")),
    notProvisioned: esc(t("global.notProvisioned")),
    noCertificate: esc(t("global.noCertificate")),
    administer: esc(t("global.administer")),
    remove: esc(t("global.remove")),
    provision: esc(t("global.provision")),
  };
  const link = esc(linkClass);
  const parts = [
    heading,
    `<table class="stacked-table w-full text-left text-sm"><caption class="sr-only">${esc(t("global.sites"))}</caption>`,
    '<thead class="bg-slate-100 text-xs uppercase tracking-wide text-slate-600"><tr>',
    ...columns.map((column) => `<th scope="col" class="px-4 py-3">${esc(column)}</th>`),
    '</tr></thead><tbody class="divide-y divide-slate-200">',
  ];
  for (const site of sites) {
    const { cluster } = site;
    parts.push(
      `<tr class="align-top"><th scope="row" class="px-4 py-3 font-medium text-slate-900">${esc(site.name)}</th>`,
      `<td class="px-4 py-3" data-label="${stateColumn}">${site.state === "started" ? label.started : label.stopped}</td>`,
      `<td class="px-4 py-3" data-label="${urlColumn}">`,
      cluster
        ? `<span class="break-all font-mono text-xs">${esc(cluster.clusterUrl)}</span>`
        : `<span class="text-slate-500">${label.notProvisioned}</span>`,
      `</td><td class="px-4 py-3" data-label="${expiresColumn}">`,
    );
    if (cluster?.slcValidUntil) {
      const iso = cluster.slcValidUntil.toISOString();
      const status = revocation.get(cluster.id);
      parts.push(
        `<div class="flex flex-col items-start gap-1"><time dateTime="${iso}" title="${iso}">${esc(formatDate(locale, cluster.slcValidUntil))}</time>`,
      );
      // A revoked SLC is not "Valid", whatever its dates say: the revocation badge speaks for it.
      if (status?.state !== "revoked") parts.push(expiryBadgeHtml(cluster.slcValidUntil, now, locale));
      parts.push(revocationBadgeHtml(status, locale), "</div>");
    } else {
      parts.push(cluster ? label.noCertificate : "—");
    }
    parts.push(`</td><td class="px-4 py-3" data-label="${actionsColumn}">`);
    parts.push(
      cluster
        ? `<ul class="flex flex-col gap-1"><li><a href="/clusters/${esc(cluster.id)}" class="${link}">${label.administer}</a></li>` +
            `<li><a href="/web-sites/${esc(site.id)}/remove" class="${link}">${label.remove}</a></li></ul>`
        : `<a href="/web-sites/${esc(site.id)}/provision" class="${link}">${label.provision}</a>`,
      "</td></tr>",
    );
  }
  parts.push("</tbody></table>");
  return parts.join("");
}

/** ExpiryBadge's markup. */
function expiryBadgeHtml(validUntil: Date, now: Date, locale: Locale): string {
  const t = translatorFor(locale);
  const status = expiryStatus(validUntil, now);
  const remaining =
    status === "expired" ? "" : `<span class="font-normal">· ${esc(t("badge.daysLeft", { days: daysLeft(validUntil, now) }))}</span>`;
  return `<span data-status="${status}" class="${expiryBadgeClass(status)}">${esc(t(`badge.${expiryBadgeLabels[status]}`))}${remaining}</span>`;
}

/** RevocationBadge's markup, quiet (nothing for "not revoked"). */
function revocationBadgeHtml(status: RevocationStatus | undefined, locale: Locale): string {
  if (!status || status.state === "no_certificate" || status.state === "good") return "";
  const t = translatorFor(locale);
  const reason = status.state === "revoked" ? (isNamedReason(status.reason) ? t(`revocation.reason.${status.reason}`) : status.reason) : "";
  const reasonHtml = reason ? `<span class="font-normal">· ${esc(reason)}</span>` : "";
  return `<span data-revocation="${status.state}" class="${revocationBadgeClass(status.state)}">${esc(t(`revocation.${status.state}`))}${reasonHtml}</span>`;
}
