// verifySlc: a genuine SLC passes every check; each kind of hostile or wrong file is refused with its own reason.
import { beforeAll, describe, expect, it } from "vitest";
import { ALG_ENVELOPED, ALG_EXC_C14N } from "@/lib/core/xml/xml-signature";
import {
  createTestPki,
  createUntrustedTestPki,
  issueTestSlc,
  type RawSignOptions,
  signWithXmlCrypto,
  type TestPki,
  type TestSlc,
  type TestSlcPreset,
} from "../../../tests/support/certificate-fixtures";
import { buildSlc } from "./slc";
import { CHECK_NAMES, type CheckName, parseTrustAnchors, type SlcExpectation, type SlcRejectReason, verifySlc } from "./verify-slc";

let pki: TestPki;
let good: TestSlc;

beforeAll(async () => {
  pki = await createTestPki();
  good = await issueTestSlc();
});

function verify(input: Uint8Array | string, expectOverrides: Partial<SlcExpectation> = {}, anchors?: string[]) {
  return verifySlc(input, { trustAnchorsPem: anchors ?? good.trustAnchorsPem, expect: { ...good.expect, ...expectOverrides } });
}

function expectRejected(result: ReturnType<typeof verifySlc>, reason: SlcRejectReason, failed?: CheckName) {
  if (result.ok) throw new Error(`expected rejection ${reason}, but the SLC was accepted`);
  expect(result.reason).toBe(reason);
  if (failed) expect(result.failed).toBe(failed);
  const failures = result.checks.filter((c) => !c.ok);
  expect(failures).toHaveLength(1);
  expect(failures[0]?.reason).toBe(reason);
  expect(failures[0]?.name).toBe(result.failed);
}

function unsignedOf(xml: string): string {
  return xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
}

/** Signs with xml-crypto directly, to build signatures our signer would never produce. */
const customSign = (xml: string, opts: RawSignOptions = {}) => signWithXmlCrypto(pki.ca, xml, opts);

describe("a genuine SLC", () => {
  it("passes every check, in CHECK_NAMES order, with fields read from the signed content", () => {
    const result = verify(good.xml);
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    expect(result.checks.map((c) => c.name)).toEqual([...CHECK_NAMES]);
    expect(result.checks.every((c) => c.ok)).toBe(true);
    expect(result.slc.serverGuid).toBe(good.fields.serverGuid);
    expect(result.slc.requestId).toBe(good.fields.requestId);
    expect(result.slc.validUntil.toISOString()).toBe(good.fields.validUntil.toISOString());
    expect(result.slc.chainSubjects).toHaveLength(3);
    expect(result.slc.issuerSubject).toMatch(/^CN=Test default Enrollment Service, O=Test default$/);
    expect(result.slc.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("accepts the same file as bytes, and is newer than an installed SLC that expires earlier", () => {
    const installed = new Date(good.fields.validUntil.getTime() - 86_400_000);
    expect(verify(new TextEncoder().encode(good.xml), { installedValidUntil: installed }).ok).toBe(true);
  });

  it("tolerates the documented clock skew on validFrom", async () => {
    const slc = await issueTestSlc({ fields: { validFrom: new Date(Date.now() + 60_000) } });
    expect(verifySlc(slc.xml, { trustAnchorsPem: slc.trustAnchorsPem, expect: slc.expect }).ok).toBe(true);
  });
});

describe("tampering and signature structure", () => {
  it("tampered body → digest_mismatch", () => {
    const tampered = good.xml.replace("<NAME>RMS01</NAME>", "<NAME>RMS02</NAME>");
    expect(tampered).not.toBe(good.xml);
    expectRejected(verify(tampered), "digest_mismatch", "signature");
  });

  it("tampered signature value (xml-crypto throws) → signature_invalid", () => {
    const tampered = good.xml.replace(
      /<ds:SignatureValue>(.)(.)/,
      (_m, a: string, b: string) => `<ds:SignatureValue>${a}${b === "A" ? "B" : "A"}`,
    );
    expect(tampered).not.toBe(good.xml);
    expectRejected(verify(tampered), "signature_invalid", "signature");
  });

  it("tampered attribute → digest_mismatch", () => {
    expectRejected(verify(good.xml.replace('version="3.0"', 'version="3.1"')), "digest_mismatch");
  });

  it("signature removed → no_signature", () => {
    expectRejected(verify(unsignedOf(good.xml)), "no_signature", "signature");
  });

  it("signature over a child element only → reference_not_whole_document", () => {
    const unsigned = unsignedOf(good.xml).replace('<BODY type="LICENSE"', '<BODY Id="body" type="LICENSE"');
    const signed = customSign(unsigned, { xpath: "//*[local-name(.)='BODY']", isEmptyUri: false });
    expect(signed).toContain('URI="#body"');
    expectRejected(verify(signed), "reference_not_whole_document", "whole_document");
  });

  it("signature wrapping: genuine signed document moved under an attacker's root → signature_wrapping", () => {
    const inner = good.xml.replace(/^<\?xml[^>]*\?>\s*/, "");
    const evilBody = unsignedOf(inner)
      .replace(/^<XrML version="1.2">/, "")
      .replace(/<\/XrML>\s*$/, "")
      .replace("{", "{F");
    const wrapped = `<?xml version="1.0" encoding="UTF-8"?>\n<XrML version="1.2">${evilBody}<Wrapper>${inner}</Wrapper></XrML>`;
    expectRejected(verify(wrapped), "signature_wrapping", "whole_document");
  });

  it("duplicated signed content (a second BODY) → duplicate_element", () => {
    const evilBody = /<BODY[\s\S]*<\/BODY>/.exec(good.xml)?.[0].replace(good.fields.serverGuid, "{FFFFFFFF-0000-4000-8000-000000000009}");
    expect(evilBody).toBeDefined();
    const duplicated = good.xml.replace('<BODY type="LICENSE"', `${evilBody ?? ""}\n<BODY type="LICENSE"`);
    expectRejected(verify(duplicated), "duplicate_element", "whole_document");
  });

  it("two signatures → multiple_signatures", () => {
    const twice = customSign(good.xml.replace(/^<\?xml[^>]*\?>\s*/, ""));
    expect(twice.match(/<ds:Signature /g)).toHaveLength(2);
    expectRejected(verify(twice), "multiple_signatures", "signature");
  });

  it("comment injected in a signed value (c14n would hide it) → comment", () => {
    const injected = good.xml.replace("<NAME>RMS01</NAME>", "<NAME>RMS<!---->01</NAME>");
    expectRejected(verify(injected), "comment", "input");
  });

  it("ds:Object smuggled into the signature → signature_wrapping", () => {
    const smuggled = good.xml.replace("</ds:KeyInfo>", "</ds:KeyInfo><ds:Object><BODY/></ds:Object>");
    expectRejected(verify(smuggled), "signature_wrapping");
  });

  it("a genuine SLC with content that nothing signs (an element, text or attribute in the signature's unsigned parts) → unsigned_content", () => {
    for (const unsigned of [
      good.xml.replace("</ds:KeyInfo>", "<NAME>RMS02</NAME></ds:KeyInfo>"),
      good.xml.replace("</ds:X509Data>", "RMS02</ds:X509Data>"),
      good.xml.replace("<ds:SignatureValue>", '<ds:SignatureValue name="RMS02">'),
    ]) {
      expect(unsigned).not.toBe(good.xml);
      expectRejected(verify(unsigned), "unsigned_content", "whole_document");
    }
  });
});

describe("trust", () => {
  it("re-signed with a key chained to an untrusted root → untrusted_chain", async () => {
    const untrusted = await createUntrustedTestPki();
    expectRejected(verify(buildSlc(good.fields, untrusted.signer)), "untrusted_chain", "trusted_chain");
  });

  it("embedded self-signed certificate (and its key) → self_signed", async () => {
    const untrusted = await createUntrustedTestPki();
    const selfSigned = buildSlc(good.fields, { privateKeyPem: untrusted.ca.rootKeyPem, certificateChainPem: [untrusted.ca.rootCertPem] });
    expectRejected(verify(selfSigned), "self_signed", "trusted_chain");
  });

  it("signed directly by a trusted CA key (a CA is not an SLC signer) → invalid_chain", () => {
    const byCa = buildSlc(good.fields, { privateKeyPem: pki.ca.caKeyPem, certificateChainPem: [pki.ca.caCertPem] });
    expectRejected(verify(byCa), "invalid_chain", "trusted_chain");
  });

  it("valid chain but the signature made with another key → signature_invalid", async () => {
    const untrusted = await createUntrustedTestPki();
    const forged = buildSlc(good.fields, {
      privateKeyPem: untrusted.ca.serviceKeyPem,
      certificateChainPem: [pki.ca.serviceCertPem, pki.ca.caCertPem],
    });
    expectRejected(verify(forged), "signature_invalid", "signature");
  });

  it("no certificate in KeyInfo → no_certificate", () => {
    const stripped = good.xml.replace(/<ds:KeyInfo>[\s\S]*<\/ds:KeyInfo>/, "");
    expectRejected(verify(stripped), "no_certificate", "trusted_chain");
  });

  it("chain certificate expired → chain_expired", async () => {
    const slc = await issueTestSlc({ preset: "expired_chain" });
    expectRejected(verifySlc(slc.xml, { trustAnchorsPem: slc.trustAnchorsPem, expect: slc.expect }), "chain_expired", "trusted_chain");
  });

  it("parseTrustAnchors keeps CA certificates and refuses an end-entity one", () => {
    expect(parseTrustAnchors(`junk\n${pki.ca.rootCertPem}\n${pki.ca.caCertPem}`)).toHaveLength(2);
    expect(parseTrustAnchors("no certificates here")).toEqual([]);
    expect(() => parseTrustAnchors(pki.ca.serviceCertPem)).toThrow(/not a CA certificate/);
  });
});

describe("algorithms and transforms", () => {
  const unsigned = () => unsignedOf(good.xml);

  it("RSA-SHA1 with SHA-1 digest → disallowed_algorithm", () => {
    const sha1 = customSign(unsigned(), {
      signatureAlgorithm: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
      digestAlgorithm: "http://www.w3.org/2000/09/xmldsig#sha1",
    });
    expectRejected(verify(sha1), "disallowed_algorithm", "algorithms");
  });

  it("SHA-1 digest under RSA-SHA256 → disallowed_algorithm", () => {
    expectRejected(
      verify(customSign(unsigned(), { digestAlgorithm: "http://www.w3.org/2000/09/xmldsig#sha1" })),
      "disallowed_algorithm",
      "algorithms",
    );
  });

  it("HMAC-SHA1 → disallowed_algorithm", () => {
    const hmac = customSign(unsigned(), {
      hmac: true,
      signatureAlgorithm: "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
      privateKey: Buffer.from("shared secret"),
    });
    expect(hmac).toContain("hmac-sha1");
    expectRejected(verify(hmac), "disallowed_algorithm", "algorithms");
  });

  it("exclusive c14n WithComments → disallowed_algorithm", () => {
    const withComments = customSign(unsigned(), { canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#WithComments" });
    expectRejected(verify(withComments), "disallowed_algorithm", "algorithms");
  });

  it("an extra XPath transform → extra_transform", () => {
    const xpath = good.xml.replace(
      `<ds:Transform Algorithm="${ALG_EXC_C14N}"/>`,
      `<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::BODY)</ds:XPath></ds:Transform><ds:Transform Algorithm="${ALG_EXC_C14N}"/>`,
    );
    expect(xpath).not.toBe(good.xml);
    expectRejected(verify(xpath), "extra_transform", "algorithms");
  });

  it("an XSLT transform → extra_transform", () => {
    const xslt = good.xml.replace(
      `<ds:Transform Algorithm="${ALG_EXC_C14N}"/>`,
      `<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xslt-19991116"/>`,
    );
    expectRejected(verify(xslt), "extra_transform", "algorithms");
  });

  it("only the enveloped transform (implicit inclusive c14n) → extra_transform", () => {
    expectRejected(verify(customSign(unsigned(), { transforms: [ALG_ENVELOPED] })), "extra_transform", "algorithms");
  });
});

describe("hostile XML", () => {
  const body = () => good.xml.replace(/^<\?xml[^>]*\?>\s*/, "");

  it("plain DOCTYPE → doctype", () => {
    expectRejected(verify(`<!DOCTYPE XrML>\n${body()}`), "doctype", "input");
  });

  it("DOCTYPE with internal entities → entity", () => {
    const doc = `<?xml version="1.0"?><!DOCTYPE XrML [<!ENTITY name "RMS01">]>\n${body().replace("<NAME>RMS01</NAME>", "<NAME>&name;</NAME>")}`;
    expectRejected(verify(doc), "entity", "input");
  });

  it("external entity → entity", () => {
    const doc = `<?xml version="1.0"?><!DOCTYPE XrML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${body().replace("<NAME>RMS01</NAME>", "<NAME>&xxe;</NAME>")}`;
    expectRejected(verify(doc), "entity", "input");
  });

  it("billion laughs → entity", () => {
    const lol = Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("");
    const doc = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${lol}]><XrML>&lol9;</XrML>`;
    expectRejected(verify(doc), "entity", "input");
  });

  it("100k-deep nesting is over the size cap before any parsing → too_large", () => {
    expectRejected(verify(`${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`), "too_large", "input");
  });

  it("nesting deeper than 64 within the size cap → too_deep", () => {
    expectRejected(verify(`<XrML>${"<a>".repeat(65)}${"</a>".repeat(65)}</XrML>`), "too_deep", "input");
  });

  it("5 MB attribute → too_large", () => {
    expectRejected(verify(`<XrML a="${"x".repeat(5 * 1024 * 1024)}"/>`), "too_large", "input");
  });

  it("UTF-16 input → not_utf8", () => {
    const utf16 = Buffer.from(`\uFEFF${good.xml.replace('encoding="UTF-8"', 'encoding="UTF-16"')}`, "utf16le");
    expectRejected(verify(utf16), "not_utf8", "input");
  });

  it("invalid UTF-8 bytes → not_utf8", () => {
    const bytes = Buffer.concat([Buffer.from(good.xml.slice(0, 100)), Buffer.from([0xc3, 0x28]), Buffer.from(good.xml.slice(100))]);
    expectRejected(verify(bytes), "not_utf8", "input");
  });

  it("a processing instruction → processing_instruction", () => {
    expectRejected(verify(good.xml.replace("<BODY", '<?xml-stylesheet href="x"?><BODY')), "processing_instruction", "input");
  });

  it("empty, truncated and non-SLC files", () => {
    expectRejected(verify(""), "empty", "input");
    expectRejected(verify(good.xml.slice(0, good.xml.length - 20)), "malformed", "input");
    expectRejected(verify("<RenewalRequest/>"), "not_slc", "input");
  });
});

describe("business checks", () => {
  async function presetResult(preset: TestSlcPreset) {
    const slc = await issueTestSlc({ preset });
    return verifySlc(slc.xml, { trustAnchorsPem: slc.trustAnchorsPem, expect: slc.expect });
  }

  it("expired SLC → expired", async () => expectRejected(await presetResult("expired"), "expired", "validity"));
  it("not-yet-valid SLC → not_yet_valid", async () => expectRejected(await presetResult("not_yet_valid"), "not_yet_valid", "validity"));
  it("SLC for another cluster's key → wrong_public_key", async () =>
    expectRejected(await presetResult("other_key"), "wrong_public_key", "public_key"));
  it("SLC for another GUID → wrong_guid", async () => expectRejected(await presetResult("other_guid"), "wrong_guid", "guid"));
  it("SLC for another URL → wrong_url", async () => expectRejected(await presetResult("other_url"), "wrong_url", "url"));
  it("SLC answering a different request → wrong_request", async () =>
    expectRejected(await presetResult("other_request"), "wrong_request", "request"));
  it("untrusted preset → untrusted_chain", async () => expectRejected(await presetResult("untrusted"), "untrusted_chain", "trusted_chain"));

  it("no open request → no_pending_request", () => {
    expectRejected(verify(good.xml, { pendingRequestId: null }), "no_pending_request", "request");
  });

  it("older than (or as old as) the installed SLC → not_newer", () => {
    expectRejected(verify(good.xml, { installedValidUntil: good.fields.validUntil }), "not_newer", "newer_than_installed");
    const later = new Date(good.fields.validUntil.getTime() + 86_400_000);
    expectRejected(verify(good.xml, { installedValidUntil: later }), "not_newer", "newer_than_installed");
  });

  it("a serial on the revocation list → revoked, whether the list writes it with its leading zeros or without", async () => {
    // One service serial in 256 starts with 00; a CRL entry, an INTEGER, carries it without (the console's CRL reader).
    const slc = await issueTestSlc({ fields: { serialNumber: "00A32B79AD6C2EB217DD6E8AA293B440" } });
    const entry = { reason: "keyCompromise", revokedAt: "2026-12-06T16:19:18.000Z" };
    for (const serial of ["A32B79AD6C2EB217DD6E8AA293B440", "00a32b79ad6c2eb217dd6e8aa293b440"]) {
      const result = verifySlc(slc.xml, {
        trustAnchorsPem: slc.trustAnchorsPem,
        expect: { ...slc.expect, revoked: [{ serial, ...entry }] },
      });
      expectRejected(result, "revoked", "not_revoked");
    }
    const other = { serial: "A32B79AD6C2EB217DD6E8AA293B441", ...entry };
    expect(verifySlc(slc.xml, { trustAnchorsPem: slc.trustAnchorsPem, expect: { ...slc.expect, revoked: [other] } }).ok).toBe(true);
  });

  it("GUID and URL comparisons ignore case and a trailing slash", () => {
    const result = verify(good.xml, { clusterGuid: good.fields.serverGuid.toLowerCase(), clusterUrl: `${good.fields.clusterUrl}/` });
    expect(result.ok).toBe(true);
  });
});
