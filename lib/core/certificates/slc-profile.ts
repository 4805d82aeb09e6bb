// The one form the enrollment service writes an SLC in. A verified file is installed only in that form: what a
// transfer does harmlessly (a UTF-8 byte-order mark, CRLF or CR line endings, whitespace after the root) is undone
// first; anything else that differs from the form the service wrote is refused with its own reason, because a byte
// change the signature does not see (XML 1.1, character references, content in KeyInfo) would give the installed file
// another fingerprint than the one the service issued. The console stores and fingerprints the result, which is then
// byte for byte what the service issued.
import { escapeXmlAttribute, escapeXmlText } from "@/lib/core/xml/safe-xml";
import { childElements, DSIG_NS } from "@/lib/core/xml/xml-signature";

export const SLC_PROFILE_REASONS = [
  "xml_version",
  "xml_declaration",
  "character_reference",
  "key_info_extra",
  "unsigned_content",
  "reformatted",
] as const;
type SlcProfileReason = (typeof SLC_PROFILE_REASONS)[number];

export type SlcProfileCheck = { ok: true; document: string } | { ok: false; reason: SlcProfileReason; detail: string };

/** The declaration the service writes, followed by one line feed and the root element. */
const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';
const DSIG_PREFIX = "ds";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Undoes what a transfer does without changing meaning: CRLF and CR line endings, trailing whitespace. (The input gate already dropped a BOM.) */
function undoTransport(text: string): string {
  return text
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t\n]+$/, "");
}

function qualifiedOrder(a: Attr, b: Attr): number {
  const declaration = (x: Attr) => x.name === "xmlns" || x.name.startsWith("xmlns:");
  if (declaration(a) !== declaration(b)) return declaration(a) ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Writes an element as the service's signer does: attributes in name order, escapes as escapeXmlText, empty elements as `<x/>`. */
function serialise(node: Element): string | null {
  const attributes = Array.from(node.attributes).sort(qualifiedOrder);
  let out = `<${node.nodeName}${attributes.map((a) => ` ${a.name}="${escapeXmlAttribute(a.value)}"`).join("")}`;
  if (!node.firstChild) return `${out}/>`;
  out += ">";
  for (let c: ChildNode | null = node.firstChild; c; c = c.nextSibling) {
    if (c.nodeType === 1) {
      const inner = serialise(c as Element);
      if (inner === null) return null;
      out += inner;
    } else if (c.nodeType === 3) {
      out += escapeXmlText((c as Text).data);
    } else {
      return null; // CDATA, comments, processing instructions: never in what the service writes
    }
  }
  return `${out}</${node.nodeName}>`;
}

function isDs(el: Element, localName: string): boolean {
  return el.namespaceURI === DSIG_NS && el.localName === localName && el.prefix === DSIG_PREFIX;
}

function textChildren(el: Element): Text[] {
  const out: Text[] = [];
  for (let c = el.firstChild; c; c = c.nextSibling) if (c.nodeType === 3 || c.nodeType === 4) out.push(c as Text);
  return out;
}

/** Only base64 text, in one run, and no attributes: an X509Certificate or SignatureValue as the service writes it. */
function plainBase64(el: Element): boolean {
  const texts = textChildren(el);
  return el.attributes.length === 0 && childElements(el).length === 0 && texts.length === 1 && BASE64.test(texts[0]?.data ?? "");
}

/** What the enveloped signature does not cover, checked element by element: the ds:Signature shell and its KeyInfo. */
function unsignedProblem(signature: Element): { reason: SlcProfileReason; detail: string } | null {
  const declarations = Array.from(signature.attributes);
  if (
    signature.prefix !== DSIG_PREFIX ||
    declarations.length !== 1 ||
    declarations[0]?.name !== `xmlns:${DSIG_PREFIX}` ||
    declarations[0]?.value !== DSIG_NS
  ) {
    return { reason: "unsigned_content", detail: "The ds:Signature element carries attributes or namespaces the service never writes." };
  }
  if (textChildren(signature).length > 0) {
    return {
      reason: "unsigned_content",
      detail: "The ds:Signature element holds text (re-indented or added) outside what the signature covers.",
    };
  }
  const [, signatureValue, keyInfo] = childElements(signature);
  if (!signatureValue || !plainBase64(signatureValue)) {
    return {
      reason: "unsigned_content",
      detail: "The SignatureValue holds more than the base64 value the service writes (line breaks, attributes or text).",
    };
  }
  if (!keyInfo || !isDs(keyInfo, "KeyInfo") || keyInfo.attributes.length > 0 || textChildren(keyInfo).length > 0) {
    return { reason: "key_info_extra", detail: "KeyInfo is missing, or carries attributes or text besides its X509Data." };
  }
  const keyInfoParts = childElements(keyInfo);
  const x509Data = keyInfoParts[0];
  if (keyInfoParts.length !== 1 || !x509Data || !isDs(x509Data, "X509Data")) {
    return {
      reason: "key_info_extra",
      detail: `KeyInfo holds ${keyInfoParts.map((e) => e.nodeName).join(", ") || "nothing"}; the service writes only ds:X509Data with ds:X509Certificate.`,
    };
  }
  const certificates = childElements(x509Data);
  if (
    x509Data.attributes.length > 0 ||
    textChildren(x509Data).length > 0 ||
    certificates.length === 0 ||
    !certificates.every((c) => isDs(c, "X509Certificate") && plainBase64(c))
  ) {
    return {
      reason: "key_info_extra",
      detail: "X509Data holds something besides ds:X509Certificate elements with base64 text (other elements, attributes, whitespace).",
    };
  }
  return null;
}

/** Whether the first difference sits on a character or entity reference (`&#x2E;` for `.`, `&#60;` for `&lt;` …). */
function atReference(input: string, index: number): boolean {
  const ampersand = input.lastIndexOf("&", index);
  if (ampersand < 0 || index - ampersand > 12) return false;
  return /^&(#x?[0-9A-Fa-f]+|[A-Za-z]+);/.test(input.slice(ampersand, ampersand + 12)) && input.indexOf(";", ampersand) >= index;
}

/**
 * Checks that a document whose signature has been verified (`doc` parsed from `text`, `signature` its one ds:Signature)
 * is exactly what the service writes once transport changes are undone, and returns that form. Never throws.
 */
export function checkSlcProfile(text: string, doc: Document, signature: Element): SlcProfileCheck {
  const input = undoTransport(text);
  const declaration = /^<\?xml[^?]*\?>/.exec(input)?.[0];
  const version = declaration ? /version\s*=\s*["']([^"']*)["']/.exec(declaration)?.[1] : undefined;
  if (version !== undefined && version !== "1.0") {
    return { ok: false, reason: "xml_version", detail: `The file declares XML ${version}; the enrollment service writes XML 1.0.` };
  }
  if (declaration !== DECLARATION) {
    return {
      ok: false,
      reason: "xml_declaration",
      detail: `The file starts with ${declaration ? `"${declaration}"` : "no XML declaration"}; the enrollment service writes "${DECLARATION}".`,
    };
  }
  const unsigned = unsignedProblem(signature);
  if (unsigned) return { ok: false, ...unsigned };
  const root = serialise(doc.documentElement);
  const expected = root === null ? null : `${DECLARATION}\n${root}`;
  if (expected === input) return { ok: true, document: input };
  let at = 0;
  const limit = Math.min(input.length, expected?.length ?? 0);
  while (at < limit && input[at] === expected?.[at]) at += 1;
  if (atReference(input, at)) {
    return {
      ok: false,
      reason: "character_reference",
      detail: `At character ${at + 1} the file uses a character reference ("${input.slice(at, at + 12)}…") where the enrollment service writes the character itself.`,
    };
  }
  return {
    ok: false,
    reason: "reformatted",
    detail: `From character ${at + 1} ("${input.slice(at, at + 24)}…") the file is not written as the enrollment service wrote it (re-indented, attributes reordered or quoted differently, or other content added).`,
  };
}
