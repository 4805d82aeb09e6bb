// Which audited events count as renewals and which as import refusals: a wrong file is never a failed renewal.
import { describe, expect, it } from "vitest";
import { type AuditedRenewalEvent, countedAs, isRenewalAction } from "./renewal-events";

const rejected = (code: string, check: string | null = null, rejectReason: string | null = null): AuditedRenewalEvent => ({
  action: "import_rejected",
  code,
  check,
  rejectReason,
});

describe("countedAs", () => {
  it("counts successes and online failures as renewals", () => {
    const plain = { code: null, check: null, rejectReason: null };
    expect(countedAs({ action: "renew_online_succeeded", ...plain })).toEqual({ kind: "renewal", method: "online", outcome: "success" });
    // An online renewal that asked first and was confirmed by Yes is an online success, not an offline import; the
    // question itself (renew_online_asked) is no outcome and is not counted.
    expect(countedAs({ action: "renew_online_confirmed", ...plain })).toEqual({ kind: "renewal", method: "online", outcome: "success" });
    expect(isRenewalAction("renew_online_asked")).toBe(false);
    expect(countedAs({ action: "renew_online_failed", ...plain, code: "invalid_response" })).toEqual({
      kind: "renewal",
      method: "online",
      outcome: "failure",
    });
    expect(countedAs({ action: "import_confirmed", ...plain })).toEqual({ kind: "renewal", method: "offline", outcome: "success" });
  });

  it("counts a file that fails a check, a changed file and a closed request as import refusals", () => {
    expect(countedAs(rejected("invalid_file", "public_key", "wrong_public_key"))).toEqual({ kind: "import_refusal", reason: "public_key" });
    expect(countedAs(rejected("invalid_file", "input", "verification_deadline"))).toEqual({ kind: "import_refusal", reason: "input" });
    expect(countedAs(rejected("invalid_file", "not-a-check", "x"))).toEqual({ kind: "import_refusal", reason: "input" });
    expect(countedAs(rejected("changed"))).toEqual({ kind: "import_refusal", reason: "changed" });
    expect(countedAs(rejected("no_pending"))).toEqual({ kind: "import_refusal", reason: "no_pending" });
  });

  it("counts what the console itself could not do as an offline renewal failure", () => {
    const failure = { kind: "renewal", method: "offline", outcome: "failure" };
    expect(countedAs(rejected("no_trust_anchors"))).toEqual(failure);
    expect(countedAs(rejected("invalid_file", "input", "verification_failed"))).toEqual(failure);
    expect(countedAs(rejected("key_unavailable"))).toEqual(failure);
  });
});
