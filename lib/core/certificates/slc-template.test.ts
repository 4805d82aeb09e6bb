// buildSlc writes the SLC from a canonical template and signs it with one hash and one RSA signature: the result must be
// byte for byte what xml-crypto's enveloped signature of the same document gives, for ordinary and awkward field text,
// and the verifier must accept it (Debian's xmlsec1 verifies it too: interop.test.ts).
import { beforeAll, describe, expect, it } from "vitest";
import { issueTestSlc, signWithXmlCrypto, type TestSlc } from "../../../tests/support/certificate-fixtures";
import { buildSlc, prepareSlcSigner, type SlcFields } from "./slc";
import { verifySlc } from "./verify-slc";

let good: TestSlc;
beforeAll(async () => {
  good = await issueTestSlc();
});

const unsignedOf = (xml: string) => xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");

const awkward: Array<[string, Partial<SlcFields>]> = [
  ["ordinary fields", {}],
  ["markup characters in the names", { serverName: "RMS <01> & \"quoted\" 'single'", issuerName: "Issuer & <Co> >" }],
  ["a carriage return, a tab and a line feed in a name", { serverName: "RMS\r\n01\tEast" }],
  ["non-ASCII text", { serverName: "Ålands Räkning ÖST", issuerName: "Tjänst för registrering ✓" }],
  [
    "surrounding spaces (trimmed) and a lower-case serial (upper-cased)",
    { serverName: "  RMS01  ", serialNumber: "abcdef0123456789abcdef0123456789" },
  ],
  ["a URL with a query and an ampersand", { clusterUrl: "https://rms01.contoso.example/_wmcs?a=1&b=2" }],
];

describe("the SLC template", () => {
  it.each(awkward)("signs %s exactly as xml-crypto does, and the verifier accepts it", (_name, overrides) => {
    const fields = { ...good.fields, ...overrides };
    const templated = buildSlc(fields, prepareSlcSigner(good.pki.signer));
    // The reference: xml-crypto signs the same unsigned document with the same key and chain.
    expect(templated).toBe(signWithXmlCrypto(good.pki.ca, unsignedOf(templated)));
    expect(buildSlc(fields, good.pki.signer)).toBe(templated);
    const verdict = verifySlc(templated, {
      trustAnchorsPem: good.trustAnchorsPem,
      expect: { ...good.expect, clusterUrl: fields.clusterUrl.trim() },
    });
    if (!verdict.ok) throw new Error(`refused: ${verdict.reason}`);
    expect(verdict.slc.serverName).toBe(fields.serverName.trim());
  });

  it("refuses fields a verifier would refuse, before signing", () => {
    expect(() => buildSlc({ ...good.fields, serverGuid: "not-a-guid" }, good.pki.signer)).toThrow(/Invalid SLC fields/);
    expect(() => buildSlc({ ...good.fields, serverName: "RMS\u000701" }, good.pki.signer)).toThrow(/Invalid SLC fields/);
    expect(() => buildSlc({ ...good.fields, requestId: "1234" }, good.pki.signer)).toThrow(/Invalid SLC fields/);
  });
});
