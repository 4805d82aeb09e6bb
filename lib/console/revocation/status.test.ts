import { describe, expect, it } from "vitest";
import { revocationStatusChangesAt } from "./status";

const checkedAt = new Date("2026-12-05T06:00:00Z");
const nextUpdate = new Date("2026-12-06T06:00:00Z");

describe("revocationStatusChangesAt", () => {
  it("is the first instant past the list's next update for a 'not revoked' (it then reads as unknown)", () => {
    expect(revocationStatusChangesAt({ state: "good", serialNumber: "01", checkedAt, nextUpdate })).toEqual(
      new Date(nextUpdate.getTime() + 1),
    );
  });

  it("is never for a status time does not change", () => {
    expect(revocationStatusChangesAt({ state: "no_certificate" })).toBeNull();
    expect(
      revocationStatusChangesAt({ state: "revoked", serialNumber: "01", reason: "keyCompromise", revokedAt: checkedAt, checkedAt }),
    ).toBeNull();
    expect(revocationStatusChangesAt({ state: "unknown", serialNumber: "01", checkedAt, detail: "stale" })).toBeNull();
  });
});
