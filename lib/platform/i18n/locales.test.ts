// The one locale negotiator, shared by the console and the enrollment service.
import { describe, expect, it } from "vitest";
import { negotiateLocale, resolveLocale } from "./locales";

describe("negotiateLocale", () => {
  it.each([
    [undefined, "en"],
    ["", "en"],
    ["sv", "sv"],
    ["sv-SE,sv;q=0.9,en;q=0.8", "sv"],
    ["en-US,en;q=0.9,sv;q=0.8", "en"],
    ["de-DE,sv;q=0.5", "sv"],
    ["fr", "en"],
    ["sv;q=0", "en"],
    ["en;q=0.3, sv;q=0.7", "sv"],
  ])("%s → %s", (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });
});

describe("resolveLocale", () => {
  it("prefers a valid cookie and ignores an invalid one", () => {
    expect(resolveLocale("sv", "en")).toBe("sv");
    expect(resolveLocale("de", "sv")).toBe("sv");
    expect(resolveLocale(undefined, null)).toBe("en");
  });
});
