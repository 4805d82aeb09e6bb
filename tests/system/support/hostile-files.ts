// Hostile SLC files for a real cluster's open request: the constructions of lib/core/certificates/verify-slc.test.ts,
// signed with the running enrollment service's own CA where a trusted signature is needed. Used over HTTP (Vitest)
// and through the Renew dialog in Chromium (e2e/attacks.spec.ts).
import "reflect-metadata";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { buildSlc, type SlcFields, type SlcSigner } from "@/lib/core/certificates/slc";
import type { CheckName, SlcRejectReason } from "@/lib/core/certificates/verify-slc";
import { ALG_EXC_C14N } from "@/lib/core/xml/xml-signature";
import { createCaHierarchy, type StationCa } from "@/lib/enrollment/ca";
import { loadOrCreateCa } from "@/lib/enrollment/store";
import { createTestCluster, createUntrustedTestPki, signWithXmlCrypto } from "@/tests/support/certificate-fixtures";

const DAY_MS = 86_400_000;

export interface HostileFile {
  name: string;
  bytes: Buffer;
  /** The check and reason the console must name; "too_large" is refused by the upload cap before any check. */
  expect: { check: CheckName; reason: SlcRejectReason } | "too_large";
}

/** The running enrollment service's CA (its data folder is `<RMS_DATA_DIR>/enrollment`). */
export async function enrollmentCa(enrollmentRmsDataDir: string): Promise<StationCa> {
  const loaded = await loadOrCreateCa({
    dataDir: path.join(enrollmentRmsDataDir, "enrollment"),
    organization: "unused",
    createCa: createCaHierarchy,
  });
  return loaded.material;
}

/** SLC fields answering an exported renewal request, read from the request document. */
function fieldsForRequest(requestXml: string, overrides: Partial<SlcFields> = {}): SlcFields {
  const pick = (element: string) => {
    const value = new RegExp(`<${element}>([^<]+)</${element}>`).exec(requestXml)?.[1];
    if (!value) throw new Error(`request has no ${element}`);
    return value.replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
  };
  const now = new Date();
  return {
    serialNumber: randomUUID().replace(/-/g, "").toUpperCase(),
    issuedAt: now,
    validFrom: now,
    validUntil: new Date(now.getTime() + 400 * DAY_MS),
    issuerName: "RMS Enrollment Service",
    serverGuid: pick("GUID"),
    serverName: pick("ServerName"),
    clusterUrl: pick("URL"),
    publicKeyBase64: pick("PublicKey"),
    requestId: pick("RequestId"),
    ...overrides,
  };
}

function unsignedOf(xml: string): string {
  return xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
}

const customSign = signWithXmlCrypto;

/** A genuine SLC for the open request, signed by the enrollment service's key (what the console should accept). */
export function genuineSlc(ca: StationCa, requestXml: string, overrides: Partial<SlcFields> = {}): string {
  const signer: SlcSigner = { privateKeyPem: ca.serviceKeyPem, certificateChainPem: [ca.serviceCertPem, ca.caCertPem] };
  return buildSlc(fieldsForRequest(requestXml, overrides), signer);
}

/** Every hostile file of the certificates work, for this cluster's open request. */
export async function hostileFiles(ca: StationCa, requestXml: string): Promise<HostileFile[]> {
  const good = genuineSlc(ca, requestXml);
  const fields = fieldsForRequest(requestXml);
  const untrusted = await createUntrustedTestPki();
  const body = good.replace(/^<\?xml[^>]*\?>\s*/, "");
  const now = Date.now();
  const files: Array<[string, string | Buffer, HostileFile["expect"]]> = [
    [
      "tampered body",
      good.replace(/(<UNTIL>\d{3})(\d)/, (_m, h: string, d: string) => `${h}${(Number(d) + 1) % 10}`),
      { check: "signature", reason: "digest_mismatch" },
    ],
    [
      "tampered signature value",
      good.replace(/<ds:SignatureValue>(.)(.)/, (_m, a: string, b: string) => `<ds:SignatureValue>${a}${b === "A" ? "B" : "A"}`),
      { check: "signature", reason: "signature_invalid" },
    ],
    ["signature removed", unsignedOf(good), { check: "signature", reason: "no_signature" }],
    [
      "signature over a child element only",
      customSign(ca, unsignedOf(good).replace('<BODY type="LICENSE"', '<BODY Id="body" type="LICENSE"'), {
        xpath: "//*[local-name(.)='BODY']",
        isEmptyUri: false,
      }),
      { check: "whole_document", reason: "reference_not_whole_document" },
    ],
    [
      "signature wrapping",
      `<?xml version="1.0" encoding="UTF-8"?>\n<XrML version="1.2">${unsignedOf(body)
        .replace(/^<XrML version="1.2">/, "")
        .replace(/<\/XrML>\s*$/, "")
        .replace("{", "{F")}<Wrapper>${body}</Wrapper></XrML>`,
      { check: "whole_document", reason: "signature_wrapping" },
    ],
    ["two signatures", customSign(ca, body), { check: "signature", reason: "multiple_signatures" }],
    ["comment injection", good.replace(/<NAME>([^<])/, "<NAME><!---->$1"), { check: "input", reason: "comment" }],
    ["untrusted root", buildSlc(fields, untrusted.signer), { check: "trusted_chain", reason: "untrusted_chain" }],
    [
      "self-signed",
      buildSlc(fields, { privateKeyPem: untrusted.ca.rootKeyPem, certificateChainPem: [untrusted.ca.rootCertPem] }),
      { check: "trusted_chain", reason: "self_signed" },
    ],
    [
      "SHA-1",
      customSign(ca, unsignedOf(good), {
        signatureAlgorithm: "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
        digestAlgorithm: "http://www.w3.org/2000/09/xmldsig#sha1",
      }),
      { check: "algorithms", reason: "disallowed_algorithm" },
    ],
    [
      "HMAC",
      customSign(ca, unsignedOf(good), {
        hmac: true,
        signatureAlgorithm: "http://www.w3.org/2000/09/xmldsig#hmac-sha1",
        privateKey: Buffer.from("shared secret"),
      }),
      { check: "algorithms", reason: "disallowed_algorithm" },
    ],
    [
      "extra XPath transform",
      good.replace(
        `<ds:Transform Algorithm="${ALG_EXC_C14N}"/>`,
        `<ds:Transform Algorithm="http://www.w3.org/TR/1999/REC-xpath-19991116"><ds:XPath>not(ancestor-or-self::BODY)</ds:XPath></ds:Transform><ds:Transform Algorithm="${ALG_EXC_C14N}"/>`,
      ),
      { check: "algorithms", reason: "extra_transform" },
    ],
    [
      "DOCTYPE with internal entities",
      `<?xml version="1.0"?><!DOCTYPE XrML [<!ENTITY v "1.2">]>\n${body.replace('version="1.2"', 'version="&v;"')}`,
      { check: "input", reason: "entity" },
    ],
    [
      "external entity",
      `<?xml version="1.0"?><!DOCTYPE XrML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n${body.replace(/<NAME>/, "<NAME>&xxe;")}`,
      { check: "input", reason: "entity" },
    ],
    [
      "billion laughs",
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("")}]><XrML>&lol9;</XrML>`,
      { check: "input", reason: "entity" },
    ],
    ["100k-deep nesting", `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`, "too_large"],
    ["5 MB attribute", `<XrML a="${"x".repeat(5 * 1024 * 1024)}"/>`, "too_large"],
    [
      "UTF-16",
      Buffer.from(`\uFEFF${good.replace('encoding="UTF-8"', 'encoding="UTF-16"')}`, "utf16le"),
      { check: "input", reason: "not_utf8" },
    ],
    [
      "expired",
      genuineSlc(ca, requestXml, {
        issuedAt: new Date(now - 400 * DAY_MS),
        validFrom: new Date(now - 400 * DAY_MS),
        validUntil: new Date(now - 35 * DAY_MS),
      }),
      { check: "validity", reason: "expired" },
    ],
    [
      "not yet valid",
      genuineSlc(ca, requestXml, { validFrom: new Date(now + 2 * DAY_MS), validUntil: new Date(now + 367 * DAY_MS) }),
      { check: "validity", reason: "not_yet_valid" },
    ],
    [
      "other key",
      genuineSlc(ca, requestXml, { publicKeyBase64: (await createTestCluster("other")).publicKeyBase64 }),
      { check: "public_key", reason: "wrong_public_key" },
    ],
    [
      "other GUID",
      genuineSlc(ca, requestXml, { serverGuid: "{FFFFFFFF-0000-4000-8000-000000000001}" }),
      { check: "guid", reason: "wrong_guid" },
    ],
    ["other request", genuineSlc(ca, requestXml, { requestId: randomUUID() }), { check: "request", reason: "wrong_request" }],
    [
      "older than installed",
      genuineSlc(ca, requestXml, { validUntil: new Date(now + 2 * DAY_MS) }),
      { check: "newer_than_installed", reason: "not_newer" },
    ],
  ];
  return files.map(([name, content, expect]) => ({
    name,
    bytes: Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8"),
    expect,
  }));
}
