// Who gets an SLC, as a pure function: from what the store holds about the cluster (its registration, the installed SLC
// its request names), the verified request and the configured policy, the decision to issue, hold for an operator or
// refuse. No database, no clock, no I/O: the desk reads the facts in one statement and acts on the answer.
//
// The rules are an ordered table (RULES): the first row whose `when` holds gives the verdict. A new reason is one row.
import type { EnrollmentConfig } from "./config";

type ReviewReason = "new_cluster" | "unknown_installed_slc" | "registration_expired";

export type Refusal = { status: 400 | 403 | 409 | 413 | 422 | 429 | 503; reason: string; detail: string };

/** What the store holds about the cluster and its request, as the desk read it. */
export interface PolicyFacts {
  /** The configured policy (RMS_ENROLLMENT_POLICY): `approval` holds every review; `open` (demos) issues it. */
  mode: EnrollmentConfig["policy"];
  /** The verified request: its cluster GUID and the fingerprint of the key that signed it. */
  request: { clusterGuid: string; keyFingerprint: string };
  /** The GUID's registration, or null for a cluster this service has not seen. */
  registration: { keyFingerprint: string; state: "active" | "revoked" } | null;
  /**
   * The installed SLC the request names (by serial, else by fingerprint), found among this GUID's issued SLCs whatever
   * key it certifies; null when the request names none or names one this service did not issue for the GUID.
   */
  installedSlc: { keyFingerprint: string; validUntil: Date } | null;
  now: Date;
}

/**
 * A row's verdict: `issue` at once; `review` needs an operator under the approval policy (issued at once, reason
 * recorded, under open); `hold` needs an operator under either policy; `refuse` answers with the refusal.
 */
type Verdict =
  | { kind: "issue" }
  | { kind: "review"; reason: ReviewReason }
  | { kind: "hold"; reason: string }
  | { kind: "refuse"; refusal: Refusal };

/** The decision the desk acts on. `reason` is recorded on the submission and its event (null: an automatic renewal). */
export type Decision = { kind: "issue"; reason: string | null } | { kind: "hold"; reason: string } | { kind: "refuse"; refusal: Refusal };

export interface PolicyRule {
  /** A name for tests and reading: what the row is about. */
  name: string;
  when: (facts: PolicyFacts) => boolean;
  verdict: (facts: PolicyFacts) => Verdict;
}

const sameKey = (f: PolicyFacts) => f.registration?.keyFingerprint === f.request.keyFingerprint;
/** The named installed SLC certifies the key that signed this request. */
const installedForThisKey = (f: PolicyFacts) => f.installedSlc !== null && f.installedSlc.keyFingerprint === f.request.keyFingerprint;

/** The rules, first match wins. The last row always matches. */
export const RULES: readonly PolicyRule[] = [
  {
    name: "revoked registration",
    when: (f) => f.registration?.state === "revoked",
    verdict: (f) => ({
      kind: "refuse",
      refusal: {
        status: 403,
        reason: "registration_revoked",
        detail: `The registration of cluster ${f.request.clusterGuid} was revoked by the service's operator; no SLC is issued for it.`,
      },
    }),
  },
  {
    name: "GUID registered to another key",
    when: (f) => f.registration !== null && !sameKey(f),
    verdict: (f) => ({
      kind: "refuse",
      refusal: {
        status: 403,
        reason: "guid_registered_to_other_key",
        detail: `Cluster ${f.request.clusterGuid} is registered to the key ${f.registration?.keyFingerprint}; this request is signed by ${f.request.keyFingerprint}.`,
      },
    }),
  },
  { name: "new cluster", when: (f) => f.registration === null, verdict: () => ({ kind: "review", reason: "new_cluster" }) },
  {
    // The installed SLC is recognised by what its signature covers (serial, GUID, key), not by the file's bytes.
    name: "installed SLC not one this service issued for this GUID and key",
    when: (f) => !installedForThisKey(f),
    verdict: () => ({ kind: "review", reason: "unknown_installed_slc" }),
  },
  {
    name: "installed SLC expired",
    when: (f) => (f.installedSlc?.validUntil.getTime() ?? 0) <= f.now.getTime(),
    verdict: () => ({ kind: "review", reason: "registration_expired" }),
  },
  { name: "registered cluster renewing a valid SLC", when: () => true, verdict: () => ({ kind: "issue" }) },
];

/** The decision for `facts` under `rules` (RULES unless a test passes its own). */
export function decide(facts: PolicyFacts, rules: readonly PolicyRule[] = RULES): Decision {
  const rule = rules.find((r) => r.when(facts));
  if (!rule) throw new Error("No enrollment policy rule matched: the rule table must end with a catch-all row.");
  const verdict = rule.verdict(facts);
  switch (verdict.kind) {
    case "issue":
      return { kind: "issue", reason: null };
    case "review":
      return facts.mode === "open" ? { kind: "issue", reason: verdict.reason } : { kind: "hold", reason: verdict.reason };
    case "hold":
      return { kind: "hold", reason: verdict.reason };
    case "refuse":
      return { kind: "refuse", refusal: verdict.refusal };
  }
}

/**
 * Whether an operator's approval of a held request may still issue: null when it may, else why not (the request stays
 * for the operator to reject). The registration is the GUID's as it is now, not as it was when the request was held.
 */
export function approvalBlock(facts: Pick<PolicyFacts, "request" | "registration">): string | null {
  const { request, registration } = facts;
  if (registration?.state === "revoked") return `The registration of cluster ${request.clusterGuid} is revoked.`;
  // Another enrollment for the same new GUID was approved first: this key is now a foreign one.
  if (registration && registration.keyFingerprint !== request.keyFingerprint) {
    return `Cluster ${request.clusterGuid} is now registered to the key ${registration.keyFingerprint}; reject this request.`;
  }
  return null;
}
