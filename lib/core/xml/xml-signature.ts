// The one signing/verification module: enveloped whole-document XML Signatures with a fixed, strict profile checked
// here, the cryptography done by xml-crypto (signing and `checkSignature`).
import type { BinaryLike, KeyObject } from "node:crypto";
import { DOMParser } from "@xmldom/xmldom";
import { createOptionalCallbackFunction, type SignatureAlgorithm, SignedXml } from "xml-crypto";
import { decodeXmlInput, escapeXmlText, GENERIC_XML_CAPS, type XmlCaps, XmlInputError, type XmlInputErrorCode } from "./safe-xml";

export const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
export const ALG_RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
export const ALG_SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
export const ALG_EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
export const ALG_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
const REQUIRED_TRANSFORMS = [ALG_ENVELOPED, ALG_EXC_C14N] as const;

/**
 * A private key held elsewhere (a PKCS#11 token): RSASSA-PKCS1-v1_5 with SHA-256 over the bytes given, computed where
 * the key is; the signature is the same as node:crypto's with the key itself.
 */
export interface RsaSha256Signer {
  signRsaSha256(data: Buffer): Buffer;
}

export function isExternalSigner(key: string | KeyObject | RsaSha256Signer): key is RsaSha256Signer {
  return typeof key === "object" && "signRsaSha256" in key;
}

/**
 * Signs `xml` (already safe, well-formed) with an enveloped RSA-SHA256 signature over the whole document.
 * The key may be a parsed KeyObject: a signer that signs many documents parses its key once.
 */
export function signEnveloped(
  xml: string,
  opts: { privateKeyPem: string | KeyObject | RsaSha256Signer; keyInfoContent: (prefix: string) => string },
): string {
  const key = opts.privateKeyPem;
  const sig = new SignedXml({
    // xml-crypto insists on a key even when the algorithm below does the signing.
    privateKey: isExternalSigner(key) ? Buffer.alloc(1) : key,
    signatureAlgorithm: ALG_RSA_SHA256,
    canonicalizationAlgorithm: ALG_EXC_C14N,
    getKeyInfoContent: (args) => opts.keyInfoContent(args?.prefix ? `${args.prefix}:` : ""),
  });
  if (isExternalSigner(key)) {
    const signer = key;
    // xml-crypto's documented extension point: the same algorithm URI, its value computed by the token.
    sig.SignatureAlgorithms[ALG_RSA_SHA256] = class implements SignatureAlgorithm {
      getSignature = createOptionalCallbackFunction((signedInfo: BinaryLike) =>
        signer
          .signRsaSha256(
            typeof signedInfo === "string"
              ? Buffer.from(signedInfo, "utf8")
              : Buffer.from(signedInfo.buffer, signedInfo.byteOffset, signedInfo.byteLength),
          )
          .toString("base64"),
      );
      verifySignature = createOptionalCallbackFunction((): boolean => false);
      getAlgorithmName = () => ALG_RSA_SHA256;
    };
  }
  sig.addReference({
    xpath: "/*",
    transforms: [...REQUIRED_TRANSFORMS],
    digestAlgorithm: ALG_SHA256,
    isEmptyUri: true,
  });
  sig.computeSignature(xml, { prefix: "ds", location: { reference: "/*", action: "append" } });
  return sig.getSignedXml();
}

/** Parses already-screened text into a DOM, turning any parser complaint into a typed error. */
function parseDom(xml: string): Document {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = new DOMParser({
      errorHandler: {
        warning: (message: string) => problems.push(message),
        error: (message: string) => {
          throw new Error(message);
        },
        fatalError: (message: string) => {
          throw new Error(message);
        },
      },
    }).parseFromString(xml, "text/xml");
  } catch (error) {
    throw new XmlInputError("malformed", `The file is not well-formed XML (${error instanceof Error ? error.message : "parse error"}).`);
  }
  const parsed = doc as unknown as Document;
  if (!parsed.documentElement) throw new XmlInputError("malformed", "The file has no root element.");
  return parsed;
}

export type ReadDocument = { ok: true; xml: string; doc: Document } | { ok: false; reason: XmlInputErrorCode; detail: string };

/**
 * The hostile-input gate and the DOM parse together: what every verifier does first with an untrusted file, held to
 * its document type's caps (the generic gate's when none are given).
 */
export function readXmlDocument(input: Uint8Array | string, caps: XmlCaps = GENERIC_XML_CAPS): ReadDocument {
  try {
    const xml = decodeXmlInput(input, caps);
    return { ok: true, xml, doc: parseDom(xml) };
  } catch (error) {
    if (error instanceof XmlInputError) return { ok: false, reason: error.code, detail: error.message };
    return { ok: false, reason: "malformed", detail: "The file could not be read as XML." };
  }
}

/**
 * The document without `skip` (the signature) as parseXml would give it for the same text: child elements by name,
 * attributes as "@_name", text as a string (re-escaped, as parseXml leaves it), "#text" beside attributes. Lets a
 * business schema run on the DOM before any signature work; the signed content is still parsed and checked after.
 */
export function elementAsObject(el: Element, skip: Element | null): unknown {
  const out: Record<string, unknown> = {};
  let children = 0;
  for (const attr of Array.from(el.attributes)) {
    if (attr.name === "xmlns" || attr.name.startsWith("xmlns:")) continue;
    out[`@_${attr.name}`] = attr.value;
  }
  let text = "";
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) {
      if (c === skip) continue;
      children += 1;
      const child = c as Element;
      // A repeated name would be an array in parseXml's output; the strict schemas refuse both alike.
      out[child.nodeName] = child.nodeName in out ? [out[child.nodeName]] : elementAsObject(child, skip);
    } else if (c.nodeType === 3 || c.nodeType === 4) {
      text += (c as CharacterData).data;
    }
  }
  const trimmed = escapeXmlText(text.trim());
  if (children === 0 && Object.keys(out).length === 0) return trimmed;
  if (trimmed !== "") out["#text"] = trimmed;
  return out;
}

export function childElements(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) out.push(c as Element);
  }
  return out;
}

/** xmldom 0.8 leaves namespaceURI undefined for an element in no namespace; other DOMs use null. */
export function inNoNamespace(el: Element): boolean {
  return el.namespaceURI === null || el.namespaceURI === undefined;
}

function isDsig(el: Element, localName: string): boolean {
  return el.namespaceURI === DSIG_NS && el.localName === localName;
}

function hasComment(node: Node): boolean {
  for (let c = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 8) return true;
    if (c.nodeType === 1 && hasComment(c)) return true;
  }
  return false;
}

type SignatureStructureReason =
  | "comment"
  | "no_signature"
  | "multiple_signatures"
  | "signature_wrapping"
  | "unsigned_content"
  | "duplicate_element"
  | "reference_not_whole_document"
  | "disallowed_algorithm"
  | "extra_transform"
  | "malformed_signature";

type StructureCheck = "input" | "signature" | "whole_document" | "algorithms";

export type SignatureStructure =
  | { ok: true; signature: Element; keyInfo: Element | null }
  | { ok: false; check: StructureCheck; reason: SignatureStructureReason; detail: string };

function fail(check: StructureCheck, reason: SignatureStructureReason, detail: string): SignatureStructure {
  return { ok: false, check, reason, detail };
}

/** Finds two siblings with the same name outside the signature: a wrapped or duplicated business element. */
function findDuplicateSibling(el: Element, signature: Element): string | null {
  const seen = new Set<string>();
  for (const child of childElements(el)) {
    if (child === signature) continue;
    const key = `${child.namespaceURI ?? ""}|${child.localName}`;
    if (seen.has(key)) return child.nodeName;
    seen.add(key);
    const nested = findDuplicateSibling(child, signature);
    if (nested) return nested;
  }
  return null;
}

function algorithmOf(el: Element | undefined): string | null {
  return el?.getAttribute("Algorithm") ?? null;
}

function descendantsNamed(node: Node, localName: string): Element[] {
  const out: Element[] = [];
  for (const child of childElements(node)) {
    if (child.localName === localName) out.push(child);
    out.push(...descendantsNamed(child, localName));
  }
  return out;
}

/** What xml-crypto reads as the SignatureValue (`SignatureValue/text()`): the first text or CDATA child's data. */
function firstTextData(el: Element): string | null {
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 3 || c.nodeType === 4) return (c as CharacterData).data;
  }
  return null;
}

/**
 * The parts of a signature that nothing signs (the Signature element, SignatureValue and KeyInfo) may hold only what a
 * signer of our profile writes there: KeyInfo with X509Data/X509Certificate or KeyValue/RSAKeyValue/(Modulus,
 * Exponent), all in the XML-Signature namespace, text only in those leaves, no attributes but namespace declarations.
 * Returns what else it found, or null.
 */
const KEY_INFO_SHAPE: Record<string, { children: readonly string[]; text: boolean }> = {
  KeyInfo: { children: ["X509Data", "KeyValue"], text: false },
  X509Data: { children: ["X509Certificate"], text: false },
  X509Certificate: { children: [], text: true },
  KeyValue: { children: ["RSAKeyValue"], text: false },
  RSAKeyValue: { children: ["Modulus", "Exponent"], text: false },
  Modulus: { children: [], text: true },
  Exponent: { children: [], text: true },
  SignatureValue: { children: [], text: true },
  Signature: { children: ["SignedInfo", "SignatureValue", "KeyInfo"], text: false },
};

function unsignedContent(el: Element, skip: Element): string | null {
  const shape = KEY_INFO_SHAPE[el.localName];
  if (!isDsig(el, el.localName) || !shape) return `element ${el.nodeName}`;
  for (const attr of Array.from(el.attributes)) {
    if (attr.name !== "xmlns" && !attr.name.startsWith("xmlns:")) return `attribute ${attr.name} on ${el.nodeName}`;
  }
  for (let c = el.firstChild; c; c = c.nextSibling) {
    if (c === skip) continue;
    if (c.nodeType === 1) {
      const child = c as Element;
      if (!shape.children.includes(child.localName)) return `element ${child.nodeName} in ${el.nodeName}`;
      const inner = unsignedContent(child, skip);
      if (inner) return inner;
    } else if ((c.nodeType === 3 || c.nodeType === 4) && !shape.text && (c as CharacterData).data.trim() !== "") {
      return `text in ${el.nodeName}`;
    } else if (c.nodeType !== 3 && c.nodeType !== 4) {
      return `a node of type ${c.nodeType} in ${el.nodeName}`;
    }
  }
  return null;
}

/**
 * Checks, before any cryptography, that the document carries exactly one signature of our profile:
 * a child of the root, one Reference URI="" with transforms [enveloped, exc-c14n], RSA-SHA256, SHA-256, exc-c14n,
 * one SignatureValue, no ds:Object, and that no business element is duplicated (signature wrapping). Only a document
 * that passes goes to xml-crypto (`verifyEnvelopedSignature`), so what it verifies is always the whole document.
 */
export function inspectEnvelopedSignature(doc: Document, expectedRoot: string): SignatureStructure {
  const root = doc.documentElement;
  if (hasComment(doc)) return fail("input", "comment", "The document contains XML comments; signed files we issue never do.");
  const signatures = Array.from(doc.getElementsByTagNameNS(DSIG_NS, "Signature"));
  if (signatures.length === 0) return fail("signature", "no_signature", "No ds:Signature element found.");
  if (signatures.length > 1)
    return fail("signature", "multiple_signatures", `${signatures.length} ds:Signature elements found; exactly one is allowed.`);
  const signature = signatures[0];
  if (!signature) return fail("signature", "no_signature", "No ds:Signature element found.");

  if (!inNoNamespace(root) || root.localName !== expectedRoot) {
    return fail("whole_document", "signature_wrapping", `The root element is ${root.nodeName}, expected ${expectedRoot}.`);
  }
  if (signature.parentNode !== root) {
    return fail("whole_document", "signature_wrapping", "The signature is not a direct child of the document root.");
  }
  const duplicate = findDuplicateSibling(root, signature);
  if (duplicate) return fail("whole_document", "duplicate_element", `Element ${duplicate} appears more than once among its siblings.`);

  const parts = childElements(signature);
  const [signedInfo, signatureValue, keyInfo, ...rest] = parts;
  if (!signedInfo || !isDsig(signedInfo, "SignedInfo") || !signatureValue || !isDsig(signatureValue, "SignatureValue")) {
    return fail("signature", "malformed_signature", "The signature must contain SignedInfo followed by SignatureValue.");
  }
  if (rest.length > 0 || (keyInfo && !isDsig(keyInfo, "KeyInfo"))) {
    return fail(
      "whole_document",
      "signature_wrapping",
      "The signature contains elements other than SignedInfo, SignatureValue and KeyInfo (for example ds:Object).",
    );
  }

  // Nothing signs these parts: only what our signers write may stand there (SignedInfo is signed; it is checked below).
  const unsigned = unsignedContent(signature, signedInfo);
  if (unsigned) {
    return fail("whole_document", "unsigned_content", `The signature carries content that nothing signs (${unsigned}).`);
  }
  // xml-crypto reads the first SignatureValue text in document order: there must be no other to choose from.
  if (descendantsNamed(signature, "SignatureValue").length !== 1 || firstTextData(signatureValue) === null) {
    return fail("signature", "malformed_signature", "The signature must hold exactly one SignatureValue, with text.");
  }

  const infoParts = childElements(signedInfo);
  const [c14nMethod, sigMethod, ...references] = infoParts;
  if (!c14nMethod || !isDsig(c14nMethod, "CanonicalizationMethod") || !sigMethod || !isDsig(sigMethod, "SignatureMethod")) {
    return fail("signature", "malformed_signature", "SignedInfo must start with CanonicalizationMethod and SignatureMethod.");
  }
  if (references.length !== 1 || !references[0] || !isDsig(references[0], "Reference")) {
    return fail(
      "whole_document",
      "reference_not_whole_document",
      `SignedInfo must hold exactly one Reference; found ${references.length}.`,
    );
  }
  const reference = references[0];
  const uri = reference.getAttributeNode("URI");
  if (uri?.value !== "") {
    return fail(
      "whole_document",
      "reference_not_whole_document",
      `The signed reference is ${uri ? `URI="${uri.value}"` : "missing its URI"}; only URI="" (the whole document) is accepted.`,
    );
  }

  const c14n = algorithmOf(c14nMethod);
  if (c14n !== ALG_EXC_C14N || childElements(c14nMethod).length > 0) {
    return fail(
      "algorithms",
      "disallowed_algorithm",
      `Canonicalization ${c14n ?? "(none)"} is not allowed; only exclusive c14n without comments.`,
    );
  }
  const sigAlg = algorithmOf(sigMethod);
  if (sigAlg !== ALG_RSA_SHA256 || childElements(sigMethod).length > 0) {
    return fail("algorithms", "disallowed_algorithm", `Signature method ${sigAlg ?? "(none)"} is not allowed; only RSA-SHA256.`);
  }
  const refParts = childElements(reference);
  const [transformsEl, digestMethod, digestValue, ...refRest] = refParts;
  if (!transformsEl || !isDsig(transformsEl, "Transforms")) {
    return fail("algorithms", "extra_transform", "The reference must list exactly the enveloped-signature and exclusive c14n transforms.");
  }
  const transforms = childElements(transformsEl);
  const transformAlgs = transforms.map((t) => algorithmOf(t) ?? "(none)");
  const exact =
    transforms.length === REQUIRED_TRANSFORMS.length &&
    transforms.every((t, i) => isDsig(t, "Transform") && algorithmOf(t) === REQUIRED_TRANSFORMS[i] && childElements(t).length === 0);
  if (!exact) {
    return fail(
      "algorithms",
      "extra_transform",
      `Transforms [${transformAlgs.join(", ")}] are not allowed; only [enveloped-signature, exc-c14n].`,
    );
  }
  if (!digestMethod || !isDsig(digestMethod, "DigestMethod") || !digestValue || !isDsig(digestValue, "DigestValue") || refRest.length > 0) {
    return fail("signature", "malformed_signature", "The reference must hold Transforms, DigestMethod and DigestValue only.");
  }
  const digestAlg = algorithmOf(digestMethod);
  if (digestAlg !== ALG_SHA256) {
    return fail("algorithms", "disallowed_algorithm", `Digest method ${digestAlg ?? "(none)"} is not allowed; only SHA-256.`);
  }
  return { ok: true, signature, keyInfo: keyInfo ?? null };
}

export type CryptoVerification =
  | { ok: true; signedContent: string }
  | { ok: false; reason: "signature_invalid" | "digest_mismatch"; detail: string };

/**
 * xml-crypto's `checkSignature` on `xml`, for a document that the gate and `inspectEnvelopedSignature` accepted (call
 * it only after that returned ok for this `signature`). The key is the caller's (a trust anchor's chain leaf, or the
 * key a request must prove it holds); whatever the file embeds in KeyInfo is never used as a key. Returns as
 * signedContent the canonical XML the signature covered (`getSignedReferences()`): read business data only from it.
 */
export function verifyEnvelopedSignature(xml: string, signature: Element, key: KeyObject): CryptoVerification {
  const sig = new SignedXml({ publicCert: key, getCertFromKeyInfo: () => null });
  let valid: boolean;
  try {
    sig.loadSignature(signature);
    valid = sig.checkSignature(xml);
  } catch (error) {
    // xml-crypto throws (rather than returning false) when the SignatureValue does not verify.
    return { ok: false, reason: "signature_invalid", detail: error instanceof Error ? error.message : "Signature check failed." };
  }
  if (!valid) {
    const why = sig.getReferences()[0]?.validationError?.message ?? "The digest of the signed content does not match.";
    return { ok: false, reason: "digest_mismatch", detail: why };
  }
  const signed = sig.getSignedReferences();
  const content = signed[0];
  if (signed.length !== 1 || content === undefined) {
    return { ok: false, reason: "signature_invalid", detail: `Expected one signed reference, got ${signed.length}.` };
  }
  return { ok: true, signedContent: content };
}
