// Sentence values read defensively from every shape of details.
import { describe, expect, it } from "vitest";
import { SLC_REJECT_REASONS } from "@/lib/core/certificates/verify-slc";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { reasonText, sentenceValues } from "./describe";

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

describe("audit rejection reasons in words", () => {
  const refused = (rejectReason: string) =>
    sentenceValues({ outcome: "failure", details: { code: "invalid_file", check: "input", rejectReason, detail: "raw" } });

  it.each([
    ["empty", "the check “File format” failed: the file is empty"],
    ["malformed", "the check “File format” failed: the file is not valid XML"],
    ["not_utf8", "the check “File format” failed: the file is not UTF-8 text"],
    [
      "not_slc",
      "the check “File format” failed: the file is not a server licensor certificate (the request file instead of the certificate, for example)",
    ],
  ])("names the failed check and why (%s) in English", (code, sentence) => {
    expect(reasonText(translatorFor("en"), refused(code))).toBe(sentence);
  });

  it.each([
    ["empty", "kontrollen ”Filformat” misslyckades: filen är tom"],
    ["malformed", "kontrollen ”Filformat” misslyckades: filen är inte giltig XML"],
    ["not_utf8", "kontrollen ”Filformat” misslyckades: filen är inte UTF-8-text"],
    [
      "not_slc",
      "kontrollen ”Filformat” misslyckades: filen är inte ett serverlicensieringscertifikat (till exempel begäransfilen i stället för certifikatet)",
    ],
  ])("names the failed check and why (%s) in Swedish", (code, sentence) => {
    expect(reasonText(translatorFor("sv"), refused(code))).toBe(sentence);
  });

  it("words every reason the verifier gives, in both languages", () => {
    for (const locale of ["en", "sv"] as const) {
      const t = translatorFor(locale);
      for (const code of SLC_REJECT_REASONS) {
        const text = reasonText(t, { check: "signature", rejectReason: code, reason: "invalid_file" });
        // A sentence after the check, never the catalogue key or the bare code.
        expect(text).toMatch(locale === "en" ? /^the check “Signature” failed: [a-z]/ : /^kontrollen ”Signatur” misslyckades: [a-zåäö]/);
        expect(text).not.toContain("rejectReason");
        expect(text).not.toMatch(/_/);
      }
    }
  });

  it("keeps older rows without a reason code, and non-file reasons, as before", () => {
    const t = translatorFor("en");
    expect(reasonText(t, { check: "signature", rejectReason: "—", reason: "invalid_file" })).toBe("the check “Signature” failed");
    expect(reasonText(t, { check: "—", rejectReason: "—", reason: "wrong_password" })).toBe("wrong password");
    expect(reasonText(t, { check: "—", rejectReason: "—", reason: "something_new" })).toBe("something_new");
  });
});
