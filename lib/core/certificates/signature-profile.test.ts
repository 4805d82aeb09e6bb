// The profile check in front of xml-crypto, on every vector and hostile file and on fuzzed mutations: what it lets
// through, xml-crypto alone accepts too, with the same signed content, and that content is the whole document but the
// signature — so business data read from it is all the document says. The profile refuses attacks xml-crypto alone
// would accept. xmlsec1, the independent judge, is in interop.test.ts.
import { createPublicKey, type KeyObject } from "node:crypto";
import { DOMParser } from "@xmldom/xmldom";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { SignedXml } from "xml-crypto";
import { parseXml } from "@/lib/core/xml/safe-xml";
import {
  ALG_ENVELOPED,
  ALG_EXC_C14N,
  DSIG_NS,
  inspectEnvelopedSignature,
  readXmlDocument,
  verifyEnvelopedSignature,
} from "@/lib/core/xml/xml-signature";
import { hostileFiles } from "@/tests/system/support/hostile-files";
import {
  buildTestRenewalRequest,
  createUntrustedTestPki,
  issueTestSlc,
  signWithXmlCrypto,
  type TestSlc,
  type TestSlcPreset,
} from "../../../tests/support/certificate-fixtures";
import { buildTrustedChain } from "./chain";
import { REQUEST_ROOT } from "./renewal-request";
import { SLC_ROOT } from "./slc";

type Verdict = { stage: "input" | "structure" | "crypto"; ok: boolean; reason: string; signedContent?: string };

interface Vector {
  name: string;
  bytes: string | Uint8Array;
  root: string;
  /** The key the verifier would use when the file's own chain is not trusted (so the crypto still runs). */
  fallbackKey: KeyObject;
}

let anchors: string[];
let now: Date;

function keyFor(signature: Element, fallback: KeyObject): KeyObject {
  const certs = Array.from(signature.getElementsByTagNameNS(DSIG_NS, "X509Certificate")).map((c) => c.textContent ?? "");
  const chain = certs.length > 0 ? buildTrustedChain(certs, anchors, now, 5 * 60_000) : null;
  return chain?.ok ? chain.leafKey : fallback;
}

/** The production path: the gate, the profile check, then xml-crypto's checkSignature with the caller's key. */
function production(vector: Vector): Verdict & { key?: KeyObject; xml?: string } {
  const read = readXmlDocument(vector.bytes);
  if (!read.ok) return { stage: "input", ok: false, reason: read.reason };
  const structure = inspectEnvelopedSignature(read.doc, vector.root);
  if (!structure.ok) return { stage: "structure", ok: false, reason: structure.reason };
  const key = keyFor(structure.signature, vector.fallbackKey);
  const r = verifyEnvelopedSignature(read.xml, structure.signature, key);
  return r.ok
    ? { stage: "crypto", ok: true, reason: "ok", signedContent: r.signedContent, key, xml: read.xml }
    : { stage: "crypto", ok: false, reason: r.reason, key, xml: read.xml };
}

/** xml-crypto alone, as its README shows it, on its own parse of the text: the first signature, no profile. */
function xmlCryptoAlone(xml: string, key: KeyObject): { ok: boolean; signedContent?: string } {
  try {
    const doc = new DOMParser().parseFromString(xml, "text/xml");
    const signature = doc.getElementsByTagNameNS(DSIG_NS, "Signature")[0];
    if (!signature) return { ok: false };
    const sig = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
    sig.loadSignature(signature as unknown as Node);
    if (!sig.checkSignature(xml)) return { ok: false };
    return { ok: true, signedContent: sig.getSignedReferences().join("") };
  } catch {
    return { ok: false };
  }
}

/** Namespace declarations aside (canonicalisation moves them), the parsed form of a document. */
function withoutXmlns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutXmlns);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k]) => !k.startsWith("@_xmlns"))
      .map(([k, v]) => [k, withoutXmlns(v)]),
  );
}

/**
 * What the whole document says but the signature, read by another parser (fast-xml-parser) from the uploaded text:
 * the oracle for "the signed content is the whole document".
 */
function documentButSignature(xml: string, root: string): unknown {
  const doc = readXmlDocument(xml);
  if (!doc.ok) throw new Error("the oracle is only asked about accepted documents");
  const signatureName = Array.from(doc.doc.getElementsByTagNameNS(DSIG_NS, "Signature"))[0]?.nodeName ?? "";
  // The XML declaration is no content (and the gate reads it more leniently than fast-xml-parser).
  const parsed = withoutXmlns(parseXml(xml.replace(/^\uFEFF?<\?xml[^>]*\?>/, ""))) as Record<string, Record<string, unknown>>;
  const { [signatureName]: _signature, ...rest } = parsed[root] ?? {};
  return { [root]: rest };
}

/** The guard: an accepted file is accepted by xml-crypto alone, with the same content, and that content is the document. */
function expectAcceptedIsWholeDocument(name: string, verdict: ReturnType<typeof production>, root: string): void {
  if (!verdict.ok || !verdict.key || !verdict.xml || verdict.signedContent === undefined) return;
  expect({ name, alone: xmlCryptoAlone(verdict.xml, verdict.key) }).toEqual({
    name,
    alone: { ok: true, signedContent: verdict.signedContent },
  });
  expect({ name, signed: withoutXmlns(parseXml(verdict.signedContent)) }).toEqual({
    name,
    signed: documentButSignature(verdict.xml, root),
  });
}

const vectors: Vector[] = [];
/** Hostile files (by name) that xml-crypto alone verifies and only the profile check refuses. */
const CAUGHT_ONLY_BY_THE_PROFILE = [
  "xml-crypto signed, transforms reversed",
  "hostile: signature over a child element only",
  "hostile: comment injection",
  "hostile: SHA-1",
];
let genuine: TestSlc;
let genuineRequest: { xml: string; key: KeyObject };

beforeAll(async () => {
  now = new Date();
  genuine = await issueTestSlc({ now });
  anchors = genuine.trustAnchorsPem;
  const ca = genuine.pki.ca;
  const serviceKey = createPublicKey(ca.serviceKeyPem);
  const slcVector = (name: string, bytes: string | Uint8Array): Vector => ({ name, bytes, root: SLC_ROOT, fallbackKey: serviceKey });

  const presets: TestSlcPreset[] = [
    "valid",
    "expired",
    "not_yet_valid",
    "other_key",
    "other_guid",
    "other_url",
    "other_request",
    "untrusted",
  ];
  for (const preset of presets) vectors.push(slcVector(`preset ${preset}`, (await issueTestSlc({ preset, pki: genuine.pki, now })).xml));

  const unsigned = genuine.xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");
  vectors.push(slcVector("xml-crypto signed, our profile", signWithXmlCrypto(ca, unsigned)));
  vectors.push(
    slcVector("xml-crypto signed, transforms reversed", signWithXmlCrypto(ca, unsigned, { transforms: [ALG_EXC_C14N, ALG_ENVELOPED] })),
  );
  vectors.push(
    slcVector(
      "signed by the untrusted PKI's key",
      signWithXmlCrypto(ca, unsigned, { privateKey: (await createUntrustedTestPki()).ca.serviceKeyPem }),
    ),
  );

  const request = await buildTestRenewalRequest({ serverName: 'RMS <01> & "quoted"\r\nÅäö' });
  genuineRequest = { xml: request.xml, key: createPublicKey(request.cluster.privateKeyPem) };
  vectors.push({ name: "renewal request", bytes: request.xml, root: REQUEST_ROOT, fallbackKey: genuineRequest.key });
  vectors.push({
    name: "renewal request, other key",
    bytes: request.xml,
    root: REQUEST_ROOT,
    fallbackKey: createPublicKey((await buildTestRenewalRequest({}, undefined)).cluster.privateKeyPem),
  });

  for (const file of await hostileFiles(ca, request.xml)) vectors.push(slcVector(`hostile: ${file.name}`, file.bytes));
}, 120_000);

describe("the signature profile in front of xml-crypto's checkSignature", () => {
  it("accepts only what xml-crypto alone accepts, with the same signed content, covering the whole document", () => {
    expect(vectors.length).toBeGreaterThan(20);
    let reachedCrypto = 0;
    let accepted = 0;
    for (const vector of vectors) {
      const verdict = production(vector);
      if (verdict.stage === "crypto") reachedCrypto += 1;
      if (verdict.ok) accepted += 1;
      expectAcceptedIsWholeDocument(vector.name, verdict, vector.root);
    }
    // The guard is only worth something if many files reach the cryptographic step and some pass it.
    expect(reachedCrypto).toBeGreaterThan(12);
    expect(accepted).toBeGreaterThan(3);
  });

  it("refuses hostile files that xml-crypto alone would accept", () => {
    const caught = vectors
      .filter((v) => {
        const read = readXmlDocument(v.bytes);
        if (!read.ok) return false;
        const signature = read.doc.getElementsByTagNameNS(DSIG_NS, "Signature")[0];
        return signature !== undefined && xmlCryptoAlone(read.xml, keyFor(signature, v.fallbackKey)).ok && !production(v).ok;
      })
      .map((v) => v.name);
    expect(caught).toEqual(expect.arrayContaining(CAUGHT_ONLY_BY_THE_PROFILE));
  });

  it("accepts the genuine SLC and request", () => {
    expect(production(vectors[0] as Vector).ok).toBe(true);
    expect(production({ name: "request", bytes: genuineRequest.xml, root: REQUEST_ROOT, fallbackKey: genuineRequest.key }).ok).toBe(true);
  });

  it("refuses a genuine document with content that nothing signs, wherever it stands", () => {
    const key = createPublicKey(genuine.pki.ca.serviceKeyPem);
    const cases: Array<[string, string]> = [
      ["a business element in KeyInfo", genuine.xml.replace("</ds:KeyInfo>", "<NAME>RMS02</NAME></ds:KeyInfo>")],
      ["text in KeyInfo", genuine.xml.replace("</ds:KeyInfo>", "RMS02</ds:KeyInfo>")],
      ["an attribute on the signature", genuine.xml.replace("<ds:Signature ", '<ds:Signature Id="x" ')],
      ["an element in X509Data", genuine.xml.replace("</ds:X509Data>", "<ds:X509SubjectName>CN=x</ds:X509SubjectName></ds:X509Data>")],
      ["ds:Object", genuine.xml.replace("</ds:Signature>", "<ds:Object><NAME>RMS02</NAME></ds:Object></ds:Signature>")],
      [
        "a second SignatureValue in KeyInfo",
        genuine.xml.replace("</ds:KeyInfo>", "<ds:SignatureValue>AAAA</ds:SignatureValue></ds:KeyInfo>"),
      ],
    ];
    for (const [name, xml] of cases) {
      expect(xml, name).not.toBe(genuine.xml);
      // xml-crypto alone accepts each (what it signs is untouched); the profile refuses it before any cryptography.
      expect({ name, alone: xmlCryptoAlone(xml, key).ok }).toEqual({ name, alone: true });
      const verdict = production({ name, bytes: xml, root: SLC_ROOT, fallbackKey: key });
      expect({ name, stage: verdict.stage, ok: verdict.ok }).toEqual({ name, stage: "structure", ok: false });
    }
  });

  it("never accepts a mutation of a genuine document unless it is still the whole signed document (fast-check)", () => {
    const bases = [
      { xml: genuine.xml, root: SLC_ROOT, key: createPublicKey(genuine.pki.ca.serviceKeyPem) },
      { xml: genuineRequest.xml, root: REQUEST_ROOT, key: genuineRequest.key },
    ];
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), by: fc.integer({ min: 1, max: 255 }) }),
      fc.record({
        kind: fc.constant("insert" as const),
        at: fc.nat(),
        text: fc.constantFrom("<x/>", ' a="1"', "<ds:Object/>", " ", "\n", "&amp;", "<!-- c -->"),
      }),
      fc.record({ kind: fc.constant("remove" as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ kind: fc.constant("prefix" as const), to: fc.constantFrom("", "dsig:", "x:") }),
      fc.record({ kind: fc.constant("whitespace" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("move" as const), at: fc.nat() }),
      fc.record({ kind: fc.constant("duplicate" as const) }),
    );
    type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;
    const apply = (xml: string, m: Mutation): string => {
      const signature = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(xml)?.[0] ?? "";
      switch (m.kind) {
        case "flip": {
          const i = m.at % xml.length;
          return xml.slice(0, i) + String.fromCharCode((xml.charCodeAt(i) + m.by) % 128 || 32) + xml.slice(i + 1);
        }
        case "insert": {
          const i = m.at % xml.length;
          return xml.slice(0, i) + m.text + xml.slice(i);
        }
        case "remove": {
          const i = m.at % xml.length;
          return xml.slice(0, i) + xml.slice(i + m.length);
        }
        case "prefix":
          return xml.replace(/<(\/?)ds:/g, `<$1${m.to}`).replace(/xmlns:ds=/, m.to === "" ? "xmlns=" : `xmlns:${m.to.slice(0, -1)}=`);
        case "whitespace": {
          const gaps = [...xml.matchAll(/></g)];
          const gap = gaps[m.at % Math.max(gaps.length, 1)];
          return gap?.index === undefined ? xml : `${xml.slice(0, gap.index + 1)}\n  ${xml.slice(gap.index + 1)}`;
        }
        case "move": {
          const without = xml.replace(signature, "");
          const gaps = [...without.matchAll(/></g)];
          const gap = gaps[m.at % Math.max(gaps.length, 1)];
          return gap?.index === undefined ? xml : without.slice(0, gap.index + 1) + signature + without.slice(gap.index + 1);
        }
        case "duplicate":
          return xml.replace(signature, signature + signature);
      }
    };
    const seed = 20_261_125;
    let refused = 0;
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(mutation, { minLength: 1, maxLength: 3 }), (base, mutations) => {
        const xml = mutations.reduce(apply, base.xml);
        const verdict = production({ name: "mutant", bytes: xml, root: base.root, fallbackKey: base.key });
        if (!verdict.ok) refused += 1;
        expectAcceptedIsWholeDocument("mutant", verdict, base.root);
      }),
      { numRuns: 300, seed },
    );
    expect(refused).toBeGreaterThan(100);
  });
});
