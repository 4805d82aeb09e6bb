// The installed SLC's revocation status (lib/console/revocation/status.ts): revoked (with the service's reason), status
// unknown (no current verified revocation list), or not revoked. `quiet` leaves "not revoked" out (the web-site list).
import { useTranslations } from "next-intl";
import type { RevocationStatus } from "@/lib/console/revocation/status";
import { cn } from "./ui/cn";

const REASONS = ["keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "unspecified"] as const;

/** The badge's classes (shared with the web-site table's HTML, components/web-sites-table.ts). */
export function revocationBadgeClass(state: RevocationStatus["state"]): string {
  return cn(
    "inline-flex items-center gap-1 rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1",
    state === "revoked" && "bg-red-100 text-red-900 ring-red-300",
    state === "unknown" && "bg-slate-100 text-slate-800 ring-slate-300",
    state === "good" && "bg-emerald-50 text-emerald-900 ring-emerald-200",
  );
}

/** Whether the catalogue names the reason (revocation.reason.*); another is shown as the service gave it. */
export function isNamedReason(reason: string): reason is (typeof REASONS)[number] {
  return (REASONS as readonly string[]).includes(reason);
}

export function RevocationBadge({ status, quiet = false }: { status: RevocationStatus | undefined; quiet?: boolean }) {
  const t = useTranslations("revocation");
  if (!status || status.state === "no_certificate" || (quiet && status.state === "good")) return null;
  const reason = status.state === "revoked" ? (isNamedReason(status.reason) ? t(`reason.${status.reason}`) : status.reason) : null;
  return (
    <span data-revocation={status.state} className={revocationBadgeClass(status.state)}>
      {t(status.state)}
      {reason && <span className="font-normal">· {reason}</span>}
    </span>
  );
}
