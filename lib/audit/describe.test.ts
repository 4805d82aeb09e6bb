// One actor format and sentence values read defensively from every shape of details.
import { describe, expect, it } from "vitest";
import { actorView, sentenceValues } from "./describe";

const qualify = (name: string) => `RMS01\\${name}`;

describe("audit actors", () => {
  it("shows people as DOMAIN\\user whichever way the row named them", () => {
    expect(actorView("alice", qualify)).toEqual({ kind: "person", name: "RMS01\\alice" });
    expect(actorView("RMS01\\alice", qualify)).toEqual({ kind: "person", name: "RMS01\\alice" });
    expect(actorView("CONTOSO\\bob", qualify)).toEqual({ kind: "person", name: "CONTOSO\\bob" });
    expect(actorView("cli:root", qualify)).toEqual({ kind: "cli", name: "RMS01\\root" });
  });

  it("names the console's own actors as the system", () => {
    expect(actorView("monitor", qualify)).toEqual({ kind: "system", system: "monitor" });
    expect(actorView("auto-renewal", qualify)).toEqual({ kind: "system", system: "autoRenewal" });
    expect(actorView("setup", qualify)).toEqual({ kind: "system", system: "setup" });
    expect(actorView(null, qualify)).toEqual({ kind: "none" });
    // A person whose name merely resembles an object property is still a person.
    expect(actorView("constructor", qualify)).toEqual({ kind: "person", name: "RMS01\\constructor" });
  });
});

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
