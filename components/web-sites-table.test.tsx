import { NextIntlClientProvider } from "next-intl";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { RevocationStatus } from "@/lib/console/revocation/status";
import type { Locale } from "@/lib/platform/i18n/locales";
import { messagesFor, translatorFor } from "@/lib/platform/i18n/messages";
import { linkClass } from "./breadcrumbs";
import { ExpiryBadge } from "./expiry-badge";
import { LocalTime } from "./local-time";
import { RevocationBadge } from "./revocation-badge";
import { DataTable } from "./ui/table";
import { type WebSitesTableData, webSitesTableHtml } from "./web-sites-table";

const now = new Date("2026-12-05T12:00:00Z");
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000);
const checkedAt = new Date("2026-12-05T06:00:00Z");
const cluster = (n: number, slcValidUntil: Date | null) => ({
  id: `00000000-0000-4000-8000-00000000000${n}`,
  clusterUrl: `https://rms${n}.contoso.example/_wmcs?a=1&b="2"`,
  slcValidUntil,
});

/** Every kind of row: no cluster, no certificate, each expiry status, revoked (named and unnamed reason), unknown. */
const data: WebSitesTableData = {
  now,
  sites: [
    { id: "10000000-0000-4000-8000-000000000001", name: "Default Web Site", state: "started", cluster: cluster(1, inDays(300)) },
    { id: "10000000-0000-4000-8000-000000000002", name: "Intranet <&> 'quoted'", state: "stopped", cluster: null },
    { id: "10000000-0000-4000-8000-000000000003", name: "No certificate", state: "started", cluster: cluster(3, null) },
    { id: "10000000-0000-4000-8000-000000000004", name: "Soon", state: "started", cluster: cluster(4, inDays(20.5)) },
    { id: "10000000-0000-4000-8000-000000000005", name: "Very soon", state: "started", cluster: cluster(5, inDays(1)) },
    { id: "10000000-0000-4000-8000-000000000006", name: "Expired", state: "stopped", cluster: cluster(6, inDays(-3)) },
    { id: "10000000-0000-4000-8000-000000000007", name: "Revoked", state: "started", cluster: cluster(7, inDays(200)) },
    { id: "10000000-0000-4000-8000-000000000008", name: "Revoked, odd reason", state: "started", cluster: cluster(8, inDays(200)) },
    { id: "10000000-0000-4000-8000-000000000009", name: "Unknown", state: "started", cluster: cluster(9, inDays(100)) },
  ],
  revocation: new Map<string, RevocationStatus>([
    [cluster(1, null).id, { state: "good", serialNumber: "01", checkedAt, nextUpdate: inDays(1) }],
    [cluster(7, null).id, { state: "revoked", serialNumber: "07", reason: "keyCompromise", revokedAt: checkedAt, checkedAt }],
    [cluster(8, null).id, { state: "revoked", serialNumber: "08", reason: "privilegeWithdrawn <x>", revokedAt: checkedAt, checkedAt }],
    [cluster(9, null).id, { state: "unknown", serialNumber: "09", checkedAt: null, detail: "never checked" }],
  ]),
};

/** The section's inside as the page rendered it with React before it kept the HTML. */
function ReactTable({ sites, revocation, now: at, locale }: WebSitesTableData & { locale: Locale }) {
  const t = translatorFor(locale);
  return (
    <>
      <h2 id="sites-heading" className="sr-only">
        {t("global.sites")}
      </h2>
      {sites.length === 0 ? (
        <p className="p-5 text-slate-600">{t("global.noSites")}</p>
      ) : (
        <DataTable
          caption={t("global.sites")}
          columns={[
            t("global.col.site"),
            t("global.col.state"),
            t("global.col.clusterUrl"),
            t("global.col.expires"),
            t("global.col.actions"),
          ]}
        >
          {sites.map((site) => (
            <tr key={site.id} className="align-top">
              <th scope="row" className="px-4 py-3 font-medium text-slate-900">
                {site.name}
              </th>
              <td className="px-4 py-3">{site.state === "started" ? t("global.state.started") : t("global.state.stopped")}</td>
              <td className="px-4 py-3">
                {site.cluster ? (
                  <span className="break-all font-mono text-xs">{site.cluster.clusterUrl}</span>
                ) : (
                  <span className="text-slate-500">{t("global.notProvisioned")}</span>
                )}
              </td>
              <td className="px-4 py-3">
                {site.cluster?.slcValidUntil ? (
                  <div className="flex flex-col items-start gap-1">
                    <LocalTime date={site.cluster.slcValidUntil} withTime={false} />
                    {revocation.get(site.cluster.id)?.state !== "revoked" && (
                      <ExpiryBadge validUntil={site.cluster.slcValidUntil} now={at} />
                    )}
                    <RevocationBadge status={revocation.get(site.cluster.id)} quiet />
                  </div>
                ) : site.cluster ? (
                  t("global.noCertificate")
                ) : (
                  "—"
                )}
              </td>
              <td className="px-4 py-3">
                {site.cluster ? (
                  <ul className="flex flex-col gap-1">
                    <li>
                      <a href={`/clusters/${site.cluster.id}`} className={linkClass}>
                        {t("global.administer")}
                      </a>
                    </li>
                    <li>
                      <a href={`/web-sites/${site.id}/remove`} className={linkClass}>
                        {t("global.remove")}
                      </a>
                    </li>
                  </ul>
                ) : (
                  <a href={`/web-sites/${site.id}/provision`} className={linkClass}>
                    {t("global.provision")}
                  </a>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </>
  );
}

function reactHtml(table: WebSitesTableData, locale: Locale): string {
  return renderToStaticMarkup(
    <NextIntlClientProvider locale={locale} messages={messagesFor(locale)} timeZone="UTC" now={table.now}>
      <ReactTable {...table} locale={locale} />
    </NextIntlClientProvider>,
  );
}

describe("webSitesTableHtml", () => {
  it.each(["en", "sv"] as const)("is the markup React renders for every kind of row (%s)", (locale) => {
    const html = webSitesTableHtml(data, locale);
    expect(html).toBe(reactHtml(data, locale));
    expect(html.match(/<tr class="align-top"/g)).toHaveLength(data.sites.length);
  });

  it.each(["en", "sv"] as const)("is React's markup for no web site (%s)", (locale) => {
    const empty = { ...data, sites: [] };
    expect(webSitesTableHtml(empty, locale)).toBe(reactHtml(empty, locale));
  });
});
