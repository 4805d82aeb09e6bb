// Re-key: when a request signed by a new key for a registered cluster GUID is held for the operator, and when
// it is refused. A pure function of what the desk read: the request's Rekey element, the GUID's registration and the
// certificate the request names; the desk holds what passes (reason "rekey", whatever the policy) and moves the
// registration to the new key only when the operator approves it.
import type { RenewalRequestFields } from "@/lib/core/certificates/renewal-request";

type Refusal = { status: 403; reason: RekeyRefusal; detail: string };
type RekeyRefusal = "rekey_not_registered" | "rekey_same_key" | "rekey_wrong_certificate";

export interface RekeyFacts {
  request: Pick<RenewalRequestFields, "clusterGuid" | "rekey">;
  /** The key that signed the request (SHA-256 of its SPKI). */
  keyFingerprint: string;
  /** The GUID's registration (an active one: a revoked registration is refused before this rule). */
  registration: { keyFingerprint: string } | null;
  /** The certificate this service issued with the serial the request names, for the request's GUID; null if none. */
  replaced: { keyFingerprint: string; fingerprint: string } | null;
}

/**
 * null: not a re-key (the request carries no Rekey element), so the renewal rules apply unchanged. Otherwise the
 * request is held for the operator (reason "rekey") only when the GUID is registered, the request is signed by a key
 * other than the registered one (proof of possession of the new key), and it names, by serial and fingerprint, a
 * certificate this service issued for this GUID to the registered key. Anything else is refused and changes nothing.
 */
export function rekeyReview(facts: RekeyFacts): { refused: Refusal } | { reason: "rekey" } | null {
  const rekey = facts.request.rekey;
  if (!rekey) return null;
  const guid = facts.request.clusterGuid;
  if (!facts.registration) {
    return {
      refused: {
        status: 403,
        reason: "rekey_not_registered",
        detail: `Cluster ${guid} is not registered with this service, so there is no key to replace; enroll it instead.`,
      },
    };
  }
  if (facts.registration.keyFingerprint === facts.keyFingerprint) {
    return {
      refused: {
        status: 403,
        reason: "rekey_same_key",
        detail: `This re-key request is signed by the key cluster ${guid} is already registered to (${facts.keyFingerprint}); a re-key request must be signed by the new key.`,
      },
    };
  }
  const replaced = facts.replaced;
  if (!replaced || replaced.keyFingerprint !== facts.registration.keyFingerprint || replaced.fingerprint !== rekey.replacesSlcFingerprint) {
    return {
      refused: {
        status: 403,
        reason: "rekey_wrong_certificate",
        detail: `The certificate this re-key request names (serial ${rekey.replacesSlcSerial}) is not one this service issued to cluster ${guid}'s registered key.`,
      },
    };
  }
  return { reason: "rekey" };
}

/**
 * On approval: the registration may move to the new key only while it is still on the key of the certificate the
 * re-key replaces (a second re-key approved first, or a re-enrollment, leaves this one to be rejected).
 */
export function rekeyMayMove(registeredKeyFingerprint: string | null, replacedKeyFingerprint: string | null): boolean {
  return registeredKeyFingerprint !== null && replacedKeyFingerprint === registeredKeyFingerprint;
}

/** The Replaces* values of a stored request already verified on intake (for the operator's page; never a decision). */
export function storedRekeyReplaces(requestXml: string): { serial: string; fingerprint: string } | null {
  const serial = /<ReplacesSlcSerial>([0-9A-Fa-f]{1,64})<\/ReplacesSlcSerial>/.exec(requestXml)?.[1];
  const fingerprint = /<ReplacesSlcFingerprint>([0-9A-F:]{95})<\/ReplacesSlcFingerprint>/.exec(requestXml)?.[1];
  return serial && fingerprint ? { serial, fingerprint } : null;
}
