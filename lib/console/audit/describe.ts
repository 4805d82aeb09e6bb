// An audit event told as a sentence in the reader's language (one catalogue entry per action, filled from the event's
// details); its actor is worded by lib/console/audit/actor.ts.
import { CHECK_NAMES, SLC_REJECT_REASONS } from "@/lib/core/certificates/verify-slc";
import type { Translator } from "@/lib/platform/i18n/messages";
import type { AuditAction, AuditEvent } from "./audit";
import { AUDIT_ACTIONS } from "./audit";

/** The reasons (details.code or details.reason) the catalogue words as audit.reason.<code>; others show as recorded. */
export const AUDIT_REASONS = [
  "wrong_password",
  "unknown_user",
  "throttled",
  "not_found",
  "in_progress",
  "no_key",
  "key_unavailable",
  "token_unavailable",
  "no_trust_anchors",
  "unreachable",
  "timeout",
  "untrusted",
  "tls_failed",
  "misdirected",
  "proxy_unreachable",
  "proxy_auth_required",
  "proxy_refused",
  "proxy_timeout",
  "proxy_unusable",
  "pending_approval",
  "conflict",
  "rejected",
  "busy",
  "server_error",
  "invalid_response",
  "invalid_file",
  "no_pending",
  "changed",
  "no_certificate",
  "rekey_pending",
  // Sign-in refusals by the directory (lib/console/auth/sign-in.ts), older rows' "directory_refused" included.
  "must_change_password",
  "password_expired",
  "account_expired",
  "account_disabled",
  "account_locked",
  "logon_hours",
  "workstation",
  "ambiguous_user",
  "foreign_domain",
  "foreign_upn_suffix",
  "empty_password",
  "directory_unavailable",
  "directory_refused",
  // The first administrator's setup (lib/console/auth/setup-tokens.ts).
  "invalid_token",
  "used",
  "expired",
  "admin_exists",
  "invalid_user_name",
  "invalid_password",
  "exists",
] as const;

export function isAuditAction(action: string): action is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(action);
}

/** The placeholders every sentence may use; a value the event lacks reads "—" rather than breaking the sentence. */
export interface SentenceValues {
  outcome: string;
  user: string;
  group: string;
  groups: string;
  target: string;
  requestId: string;
  fingerprint: string;
  url: string;
  /** ISO date (validUntil); the page formats it in the reader's language. */
  date: string;
  days: number;
  /** The reason's code (sign-in refusals, renewal failures), translated by the page when the catalogue knows it. */
  reason: string;
  /** For a file that failed the verifier: the check's name (catalogue "check"), and why (audit.rejectReason). */
  check: string;
  rejectReason: string;
  detail: string;
  held: "yes" | "no";
  /** Provisioning and removal: the web site and the cluster's name. */
  site: string;
  name: string;
  /** Settings changes: the names of the fields that changed. */
  changed: string;
}

function text(value: unknown): string {
  if (typeof value === "string" && value !== "") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(text).join(", ") || "—";
  return "—";
}

/** The values a sentence is filled with, read defensively from details whose shape depends on the action and age. */
export function sentenceValues(event: Pick<AuditEvent, "outcome" | "details">): SentenceValues {
  const d = event.details;
  const days = typeof d.daysLeft === "number" && Number.isFinite(d.daysLeft) ? d.daysLeft : 0;
  const detail =
    text(d.detail) !== "—"
      ? text(d.detail)
      : Object.entries(d)
          .filter(([, v]) => typeof v === "string")
          .map(([k, v]) => `${k}: ${v}`)
          .join("; ") || "—";
  return {
    outcome: event.outcome,
    user: text(d.userName),
    group: text(d.groupName),
    groups: text(d.groups),
    target: text(d.target),
    requestId: text(d.requestId),
    fingerprint: text(d.fingerprint),
    url: text(d.enrollmentUrl),
    date: text(d.validUntil),
    days,
    reason: text(d.code ?? d.reason),
    check: text(d.check),
    rejectReason: text(d.rejectReason),
    detail,
    held: d.heldForApproval === true ? "yes" : "no",
    site: text(d.webSite),
    name: text(d.clusterName),
    changed: text(d.changed),
  };
}

function oneOf<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

/**
 * The sentence's {reason} in words: for a file the verifier refused, the failed check and why ("the check “File format”
 * failed: the file is empty"), so the reader need not open Raw details; else the reason's catalogue wording, or the
 * code as recorded when this version does not know it.
 */
export function reasonText(t: Translator, values: Pick<SentenceValues, "check" | "rejectReason" | "reason">): string {
  if (values.check !== "—" && oneOf(CHECK_NAMES, values.check)) {
    const check = t(`check.${values.check}`);
    return oneOf(SLC_REJECT_REASONS, values.rejectReason)
      ? t("audit.reason.failedCheckBecause", { check, because: t(`audit.rejectReason.${values.rejectReason}`) })
      : t("audit.reason.failedCheck", { check });
  }
  return oneOf(AUDIT_REASONS, values.reason) ? t(`audit.reason.${values.reason}`) : values.reason;
}
