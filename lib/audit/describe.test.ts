// Sentence values read defensively from every shape of details.
import { describe, expect, it } from "vitest";
import { sentenceValues } from "./describe";

describe("audit sentence values", () => {
  it("fills what the details carry and marks the rest", () => {
    const values = sentenceValues({
      outcome: "success",
      details: { requestId: "R-1", fingerprint: "AB:CD", validUntil: "2027-01-01T00:00:00.000Z", heldForApproval: true },
    });
    expect(values).toMatchObject({ requestId: "R-1", fingerprint: "AB:CD", date: "2027-01-01T00:00:00.000Z", held: "yes", user: "—" });
  });

  it("takes a failure's code as its reason, and the failed check", () => {
    expect(sentenceValues({ outcome: "failure", details: { code: "invalid_file", check: "signature" } })).toMatchObject({
      reason: "invalid_file",
      check: "signature",
    });
    expect(sentenceValues({ outcome: "failure", details: { reason: "wrong_password" } }).reason).toBe("wrong_password");
  });

  it("survives details of the wrong types", () => {
    const values = sentenceValues({ outcome: "success", details: { userName: { nested: 1 }, groups: ["a", "b"], daysLeft: "7" } });
    expect(values).toMatchObject({ user: "—", groups: "a, b", days: 0 });
  });
});
