import { describe, expect, it } from "vitest";
import { daysLeft, expiryStatus } from "./expiry";

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
