// Renewal requests: hostile names round-trip exactly, the body key must have signed, and every refusal has its reason.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { signEnveloped } from "@/lib/core/xml/xml-signature";
import { buildTestRenewalRequest, createTestCluster, type TestCluster } from "../../../tests/support/certificate-fixtures";
import { generateClusterKeyPair } from "./keys";
import {
  buildRenewalRequest,
  MAX_REQUEST_AGE_MS,
  REQUEST_XML_CAPS,
  type RenewalRequestFields,
  type RequestRejectReason,
  verifyRenewalRequest,
} from "./renewal-request";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await createTestCluster();
});

function rejected(result: ReturnType<typeof verifyRenewalRequest>, reason: RequestRejectReason) {
  if (result.ok) throw new Error(`expected ${reason}, but the request was accepted`);
  expect(result.reason).toBe(reason);
  expect(result.detail.length).toBeGreaterThan(0);
}

describe("build → verify round trip", () => {
  it.each([
    ["<script>", "angle brackets"],
    ["R&D & <Ops>", "ampersands"],
    [`"quoted" 'single'`, "quotes"],
    ["line1\r\nline2\rline3\nline4", "CR/LF"],
    ["Serverlicensiering Åäö – 漢字 – 😀", "unicode"],
    ["]]> <!-- --> <?pi?> &amp;", "markup look-alikes"],
  ])("keeps %j (%s) exactly", async (hostile) => {
    const { xml, fields } = await buildTestRenewalRequest({
      serverName: hostile,
      name: hostile,
      sku: hostile,
      version: hostile,
      revocationInformation: hostile,
      clusterUrl: `https://rms.example/_wmcs?q=${encodeURIComponent(hostile)}&x="1"`,
      installedSlcFingerprint: `${"AB:".repeat(31)}CD`,
    });
    const result = verifyRenewalRequest(xml);
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    expect(result.fields).toEqual(fields);
    expect(result.fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("trims leading/trailing whitespace of free text (the shared parser trims values)", async () => {
    const { xml } = await buildTestRenewalRequest({ serverName: "  RMS01 \r\n" });
    const result = verifyRenewalRequest(xml);
    expect(result.ok && result.fields.serverName).toBe("RMS01");
  });

  it("refuses to build with invalid fields or someone else's public key", async () => {
    await expect(buildTestRenewalRequest({ clusterGuid: "not-a-guid" })).rejects.toThrow(/Invalid renewal request fields/);
    await expect(buildTestRenewalRequest({ clusterUrl: "ftp://x" })).rejects.toThrow(/Invalid renewal request fields/);
    await expect(buildTestRenewalRequest({ serverName: "bell\u0007" })).rejects.toThrow(/Invalid renewal request fields/);
    const other = await createTestCluster("other");
    await expect(buildTestRenewalRequest({ publicKeyBase64: other.publicKeyBase64 })).rejects.toThrow(/not the public half/);
  });
});

describe("verifyRenewalRequest refuses", () => {
  it("a changed byte in the body or in the signature value", async () => {
    const { xml } = await buildTestRenewalRequest();
    rejected(verifyRenewalRequest(xml.replace("<SKU>RMS</SKU>", "<SKU>RMX</SKU>")), "digest_mismatch");
    rejected(
      verifyRenewalRequest(xml.replace(/<ds:SignatureValue>(.)/, (_m, c: string) => `<ds:SignatureValue>${c === "A" ? "B" : "A"}`)),
      "signature_invalid",
    );
  });

  it("a request re-signed by another key than the one it carries (no proof of possession)", async () => {
    const { xml } = await buildTestRenewalRequest();
    const thief = await generateClusterKeyPair();
    // The victim's body (with the victim's public key), validly signed by the thief, with the thief's KeyValue.
    const body = xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
    const forged = signEnveloped(body, {
      privateKeyPem: thief.privateKeyPem,
      keyInfoContent: (p) =>
        `<${p}KeyValue><${p}RSAKeyValue><${p}Modulus>AA==</${p}Modulus><${p}Exponent>AQAB</${p}Exponent></${p}RSAKeyValue></${p}KeyValue>`,
    });
    rejected(verifyRenewalRequest(forged), "signature_invalid");
    expect(verifyRenewalRequest(xml).ok).toBe(true);
  });

  it("unsigned, doubly signed, comments, wrong root, wrapped content", async () => {
    const { xml } = await buildTestRenewalRequest();
    rejected(verifyRenewalRequest(xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "")), "no_signature");
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml)?.[0] ?? "";
    rejected(verifyRenewalRequest(xml.replace("</RenewalRequest>", `${sig}</RenewalRequest>`)), "multiple_signatures");
    rejected(verifyRenewalRequest(xml.replace("<SKU>RMS</SKU>", "<SKU>RM<!---->S</SKU>")), "comment");
    rejected(verifyRenewalRequest("<Enroll/>"), "not_request");
    rejected(verifyRenewalRequest(xml.replace("<SKU>RMS</SKU>", "<SKU>RMS</SKU><SKU>EVIL</SKU>")), "duplicate_element");
  });

  it("a genuine request with content that nothing signs: business data comes only from the signed content", async () => {
    const { xml } = await buildTestRenewalRequest();
    expect(verifyRenewalRequest(xml).ok).toBe(true);
    // The signature stays valid (nothing it covers changed), yet the document says more than was signed.
    const cases: Array<[string, RequestRejectReason]> = [
      [xml.replace("</ds:KeyInfo>", "<ServerName>EVIL</ServerName></ds:KeyInfo>"), "unsigned_content"],
      [xml.replace("<ds:KeyInfo>", '<ds:KeyInfo ServerName="EVIL">'), "unsigned_content"],
      [xml.replace("</ds:KeyInfo>", "</ds:KeyInfo><ds:Object><ServerName>EVIL</ServerName></ds:Object>"), "signature_wrapping"],
      [xml.replace("</ds:SignatureValue>", "</ds:SignatureValue><ServerName>EVIL</ServerName>"), "signature_wrapping"],
    ];
    for (const [unsigned, reason] of cases) {
      expect(unsigned).not.toBe(xml);
      rejected(verifyRenewalRequest(unsigned), reason);
    }
  });

  it("a small or non-RSA key", async () => {
    const { xml } = await buildTestRenewalRequest();
    const { generateKeyPairSync } = await import("node:crypto");
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
    rejected(verifyRenewalRequest(xml.replace(/<PublicKey>[^<]*<\/PublicKey>/, `<PublicKey>${small}</PublicKey>`)), "weak_key");
    rejected(verifyRenewalRequest(xml.replace(/<PublicKey>[^<]*<\/PublicKey>/, "<PublicKey>bm9wZQ==</PublicKey>")), "invalid_fields");
  });

  it("requests from the future or older than 30 days", async () => {
    const { xml, fields } = await buildTestRenewalRequest();
    rejected(verifyRenewalRequest(xml, new Date(fields.createdAt.getTime() - 60 * 60 * 1000)), "request_from_future");
    rejected(verifyRenewalRequest(xml, new Date(fields.createdAt.getTime() + MAX_REQUEST_AGE_MS + 1000)), "request_expired");
    expect(verifyRenewalRequest(xml, new Date(fields.createdAt.getTime() + 60_000)).ok).toBe(true);
  });

  it("hostile XML before any signature work", () => {
    rejected(verifyRenewalRequest('<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><RenewalRequest>&x;</RenewalRequest>'), "entity");
    rejected(verifyRenewalRequest(Buffer.from("\uFEFF<RenewalRequest/>", "utf16le")), "not_utf8");
    rejected(verifyRenewalRequest(`<RenewalRequest a="${"x".repeat(300_000)}"/>`), "too_large");
    rejected(verifyRenewalRequest(""), "empty");
  });

  it("nothing when built from explicit fields (control case)", async () => {
    const fields: RenewalRequestFields = {
      requestId: randomUUID(),
      createdAt: new Date(),
      clusterGuid: cluster.clusterGuid,
      serverName: "RMS01",
      clusterUrl: cluster.clusterUrl,
      sku: "RMS",
      version: "1",
      name: "RMS01",
      publicKeyBase64: cluster.publicKeyBase64,
      installedSlcFingerprint: null,
      revocationInformation: "",
    };
    const xml = buildRenewalRequest(fields, cluster.privateKeyPem);
    expect(verifyRenewalRequest(xml).ok).toBe(true);
  });
});

describe("hostile cost bounded by what a genuine request needs", () => {
  it("holds a request to the request's own caps: an SLC-sized or attribute-laden document is refused at the gate", async () => {
    const { xml } = await buildTestRenewalRequest();
    expect(verifyRenewalRequest(xml).ok).toBe(true);
    expect(Buffer.byteLength(xml)).toBeLessThan(REQUEST_XML_CAPS.bytes / 8);
    const padded = xml.replace(
      "<RevocationInformation/>",
      `<RevocationInformation>${"x".repeat(REQUEST_XML_CAPS.bytes)}</RevocationInformation>`,
    );
    rejected(verifyRenewalRequest(padded), "too_large");
    const attributed = xml.replace("<ServerName>", `<ServerName ${Array.from({ length: 3 }, (_, i) => `a${i}="v"`).join(" ")}>`);
    rejected(verifyRenewalRequest(attributed), "too_large");
  });

  it("checks the business schema before any signature work: an unsigned extra element is invalid_fields, not a digest mismatch", async () => {
    const { xml } = await buildTestRenewalRequest();
    // The signature no longer covers the document; the verdict names the schema, so no c14n or RSA ran.
    rejected(verifyRenewalRequest(xml.replace("<ServerName>", "<Extra>1</Extra><ServerName>")), "invalid_fields");
    rejected(verifyRenewalRequest(xml.replace('version="1.0">', 'version="2.0">')), "invalid_fields");
    rejected(verifyRenewalRequest(xml.replace(/<GUID>[^<]*<\/GUID>/, "<GUID>not-a-guid</GUID>")), "invalid_fields");
  });

  it("gives a re-serialised copy the same signed-content hash as the original", async () => {
    const { xml } = await buildTestRenewalRequest();
    const copy = xml.replace('<?xml version="1.0" encoding="UTF-8"?>\n', "").replace("<ServerName>RMS01", "<ServerName >RMS&#x30;1");
    const a = verifyRenewalRequest(xml);
    const b = verifyRenewalRequest(copy);
    if (!a.ok || !b.ok) throw new Error("both should verify");
    expect(b.fingerprint).not.toBe(a.fingerprint);
    expect(b.signedSha256).toBe(a.signedSha256);
  });
});

describe("a re-key request", () => {
  const rekey = { replacesSlcSerial: "0A1B2C3D", replacesSlcFingerprint: `${"AB:".repeat(31)}CD` };

  it("carries the certificate it replaces in its signed content, and still verifies", async () => {
    const { xml, fields } = await buildTestRenewalRequest({ installedSlcFingerprint: null, rekey });
    const result = verifyRenewalRequest(xml);
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    expect(result.fields.rekey).toEqual(rekey);
    expect(result.fields).toEqual(fields);
    // Changing what it names breaks the signature: the name is signed, not merely carried.
    rejected(verifyRenewalRequest(xml.replace("0A1B2C3D", "0A1B2C3E")), "digest_mismatch");
  });

  it("is refused when it also names an installed SLC", async () => {
    await expect(buildTestRenewalRequest({ installedSlcFingerprint: `${"AB:".repeat(31)}CD`, rekey }, cluster)).rejects.toThrow(
      /re-key request/,
    );
  });
});
