// The catalogues: the same keys in both languages, nothing empty, and every message valid ICU.
import { createTranslator } from "use-intl/core";
import { describe, expect, it } from "vitest";
import { LOCALES } from "./locales";
import { messagesFor, translatorFor } from "./messages";

function leaves(node: unknown, prefix = ""): Array<[string, string]> {
  if (typeof node === "string") return [[prefix, node]];
  if (typeof node !== "object" || node === null) throw new Error(`not a message: ${prefix}`);
  return Object.entries(node).flatMap(([key, value]) => leaves(value, prefix ? `${prefix}.${key}` : key));
}

// A value for every placeholder name the catalogues use; counts are numbers (plurals), the rest text.
const numbers = ["seconds", "minutes", "days", "from", "to", "total", "page", "pages", "count"];
const texts = [
  "time",
  "user",
  "url",
  "detail",
  "message",
  "check",
  "reason",
  "limit",
  "file",
  "date",
  "subject",
  "issuer",
  "code",
  "requestId",
  "name",
  "server",
  "domain",
  "cluster",
  "variables",
  "site",
  "outcome",
  "group",
  "groups",
  "target",
  "fingerprint",
  "held",
  "fields",
  "changed",
  "because",
  "host",
  "serial",
  "submissionId",
];
const values = Object.fromEntries([...numbers.map((n) => [n, 2]), ...texts.map((n) => [n, n])]);

describe("message catalogues", () => {
  it("have the same keys in en and sv, none empty", () => {
    const keys = (locale: "en" | "sv") => leaves(messagesFor(locale)).map(([key]) => key);
    expect(keys("sv")).toEqual(keys("en"));
    for (const locale of LOCALES) for (const [key, text] of leaves(messagesFor(locale))) expect(text.trim(), key).not.toBe("");
  });

  it("parse as ICU messages and fill every placeholder", () => {
    for (const locale of LOCALES) {
      const t = createTranslator({
        locale,
        messages: messagesFor(locale),
        onError: (error) => {
          throw error;
        },
      });
      const format = t as unknown as (key: string, values: Record<string, string | number>) => string;
      for (const [key] of leaves(messagesFor(locale))) {
        expect(format(key, values), key).not.toMatch(/[{}]/);
      }
    }
  });

  it("use plurals where a count is shown", () => {
    expect(translatorFor("en")("badge.daysLeft", { days: 1 })).toBe("1 day left");
    expect(translatorFor("en")("badge.daysLeft", { days: 12 })).toBe("12 days left");
    expect(translatorFor("sv")("badge.daysLeft", { days: 1 })).toBe("1 dag kvar");
    expect(translatorFor("sv")("signIn.throttled", { seconds: 30 })).toContain("Vänta 30 sekunder");
    expect(translatorFor("en")("global.range", { from: 1, to: 50, total: 1000 })).toBe("Web sites 1–50 of 1000");
  });
});
