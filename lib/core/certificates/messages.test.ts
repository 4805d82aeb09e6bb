// Every check and every rejection code has a label/message in English and Swedish.
import { describe, expect, it } from "vitest";
import { LOCALES } from "@/lib/platform/i18n/locales";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { REQUEST_REJECT_REASONS } from "./renewal-request";
import { CHECK_NAMES, SLC_REJECT_REASONS } from "./verify-slc";

describe("certificate messages", () => {
  it("label every check and explain every SLC and request rejection", () => {
    for (const locale of LOCALES) {
      const t = translatorFor(locale);
      for (const name of CHECK_NAMES) expect(t.has(`check.${name}`), name).toBe(true);
      for (const reason of [...SLC_REJECT_REASONS, ...REQUEST_REJECT_REASONS]) expect(t.has(`reason.${reason}`), reason).toBe(true);
    }
    for (const reason of [...SLC_REJECT_REASONS, ...REQUEST_REJECT_REASONS]) {
      expect(translatorFor("en")(`reason.${reason}`)).toMatch(/\. .+\.$/); // what happened. what to do.
    }
    expect(translatorFor("en")("check.signature")).toBe("Signature");
    expect(translatorFor("sv")("check.signature")).toBe("Signatur");
  });
});
