// The banner for clusters whose SLC expires within 30 days or has expired (the monitor's events 16–18 as the pages
// show them): which cluster, when, and what to do. Computed from the installed certificate, so a renewal clears it.
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import type { ExpiryAlert } from "@/lib/console/monitor/expiry-events";
import { formatDate } from "@/lib/platform/i18n/format";
import { linkClass } from "./breadcrumbs";
import { cn } from "./ui/cn";

export async function ExpiryAlerts({ alerts, linkToClusters }: { alerts: ExpiryAlert[]; linkToClusters: boolean }) {
  if (alerts.length === 0) return null;
  const t = await getTranslations("expiryAlert");
  const locale = await getLocale();
  const expired = alerts.some((alert) => alert.status === "expired");
  return (
    <section
      aria-labelledby="expiry-alerts-heading"
      className={cn(
        "mb-6 rounded-lg border px-4 py-3 text-sm",
        expired ? "border-red-300 bg-red-50 text-red-900" : "border-amber-300 bg-amber-50 text-amber-900",
      )}
    >
      <h2 id="expiry-alerts-heading" className="font-semibold">
        {t(linkToClusters ? (expired ? "titleExpired" : "title") : expired ? "titleExpiredHere" : "titleHere")}
      </h2>
      <ul className="mt-2 flex flex-col gap-1">
        {alerts.map((alert) => {
          const cluster = alert.webSiteName ?? alert.clusterName;
          const date = formatDate(locale, alert.validUntil);
          return (
            <li key={alert.clusterId} data-status={alert.status}>
              {alert.status === "expired" ? t("expired", { cluster, date }) : t("expiresIn", { cluster, date, days: alert.daysLeft })}{" "}
              {linkToClusters ? (
                <Link href={`/clusters/${alert.clusterId}`} className={linkClass}>
                  {t("open", { cluster })}
                </Link>
              ) : null}
            </li>
          );
        })}
      </ul>
      <p className="mt-2">{t(linkToClusters ? "whatToDo" : "whatToDoHere")}</p>
    </section>
  );
}
