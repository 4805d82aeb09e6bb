// Every transformation a transfer can do to a genuine SLC: refused with a named reason, or installed as the exact file
// the service issued (same fingerprint). The online-renewal half of this is tests/integration/slc-transfer.test.ts.
import { beforeAll, describe, expect, it } from "vitest";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { issueTestSlc, type TestSlc } from "../../../tests/support/certificate-fixtures";
import { documentFingerprint } from "./keys";
import { type SlcRejectReason, verifySlc } from "./verify-slc";

let good: TestSlc;

beforeAll(async () => {
  good = await issueTestSlc();
});

function verify(input: Uint8Array | string) {
  return verifySlc(input, { trustAnchorsPem: good.trustAnchorsPem, expect: good.expect });
}

/** What a transfer (or an attacker between service and console) can do to the file, and what must come of it. */
const TRANSFER_CASES: ReadonlyArray<{
  name: string;
  change: (xml: string) => string | Uint8Array;
  outcome: "installed" | SlcRejectReason;
}> = [
  { name: "unchanged", change: (x) => x, outcome: "installed" },
  { name: "CRLF line endings", change: (x) => x.replace(/\n/g, "\r\n"), outcome: "installed" },
  { name: "CR line endings", change: (x) => x.replace(/\n/g, "\r"), outcome: "installed" },
  { name: "UTF-8 byte-order mark", change: (x) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(x)]), outcome: "installed" },
  { name: "BOM, CRLF and a final newline", change: (x) => `\uFEFF${x.replace(/\n/g, "\r\n")}\r\n`, outcome: "installed" },
  { name: "re-indented body", change: (x) => x.replace("<DESCRIPTOR>", "\n  <DESCRIPTOR>"), outcome: "digest_mismatch" },
  {
    name: "re-indented signature",
    change: (x) => x.replace("<ds:SignatureValue>", "\n  <ds:SignatureValue>"),
    outcome: "unsigned_content",
  },
  { name: "re-indented KeyInfo", change: (x) => x.replace("<ds:X509Data>", "\n    <ds:X509Data>"), outcome: "key_info_extra" },
  { name: "wrapped SignatureValue", change: (x) => x.replace(/(<ds:SignatureValue>.{64})/, "$1\n"), outcome: "unsigned_content" },
  {
    name: "character reference in an attribute",
    change: (x) => x.replace('version="1.2"', 'version="1&#x2E;2"'),
    outcome: "character_reference",
  },
  { name: "character reference in text", change: (x) => x.replace("<ALGORITHM>RSA", "<ALGORITHM>&#82;SA"), outcome: "character_reference" },
  {
    name: "reordered attributes",
    change: (x) => x.replace('<BODY type="LICENSE" version="3.0">', '<BODY version="3.0" type="LICENSE">'),
    outcome: "reformatted",
  },
  { name: "single quotes", change: (x) => x.replace('version="1.2"', "version='1.2'"), outcome: "reformatted" },
  { name: "XML 1.1", change: (x) => x.replace('<?xml version="1.0"', '<?xml version="1.1"'), outcome: "xml_version" },
  { name: "no XML declaration", change: (x) => x.replace(/^<\?xml[^>]*>\n/, ""), outcome: "xml_declaration" },
  {
    name: "unsigned element in KeyInfo",
    change: (x) => x.replace("<ds:KeyInfo>", "<ds:KeyInfo><ds:KeyName>attacker</ds:KeyName>"),
    outcome: "unsigned_content",
  },
  {
    name: "character reference and unsigned KeyInfo content (the reported attack)",
    change: (x) => x.replace('version="1.2"', 'version="1&#x2E;2"').replace("</ds:X509Data>", "</ds:X509Data><ds:KeyName>x</ds:KeyName>"),
    outcome: "unsigned_content",
  },
  { name: "attribute on the signature", change: (x) => x.replace("<ds:Signature ", '<ds:Signature Id="x" '), outcome: "unsigned_content" },
  { name: "unsigned element in the body", change: (x) => x.replace("</BODY>", "<NOTE>x</NOTE></BODY>"), outcome: "digest_mismatch" },
];

describe("a genuine SLC through a transfer", () => {
  for (const c of TRANSFER_CASES) {
    it(`${c.name}: ${c.outcome === "installed" ? "installed as issued" : `refused (${c.outcome})`}`, () => {
      const result = verify(c.change(good.xml));
      if (c.outcome === "installed") {
        if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
        expect(result.slc.document).toBe(good.xml);
        expect(result.slc.fingerprint).toBe(documentFingerprint(good.xml));
        return;
      }
      if (result.ok) throw new Error(`expected ${c.outcome}, but the file was accepted`);
      expect(result.reason).toBe(c.outcome);
      // The administrator is told why, in both languages, and that nothing was installed.
      for (const [locale, nothing] of [
        ["en", "Nothing was installed."],
        ["sv", "Inget installerades."],
      ] as const) {
        const t = translatorFor(locale);
        const message = t("failure.invalid_file", { check: t(`check.${result.failed}`), reason: t(`reason.${result.reason}`) });
        expect(message).toContain(nothing);
        expect(message).toContain(t(`reason.${result.reason}`));
      }
    });
  }
});
