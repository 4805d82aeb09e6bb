// Status badge for an SLC expiration date: valid / within 30 days / within 7 days / expired.
import { useTranslations } from "next-intl";
import { daysLeft, expiryStatus } from "@/lib/console/clusters/expiry";
import { cn } from "./ui/cn";

const styles = {
  valid: "bg-emerald-100 text-emerald-900 ring-emerald-300",
  expires_in_30: "bg-amber-100 text-amber-900 ring-amber-300",
  expires_in_7: "bg-orange-100 text-orange-900 ring-orange-400",
  expired: "bg-red-100 text-red-900 ring-red-300",
} as const;

const labels = {
  valid: "valid",
  expires_in_30: "expiresIn30",
  expires_in_7: "expiresIn7",
  expired: "expired",
} as const;

export function ExpiryBadge({ validUntil, now }: { validUntil: Date; now: Date }) {
  const t = useTranslations("badge");
  const status = expiryStatus(validUntil, now);
  const days = daysLeft(validUntil, now);
  const remaining = status === "expired" ? null : t("daysLeft", { days });
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
