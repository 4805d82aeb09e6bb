import { describe, expect, it } from "vitest";
import { daysLeft, expiryChangesAt, expiryStatus } from "./expiry";

const now = new Date("2026-11-25T12:00:00Z");
const inDays = (d: number) => new Date(now.getTime() + d * 86_400_000);

describe("expiryStatus", () => {
  it.each([
    [400, "valid"],
    [30.5, "valid"],
    [30, "expires_in_30"],
    [20, "expires_in_30"],
    [7, "expires_in_7"],
    [0.1, "expires_in_7"],
    [0, "expired"],
    [-3, "expired"],
  ] as const)("%s days left → %s", (days, status) => {
    expect(expiryStatus(inDays(days), now)).toBe(status);
  });

  it("counts partial days as a day", () => {
    expect(daysLeft(inDays(0.1), now)).toBe(1);
    expect(daysLeft(inDays(20), now)).toBe(20);
    expect(daysLeft(inDays(-1), now)).toBe(0);
  });
});

describe("expiryChangesAt", () => {
  const shown = (validUntil: Date, at: Date) => `${expiryStatus(validUntil, at)}/${daysLeft(validUntil, at)}`;

  it.each([400, 30.5, 30.25, 30, 8, 7.000001, 7, 1, 0.1])("with %s days left: what is shown holds until then and changes then", (days) => {
    const validUntil = inDays(days);
    const change = expiryChangesAt(validUntil, now);
    if (!change) throw new Error("expected a next change");
    expect(change.getTime()).toBeGreaterThan(now.getTime());
    expect(shown(validUntil, new Date(change.getTime() - 1))).toBe(shown(validUntil, now));
    expect(shown(validUntil, change)).not.toBe(shown(validUntil, now));
  });

  it("has no next change once expired", () => {
    expect(expiryChangesAt(inDays(0), now)).toBeNull();
    expect(expiryChangesAt(inDays(-2), now)).toBeNull();
  });
});
