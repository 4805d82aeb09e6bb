// Who gets an SLC, as a pure function: from what the store holds about the cluster (its registration, the installed SLC
// its request names), the verified request and the configured policy, the decision to issue, hold for an operator or
// refuse. No database, no clock, no I/O: the desk reads the facts in one statement and acts on the answer.
//
// The rules are an ordered table (RULES): the first row whose `when` holds gives the verdict. A new reason is one row.
import type { EnrollmentConfig } from "./config";
import { rekeyMayMove, rekeyReview } from "./rekey-rule";

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
  /**
   * A re-key request (it carries a signed Rekey element): the serial and fingerprint it names, and the SLC this service
   * issued for the GUID with that serial (its key and fingerprint), or null if none. Null for every other request.
   */
  rekey?: {
    replacesSlcSerial: string;
    replacesSlcFingerprint: string;
    replaced: { keyFingerprint: string; fingerprint: string } | null;
  } | null;
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
    // A revoked registration (its SLC revoked, or the registration itself) re-enrolls only with the operator's
    // approval, whatever key signs the request and whatever the policy; approving it makes the registration active.
    name: "revoked registration",
    when: (f) => f.registration?.state === "revoked",
    verdict: () => ({ kind: "hold", reason: "registration_revoked" }),
  },
  {
    // A re-key (lib/enrollment/rekey-rule.ts): signed by a new key, naming a certificate issued to the registered key;
    // held for the operator whatever the policy, or refused.
    name: "re-key",
    when: (f) => (f.rekey ?? null) !== null,
    verdict: (f) => {
      const rekey = f.rekey;
      const review = rekey
        ? rekeyReview({
            request: {
              clusterGuid: f.request.clusterGuid,
              rekey: { replacesSlcSerial: rekey.replacesSlcSerial, replacesSlcFingerprint: rekey.replacesSlcFingerprint },
            },
            keyFingerprint: f.request.keyFingerprint,
            registration: f.registration,
            replaced: rekey.replaced,
          })
        : null;
      if (!review) return { kind: "issue" };
      return "refused" in review ? { kind: "refuse", refusal: review.refused } : { kind: "hold", reason: review.reason };
    },
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
export function approvalBlock(
  facts: Pick<PolicyFacts, "request" | "registration"> & {
    /** A held re-key: the key of the certificate it replaces, as stored now (null if that certificate is gone). */
    rekeyReplacedKey?: string | null;
  },
): string | null {
  const { request, registration } = facts;
  // A revoked registration is re-bound to the approved request's key and made active again by the approval.
  if (!registration || registration.state === "revoked") return null;
  if (registration.keyFingerprint === request.keyFingerprint) return null;
  // An approved re-key moves the registration to the new key, but only while the GUID is still registered to the key
  // of the certificate it replaces.
  if (facts.rekeyReplacedKey !== undefined && rekeyMayMove(registration.keyFingerprint, facts.rekeyReplacedKey)) return null;
  // Another enrollment for the same new GUID was approved first: this key is now a foreign one.
  return `Cluster ${request.clusterGuid} is now registered to the key ${registration.keyFingerprint}; reject this request.`;
}
