// The installed SLC's revocation status (lib/console/revocation/status.ts): revoked (with the service's reason), status
// unknown (no current verified revocation list), or not revoked. `quiet` leaves "not revoked" out (the web-site list).
import { useTranslations } from "next-intl";
import type { RevocationStatus } from "@/lib/console/revocation/status";
import { cn } from "./ui/cn";

const REASONS = ["keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "unspecified"] as const;

export function RevocationBadge({ status, quiet = false }: { status: RevocationStatus | undefined; quiet?: boolean }) {
  const t = useTranslations("revocation");
  if (!status || status.state === "no_certificate" || (quiet && status.state === "good")) return null;
  const reason =
    status.state === "revoked"
      ? (REASONS as readonly string[]).includes(status.reason)
        ? t(`reason.${status.reason as (typeof REASONS)[number]}`)
        : status.reason
      : null;
  return (
    <span
      data-revocation={status.state}
      className={cn(
        "inline-flex items-center gap-1 rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1",
        status.state === "revoked" && "bg-red-100 text-red-900 ring-red-300",
        status.state === "unknown" && "bg-slate-100 text-slate-800 ring-slate-300",
        status.state === "good" && "bg-emerald-50 text-emerald-900 ring-emerald-200",
      )}
    >
      {t(status.state)}
      {reason && <span className="font-normal">· {reason}</span>}
    </span>
  );
}
