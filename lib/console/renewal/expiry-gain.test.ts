import { describe, expect, it } from "vitest";
import { asksBeforeReplacing, CONFIRM_DAYS_LEFT, expiryGain, SHORT_GAIN_DAYS } from "./expiry-gain";

const installed = new Date("2026-12-01T12:00:00Z");
const later = (ms: number) => new Date(installed.getTime() + ms);
const DAY = 86_400_000;

describe("expiryGain", () => {
  it("a first certificate has nothing to compare with", () => {
    expect(expiryGain(null, installed)).toEqual({ kind: "first" });
  });

  it("a year's renewal gains 365 days and is not short", () => {
    expect(expiryGain(installed, later(365 * DAY))).toEqual({ kind: "extends", days: 365, short: false });
  });

  it("one minute later is a gain of 0 whole days, called out as short", () => {
    expect(expiryGain(installed, later(60_000))).toEqual({ kind: "extends", days: 0, short: true });
  });

  it("the short threshold is exclusive", () => {
    expect(expiryGain(installed, later(SHORT_GAIN_DAYS * DAY))).toMatchObject({ kind: "extends", short: false });
    expect(expiryGain(installed, later(SHORT_GAIN_DAYS * DAY - 1))).toMatchObject({ short: true });
  });

  it("the same or an earlier expiry is not later", () => {
    expect(expiryGain(installed, installed)).toEqual({ kind: "not_later", days: 0 });
    expect(expiryGain(installed, later(-3 * DAY))).toEqual({ kind: "not_later", days: -3 });
  });
});

describe("asksBeforeReplacing (online renewal's rule, the offline confirmation's warning)", () => {
  const now = new Date("2026-11-11T12:00:00Z"); // the installed certificate has 20 days left
  it("a first certificate replaces nothing", () => {
    expect(asksBeforeReplacing(null, later(0), now, CONFIRM_DAYS_LEFT)).toBe(false);
  });
  it("a due certificate renewed for a year is installed without asking", () => {
    expect(asksBeforeReplacing(installed, later(345 * DAY), now, CONFIRM_DAYS_LEFT)).toBe(false);
  });
  it("a gain under 30 days asks, however few days are left", () => {
    expect(asksBeforeReplacing(installed, later(60_000), now, CONFIRM_DAYS_LEFT)).toBe(true);
  });
  it("more days left than the setting asks, even for a full year's gain", () => {
    expect(asksBeforeReplacing(installed, later(365 * DAY), now, 10)).toBe(true);
    expect(asksBeforeReplacing(installed, later(365 * DAY), now, 20)).toBe(false);
  });
});
