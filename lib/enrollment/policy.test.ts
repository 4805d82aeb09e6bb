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

// [case, registration, installed SLC named by the request, policy, expected decision kind, expected reason]
const rows: Array<[string, Registration, Installed, "open" | "approval", Decision["kind"], string | null]> = [
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
  ["revoked registration", revoked(), slc(LATER), "approval", "refuse", "registration_revoked"],
  ["revoked registration (open)", revoked(), slc(LATER), "open", "refuse", "registration_revoked"],
  ["revoked registration of another key", revoked(OTHER), null, "open", "refuse", "registration_revoked"],
  ["GUID registered to another key", active(OTHER), null, "approval", "refuse", "guid_registered_to_other_key"],
  ["GUID registered to another key (open)", active(OTHER), slc(LATER, OTHER), "open", "refuse", "guid_registered_to_other_key"],
];

describe("enrollment policy", () => {
  it.each(rows)("%s → %s", (_name, registration, installedSlc, mode, kind, reason) => {
    const decision = decide({ mode, request: { clusterGuid: GUID, keyFingerprint: KEY }, registration, installedSlc, now: NOW });
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
    for (const [, registration, installedSlc, mode] of rows) {
      const facts: PolicyFacts = { mode, request: { clusterGuid: GUID, keyFingerprint: KEY }, registration, installedSlc, now: NOW };
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
    const held = decide(facts, [
      {
        name: "revoked: ask the operator",
        when: (f) => f.registration?.state === "revoked",
        verdict: () => ({ kind: "hold", reason: "revoked" }),
      },
      ...RULES,
    ]);
    expect(held).toEqual({ kind: "hold", reason: "revoked" });
    expect(() => decide(facts, [])).toThrow(/catch-all/);
  });

  it.each([
    ["no registration yet", null, null],
    ["registered to this key", active(), null],
    ["revoked since", revoked(), "is revoked"],
    ["registered to another key since", active(OTHER), `now registered to the key ${OTHER}`],
  ] as const)("approval block: %s", (_name, registration, block) => {
    const got = approvalBlock({ request: { clusterGuid: GUID, keyFingerprint: KEY }, registration });
    if (block === null) expect(got).toBeNull();
    else expect(got).toContain(block);
  });
});
