// An audit event told as a sentence in the reader's language (one catalogue entry per action, filled from the event's
// details); its actor is worded by lib/audit/actor.ts.
import type { AuditAction, AuditEvent } from "./audit";
import { AUDIT_ACTIONS } from "./audit";

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
  /** For a file that failed the verifier: the check's name (catalogue "check"). */
  check: string;
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
    detail,
    held: d.heldForApproval === true ? "yes" : "no",
    site: text(d.webSite),
    name: text(d.clusterName),
    changed: text(d.changed),
  };
}
