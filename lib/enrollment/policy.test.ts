// The enrollment policy, every case as a row: registration × installed SLC × configured policy → issue / hold / refuse.
import { describe, expect, it } from "vitest";
import { approvalBlock, type Decision, decide, type PolicyFacts, RULES } from "./policy";

const NOW = new Date("2026-06-01T12:00:00Z");
const GUID = "{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}";
const KEY = "key-of-the-request";
const OTHER = "another-key";
const LATER = new Date(NOW.getTime() + 86_400_000);
const EARLIER = new Date(NOW.getTime() - 86_400_000);

type Registration = PolicyFacts["registration"];
type Installed = PolicyFacts["installedSlc"];
const active = (keyFingerprint = KEY): Registration => ({ keyFingerprint, state: "active" });
const revoked = (keyFingerprint = KEY): Registration => ({ keyFingerprint, state: "revoked" });
const slc = (validUntil: Date, keyFingerprint = KEY): Installed => ({ keyFingerprint, validUntil });
type Rekey = PolicyFacts["rekey"];
const REPLACED_FP = "fingerprint-of-the-replaced-slc";
/** A re-key naming the SLC (serial 0A, REPLACED_FP); `replaced` is what the service issued under that serial. */
const rekey = (replaced: { keyFingerprint: string; fingerprint: string } | null): Rekey => ({
  replacesSlcSerial: "0A",
  replacesSlcFingerprint: REPLACED_FP,
  replaced,
});

// [case, registration, installed SLC named by the request, policy, expected decision kind, expected reason, re-key]
const rows: Array<[string, Registration, Installed, "open" | "approval", Decision["kind"], string | null, Rekey?]> = [
  ["registered, valid installed SLC", active(), slc(LATER), "approval", "issue", null],
  ["registered, valid installed SLC (open)", active(), slc(LATER), "open", "issue", null],
  ["registered, installed SLC expired", active(), slc(EARLIER), "approval", "hold", "registration_expired"],
  ["registered, installed SLC expired (open)", active(), slc(EARLIER), "open", "issue", "registration_expired"],
  ["registered, installed SLC expires this instant", active(), slc(NOW), "approval", "hold", "registration_expired"],
  ["registered, no installed SLC named or found", active(), null, "approval", "hold", "unknown_installed_slc"],
  ["registered, no installed SLC named or found (open)", active(), null, "open", "issue", "unknown_installed_slc"],
  ["registered, installed SLC certifies another key", active(), slc(LATER, OTHER), "approval", "hold", "unknown_installed_slc"],
  ["new cluster", null, null, "approval", "hold", "new_cluster"],
  ["new cluster (open)", null, null, "open", "issue", "new_cluster"],
  ["new cluster naming an SLC", null, slc(LATER), "approval", "hold", "new_cluster"],
  ["revoked registration", revoked(), slc(LATER), "approval", "hold", "registration_revoked"],
  ["revoked registration (open)", revoked(), slc(LATER), "open", "hold", "registration_revoked"],
  ["revoked registration of another key", revoked(OTHER), null, "open", "hold", "registration_revoked"],
  [
    "revoked registration, a re-key",
    revoked(OTHER),
    null,
    "open",
    "hold",
    "registration_revoked",
    rekey({ keyFingerprint: OTHER, fingerprint: REPLACED_FP }),
  ],
  [
    "re-key naming the registered key's SLC",
    active(OTHER),
    null,
    "open",
    "hold",
    "rekey",
    rekey({ keyFingerprint: OTHER, fingerprint: REPLACED_FP }),
  ],
  ["re-key (approval)", active(OTHER), null, "approval", "hold", "rekey", rekey({ keyFingerprint: OTHER, fingerprint: REPLACED_FP })],
  ["re-key of an unregistered cluster", null, null, "open", "refuse", "rekey_not_registered", rekey(null)],
  [
    "re-key signed by the registered key",
    active(),
    null,
    "open",
    "refuse",
    "rekey_same_key",
    rekey({ keyFingerprint: KEY, fingerprint: REPLACED_FP }),
  ],
  ["re-key naming no SLC issued to the GUID", active(OTHER), null, "open", "refuse", "rekey_wrong_certificate", rekey(null)],
  [
    "re-key naming an SLC of an earlier key",
    active(OTHER),
    null,
    "open",
    "refuse",
    "rekey_wrong_certificate",
    rekey({ keyFingerprint: "earlier", fingerprint: REPLACED_FP }),
  ],
  [
    "re-key naming a wrong fingerprint",
    active(OTHER),
    null,
    "open",
    "refuse",
    "rekey_wrong_certificate",
    rekey({ keyFingerprint: OTHER, fingerprint: "other" }),
  ],
  ["GUID registered to another key", active(OTHER), null, "approval", "refuse", "guid_registered_to_other_key"],
  ["GUID registered to another key (open)", active(OTHER), slc(LATER, OTHER), "open", "refuse", "guid_registered_to_other_key"],
];

describe("enrollment policy", () => {
  it.each(rows)("%s → %s", (_name, registration, installedSlc, mode, kind, reason, rekeyFacts) => {
    const decision = decide({
      mode,
      request: { clusterGuid: GUID, keyFingerprint: KEY },
      registration,
      installedSlc,
      rekey: rekeyFacts,
      now: NOW,
    });
    expect(decision.kind).toBe(kind);
    const got = decision.kind === "refuse" ? decision.refusal.reason : decision.reason;
    expect(got).toBe(reason);
    if (decision.kind === "refuse") {
      expect(decision.refusal.status).toBe(403);
      expect(decision.refusal.detail).toContain(GUID);
    }
  });

  it("has a row for every rule, each deciding at least one case", () => {
    const used = new Set<string>();
    for (const [, registration, installedSlc, mode, , , rekeyFacts] of rows) {
      const facts: PolicyFacts = {
        mode,
        request: { clusterGuid: GUID, keyFingerprint: KEY },
        registration,
        installedSlc,
        rekey: rekeyFacts,
        now: NOW,
      };
      const rule = RULES.find((r) => r.when(facts));
      if (rule) used.add(rule.name);
    }
    expect([...used].sort()).toEqual(RULES.map((r) => r.name).sort());
  });

  it("takes a new rule as one row, ahead of the ones it overrides", () => {
    const facts: PolicyFacts = {
      mode: "open",
      request: { clusterGuid: GUID, keyFingerprint: KEY },
      registration: revoked(),
      installedSlc: null,
      now: NOW,
    };
    const refused = decide(facts, [
      {
        name: "revoked: refuse outright",
        when: (f) => f.registration?.state === "revoked",
        verdict: () => ({ kind: "refuse", refusal: { status: 403, reason: "revoked", detail: "no" } }),
      },
      ...RULES,
    ]);
    expect(refused).toEqual({ kind: "refuse", refusal: { status: 403, reason: "revoked", detail: "no" } });
    expect(decide(facts)).toEqual({ kind: "hold", reason: "registration_revoked" });
    expect(() => decide(facts, [])).toThrow(/catch-all/);
  });

  it.each([
    ["no registration yet", null, null, undefined],
    ["registered to this key", active(), null, undefined],
    ["revoked since (the approval re-activates it)", revoked(OTHER), null, undefined],
    ["registered to another key since", active(OTHER), `now registered to the key ${OTHER}`, undefined],
    ["a re-key while the GUID is on the replaced key", active(OTHER), null, OTHER],
    ["a re-key after the GUID moved on", active(OTHER), `now registered to the key ${OTHER}`, "earlier"],
    ["a re-key whose replaced SLC is gone", active(OTHER), `now registered to the key ${OTHER}`, null],
  ] as const)("approval block: %s", (_name, registration, block, rekeyReplacedKey) => {
    const got = approvalBlock({ request: { clusterGuid: GUID, keyFingerprint: KEY }, registration, rekeyReplacedKey });
    if (block === null) expect(got).toBeNull();
    else expect(got).toContain(block);
  });
});
