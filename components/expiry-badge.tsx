// Status badge for an SLC expiration date: valid / within 30 days / within 7 days / expired.
import { useTranslations } from "next-intl";
import { daysLeft, type ExpiryStatus, expiryStatus } from "@/lib/console/clusters/expiry";
import { cn } from "./ui/cn";

const styles: Record<ExpiryStatus, string> = {
  valid: "bg-emerald-100 text-emerald-900 ring-emerald-300",
  expires_in_30: "bg-amber-100 text-amber-900 ring-amber-300",
  expires_in_7: "bg-orange-100 text-orange-900 ring-orange-400",
  expired: "bg-red-100 text-red-900 ring-red-300",
};

/** Each status's label in the "badge" messages. */
export const expiryBadgeLabels = {
  valid: "valid",
  expires_in_30: "expiresIn30",
  expires_in_7: "expiresIn7",
  expired: "expired",
} as const;

/** The badge's classes (shared with the web-site table's HTML, components/web-sites-table.ts). */
export function expiryBadgeClass(status: ExpiryStatus): string {
  return cn("inline-flex items-center gap-1 rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1", styles[status]);
}

export function ExpiryBadge({ validUntil, now }: { validUntil: Date; now: Date }) {
  const t = useTranslations("badge");
  const status = expiryStatus(validUntil, now);
  const days = daysLeft(validUntil, now);
  const remaining = status === "expired" ? null : t("daysLeft", { days });
  return (
    <span data-status={status} className={expiryBadgeClass(status)}>
      {t(expiryBadgeLabels[status])}
      {remaining && <span className="font-normal">· {remaining}</span>}
    </span>
  );
}
