// Status badge for an SLC expiration date: valid / within 30 days / within 7 days / expired.
import { daysLeft, expiryStatus } from "@/lib/clusters/expiry";
import type { Translate } from "@/lib/i18n/messages";
import { cn } from "./ui/cn";

const styles = {
  valid: "bg-emerald-100 text-emerald-900 ring-emerald-300",
  expires_in_30: "bg-amber-100 text-amber-900 ring-amber-300",
  expires_in_7: "bg-orange-100 text-orange-900 ring-orange-400",
  expired: "bg-red-100 text-red-900 ring-red-300",
} as const;

const labels = {
  valid: "badge.valid",
  expires_in_30: "badge.expiresIn30",
  expires_in_7: "badge.expiresIn7",
  expired: "badge.expired",
} as const;

export function ExpiryBadge({ validUntil, now, t }: { validUntil: Date; now: Date; t: Translate }) {
  const status = expiryStatus(validUntil, now);
  const days = daysLeft(validUntil, now);
  const remaining = status === "expired" ? null : days === 1 ? t("badge.dayLeft") : t("badge.daysLeft", { days });
  return (
    <span
      data-status={status}
      className={cn("inline-flex items-center gap-1 rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1", styles[status])}
    >
      {t(labels[status])}
      {remaining && <span className="font-normal">· {remaining}</span>}
    </span>
  );
}
