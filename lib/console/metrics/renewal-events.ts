// How an audited renewal event is counted: a renewal by method and outcome, or, for an offline Import refused because
// of the file chosen (or a request that is no longer pending), an import refusal by reason. A wrong file is the
// administrator's choice, not a renewal failing: it must not fire the alerts on rms_slc_renewals_total.
import { CHECK_NAMES } from "@/lib/core/certificates/verify-slc";

// An online renewal that asked first (renew_online_asked) is not an outcome yet: its Yes (renew_online_confirmed) is the
// online success; No leaves the request pending and counts nothing.
export const RENEWAL_ACTIONS = [
  "renew_online_succeeded",
  "renew_online_confirmed",
  "renew_online_failed",
  "import_confirmed",
  "import_rejected",
] as const;
type RenewalAction = (typeof RENEWAL_ACTIONS)[number];

export const isRenewalAction = (action: string): action is RenewalAction => (RENEWAL_ACTIONS as readonly string[]).includes(action);

/** The check the file failed, `changed` (not the file validated) or `no_pending` (its request was closed meanwhile). */
export const IMPORT_REFUSAL_REASONS = [...CHECK_NAMES, "changed", "no_pending"] as const;
type ImportRefusalReason = (typeof IMPORT_REFUSAL_REASONS)[number];

export const RENEWAL_SERIES = [
  { method: "online", outcome: "success" },
  { method: "online", outcome: "failure" },
  { method: "offline", outcome: "success" },
  { method: "offline", outcome: "failure" },
] as const;
type RenewalSeries = (typeof RENEWAL_SERIES)[number];

export type CountedAs = ({ kind: "renewal" } & RenewalSeries) | { kind: "import_refusal"; reason: ImportRefusalReason };

/** What the audit row recorded (failureAuditDetails in lib/console/renewal/failures.ts): its code, failed check and reason. */
export interface AuditedRenewalEvent {
  action: RenewalAction;
  code: string | null;
  check: string | null;
  rejectReason: string | null;
}

const isCheckName = (value: string | null): value is (typeof CHECK_NAMES)[number] =>
  (CHECK_NAMES as readonly (string | null)[]).includes(value);

export function countedAs(event: AuditedRenewalEvent): CountedAs {
  switch (event.action) {
    case "renew_online_succeeded":
    case "renew_online_confirmed":
      return { kind: "renewal", method: "online", outcome: "success" };
    case "renew_online_failed":
      return { kind: "renewal", method: "online", outcome: "failure" };
    case "import_confirmed":
      return { kind: "renewal", method: "offline", outcome: "success" };
    case "import_rejected":
      if (event.code === "changed" || event.code === "no_pending") return { kind: "import_refusal", reason: event.code };
      // The verifier itself could not run (its worker failed): the console's failure, whatever the file.
      if (event.code === "invalid_file" && event.rejectReason !== "verification_failed") {
        return { kind: "import_refusal", reason: isCheckName(event.check) ? event.check : "input" };
      }
      // No trust anchors, the verifier down, anything else: the console could not renew.
      return { kind: "renewal", method: "offline", outcome: "failure" };
  }
}
