// Every check and every rejection code has a label/message in English and Swedish.
import { describe, expect, it } from "vitest";
import { certificateMessages, checkMessageKey, reasonMessageKey } from "@/lib/i18n/catalogue/certificates";
import { REQUEST_REJECT_REASONS } from "./renewal-request";
import { CHECK_NAMES, SLC_REJECT_REASONS } from "./verify-slc";

describe("certificate message catalogue", () => {
  it("has identical keys in en and sv, none empty", () => {
    expect(Object.keys(certificateMessages.sv).sort()).toEqual(Object.keys(certificateMessages.en).sort());
    for (const locale of [certificateMessages.en, certificateMessages.sv]) {
      for (const value of Object.values(locale)) expect(value.trim().length).toBeGreaterThan(0);
    }
  });

  it("labels every check and explains every SLC and request rejection", () => {
    for (const name of CHECK_NAMES) expect(certificateMessages.en[checkMessageKey(name)]).toBeTruthy();
    for (const reason of [...SLC_REJECT_REASONS, ...REQUEST_REJECT_REASONS]) {
      expect(certificateMessages.en[reasonMessageKey(reason)]).toMatch(/\. .+\.$/); // what happened. what to do.
      expect(certificateMessages.sv[reasonMessageKey(reason)]).toBeTruthy();
    }
    expect(certificateMessages.en["check.signature"]).toBe("Signature");
    expect(certificateMessages.sv["check.signature"]).toBe("Signatur");
  });
});
