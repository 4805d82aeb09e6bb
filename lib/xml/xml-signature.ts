// The one signing/verification module: enveloped whole-document XML Signatures with a fixed, strict algorithm profile.
import { type BinaryLike, createHash, type KeyObject, verify as verifyRsa } from "node:crypto";
import { DOMParser } from "@xmldom/xmldom";
import { createOptionalCallbackFunction, ExclusiveCanonicalization, type SignatureAlgorithm, SignedXml } from "xml-crypto";
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
 * The key may be a parsed KeyObject (a signer that signs many documents parses its key once) or a signer whose key
 * stays in a token: the canonical SignedInfo is handed to it, and the document is the same.
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

/**
 * Checks, before any cryptography, that the document carries exactly one signature of our profile:
 * a child of the root, one Reference URI="" with transforms [enveloped, exc-c14n], RSA-SHA256, SHA-256, exc-c14n,
 * and that no business element is duplicated (signature wrapping).
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

// xml-crypto canonicalises with ds bound by default when the prefix is used but not declared; the fast path must match.
const C14N_OPTIONS = { defaultNsForPrefix: { ds: DSIG_NS }, ancestorNamespaces: [] };

/**
 * The fast path for our fixed profile, on the DOM the gate and `inspectEnvelopedSignature` already accepted (call it
 * only after that returned ok for this `signature`): exc-c14n of the root without the signature (the enveloped
 * transform), SHA-256 against DigestValue, RSA-SHA256 over exc-c14n(SignedInfo) with `key`. The same canonicaliser
 * as xml-crypto, without its re-parse, deep clone and whole-document XPath; linear in the document, which the gate caps.
 * Stricter than xml-crypto only where xml-crypto would pick one of several SignatureValue elements.
 * Returns as signedContent exactly the canonical octets that were digested.
 */
export function verifyEnvelopedSignature(doc: Document, signature: Element, key: KeyObject): CryptoVerification {
  const root = doc.documentElement;
  const [signedInfo, signatureValueEl] = childElements(signature);
  const reference = signedInfo ? childElements(signedInfo)[2] : undefined;
  const digestValueEl = reference ? childElements(reference)[2] : undefined;
  if (!signedInfo || !signatureValueEl || !digestValueEl || signature.parentNode !== root) {
    return { ok: false, reason: "signature_invalid", detail: "The signature does not have the structure that was inspected." };
  }
  // Read as xml-crypto reads them (DigestValue's textContent, SignatureValue's first text node), but refuse to choose
  // among several SignatureValue elements where xml-crypto would take the first in document order.
  const signatureValue = firstTextData(signatureValueEl);
  const digestValue = digestValueEl.textContent ?? "";
  if (signatureValue === null || descendantsNamed(signature, "SignatureValue").length !== 1) {
    return { ok: false, reason: "signature_invalid", detail: "The signature must hold exactly one SignatureValue, with text." };
  }
  const c14n = new ExclusiveCanonicalization();
  const canonicalSignedInfo = c14n.process(signedInfo, { ...C14N_OPTIONS });
  // The enveloped-signature transform: canonicalise the root with the signature detached, then put it back.
  const next = signature.nextSibling;
  root.removeChild(signature);
  let signedContent: string;
  try {
    signedContent = c14n.process(root, { ...C14N_OPTIONS });
  } finally {
    root.insertBefore(signature, next);
  }
  const digest = createHash("sha256").update(signedContent).digest();
  if (!digest.equals(Buffer.from(digestValue, "base64"))) {
    return {
      ok: false,
      reason: "digest_mismatch",
      detail: `invalid signature: calculated digest is ${digest.toString("base64")} but the xml to validate supplies digest ${digestValue}`,
    };
  }
  let valid: boolean;
  try {
    valid = verifyRsa("RSA-SHA256", Buffer.from(canonicalSignedInfo), key, Buffer.from(signatureValue.replace(/\r?\n/g, ""), "base64"));
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: "signature_invalid", detail: "invalid signature: the signature value is incorrect" };
  return { ok: true, signedContent };
}

/**
 * The reference: xml-crypto's own checkSignature on the text, returning the canonical XML it covered. Kept for the
 * differential tests and fuzzers that prove the fast path above; production code verifies with the fast path.
 * The key comes either from `certificateFromKeyInfo` (which must return only a certificate that chains to a trust
 * anchor) or from `publicKeyPem`; never from whatever the file embeds.
 */
export function verifyEnvelopedSignatureReference(
  xml: string,
  signature: Element,
  key: { certificateFromKeyInfo: (keyInfo: Node | null | undefined) => string | null } | { publicKeyPem: string | KeyObject },
): CryptoVerification {
  const sig =
    "publicKeyPem" in key
      ? new SignedXml({ publicCert: key.publicKeyPem, getCertFromKeyInfo: () => null })
      : new SignedXml({ getCertFromKeyInfo: (keyInfo) => key.certificateFromKeyInfo(keyInfo) });
  let valid: boolean;
  try {
    sig.loadSignature(signature);
    valid = sig.checkSignature(xml);
  } catch (error) {
    // xml-crypto throws (rather than returning false) when the SignatureValue does not verify or no key was accepted.
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
