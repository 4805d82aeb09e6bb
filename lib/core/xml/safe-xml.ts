// The one gate for untrusted XML: refuses hostile input in linear time before any parser sees it, and the one parser configuration.

import { XMLParser, XMLValidator } from "fast-xml-parser";
import { CodedError } from "@/lib/platform/errors/coded-error";
import { MAX_XML_BYTES } from "./limits";

const MAX_XML_DEPTH = 64;

// Structural caps, checked in the same single pass as depth, so no DOM, XPath or c14n code ever sees a document
// bigger than these. Our largest genuine documents (measured): an SLC with its certificate chain has ~45 elements,
// 2 attributes per element, 1 namespace declaration and 1,344 characters of text (one certificate's base64); a renewal
// request has 29 elements and 392 characters. Each cap is at least 10× that.
/** Start tags (elements) in the whole document; genuine ≤ ~45. */
export const MAX_XML_ELEMENTS = 1_000;
/**
 * Distinct element names (qualified) in the document; genuine ≤ 32 (an SLC). The DOM parser's cost grows with
 * distinct names × size, so this keeps a cap-sized document cheap.
 */
export const MAX_XML_DISTINCT_NAMES = 320;
/** Attributes on one element, namespace declarations included; genuine ≤ 2. */
export const MAX_XML_ATTRIBUTES_PER_ELEMENT = 32;
/** xmlns / xmlns:p declarations on one element; genuine ≤ 1. */
export const MAX_XML_NAMESPACE_DECLARATIONS_PER_ELEMENT = 16;
/** xmlns / xmlns:p declarations in the whole document; genuine ≤ 1. */
export const MAX_XML_NAMESPACE_DECLARATIONS = 64;
/** Characters (UTF-16 units, escapes unexpanded) in one text run, CDATA section, comment or attribute value; genuine ≤ 1,344. */
export const MAX_XML_TEXT_LENGTH = 64 * 1024;
/** Attributes in the whole document, namespace declarations included; genuine ≤ 21 (an SLC). */
export const MAX_XML_ATTRIBUTES = 256;

/** The structural caps one kind of document is held to (the generic gate's, or a document type's tighter ones). */
export interface XmlCaps {
  bytes: number;
  depth: number;
  elements: number;
  distinctNames: number;
  attributes: number;
  attributesPerElement: number;
  namespaces: number;
  namespacesPerElement: number;
  textLength: number;
}

/** Any XML we accept at all (the gate's outer bound). */
export const GENERIC_XML_CAPS: XmlCaps = {
  bytes: MAX_XML_BYTES,
  depth: MAX_XML_DEPTH,
  elements: MAX_XML_ELEMENTS,
  distinctNames: MAX_XML_DISTINCT_NAMES,
  attributes: MAX_XML_ATTRIBUTES,
  attributesPerElement: MAX_XML_ATTRIBUTES_PER_ELEMENT,
  namespaces: MAX_XML_NAMESPACE_DECLARATIONS,
  namespacesPerElement: MAX_XML_NAMESPACE_DECLARATIONS_PER_ELEMENT,
  textLength: MAX_XML_TEXT_LENGTH,
};

/** Which structural cap refused the input; the catalogue's wording is per code, this is for logs and tests. */
export type XmlLimit = "bytes" | "elements" | "names" | "attributes" | "namespaces" | "text";

export const XML_INPUT_ERROR_CODES = [
  "too_large",
  "not_utf8",
  "doctype",
  "entity",
  "processing_instruction",
  "malformed",
  "too_deep",
  "empty",
  "reserved_name",
] as const;
export type XmlInputErrorCode = (typeof XML_INPUT_ERROR_CODES)[number];

export class XmlInputError extends CodedError<XmlInputErrorCode> {
  override readonly name = "XmlInputError";
  /** Set when a size or structural cap refused the input. */
  readonly limit: XmlLimit | undefined;
  constructor(code: XmlInputErrorCode, message: string, limit?: XmlLimit) {
    super(code, message);
    this.limit = limit;
  }
}

// The structural caps reuse "too_large" (its wording, "too large to be a certificate or request", fits every cap) so the
// user-facing catalogue needs no new entry; `limit` and the message say which cap it was.
function overCap(limit: Exclude<XmlLimit, "bytes">, message: string): XmlInputError {
  return new XmlInputError("too_large", message, limit);
}

function checkText(length: number, max: number): void {
  if (length > max) {
    throw overCap("text", `A text, attribute value or comment is ${length} characters long; the limit is ${max}.`);
  }
}

const NAME_CHAR = /[^\s=<>"'/]/;

/** The name of the attribute whose value opens at `quoteAt`; scans back over `=` and the name only. */
function attributeNameBefore(xml: string, quoteAt: number, tagStart: number): string {
  let k = quoteAt - 1;
  while (k > tagStart && /\s/.test(xml[k] ?? "")) k -= 1;
  if (xml[k] !== "=") return "";
  k -= 1;
  while (k > tagStart && /\s/.test(xml[k] ?? "")) k -= 1;
  const nameEnd = k + 1;
  while (k > tagStart && NAME_CHAR.test(xml[k] ?? "")) k -= 1;
  return xml.slice(k + 1, nameEnd);
}

// Names that are JavaScript object machinery: an element or attribute called this is hostile, whatever its prefix.
const RESERVED_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

function checkName(qualifiedName: string, what: "element" | "attribute"): void {
  const local = qualifiedName.slice(qualifiedName.indexOf(":") + 1);
  if (RESERVED_NAMES.has(local)) {
    throw new XmlInputError("reserved_name", `The file uses "${qualifiedName}" as an ${what} name, which is not accepted.`);
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function hasPrefix(bytes: Uint8Array, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((b, i) => bytes[i] === b);
}

function decodeBytes(input: Uint8Array): string {
  // UTF-32 first: its little-endian BOM starts like UTF-16's.
  if (
    hasPrefix(input, [0x00, 0x00, 0xfe, 0xff]) ||
    hasPrefix(input, [0xff, 0xfe, 0x00, 0x00]) ||
    hasPrefix(input, [0xfe, 0xff]) ||
    hasPrefix(input, [0xff, 0xfe])
  ) {
    throw new XmlInputError("not_utf8", "The file is UTF-16 or UTF-32 encoded; save it as UTF-8 and try again.");
  }
  if (input.includes(0)) {
    throw new XmlInputError("not_utf8", "The file contains NUL bytes, so it is not UTF-8 text.");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(input);
  } catch {
    throw new XmlInputError("not_utf8", "The file is not valid UTF-8.");
  }
}

/** Scans once for constructs we never accept, for nesting depth and for the structural caps; stops at the first problem. */
function scanMarkup(xml: string, caps: XmlCaps): void {
  const checkTextLength = (length: number) => checkText(length, caps.textLength);
  let allAttributes = 0;
  let depth = 0;
  let roots = 0;
  let elements = 0;
  let namespaces = 0;
  const names = new Set<string>();
  let i = 0;
  const n = xml.length;
  const outsideText = (from: number, to: number) => {
    if (depth === 0 && xml.slice(from, to).trim() !== "") {
      throw new XmlInputError("malformed", "Text outside the root element.");
    }
  };
  while (i < n) {
    const lt = xml.indexOf("<", i);
    checkTextLength((lt < 0 ? n : lt) - i);
    outsideText(i, lt < 0 ? n : lt);
    if (lt < 0) break;
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt + 4);
      if (end < 0) throw new XmlInputError("malformed", "Unterminated comment.");
      checkTextLength(end - (lt + 4));
      i = end + 3;
      continue;
    }
    if (xml.startsWith("<![CDATA[", lt)) {
      const end = xml.indexOf("]]>", lt + 9);
      if (end < 0) throw new XmlInputError("malformed", "Unterminated CDATA section.");
      checkTextLength(end - (lt + 9));
      i = end + 3;
      continue;
    }
    if (xml.startsWith("<?", lt)) {
      const end = xml.indexOf("?>", lt + 2);
      if (end < 0) throw new XmlInputError("malformed", "Unterminated processing instruction.");
      const isDeclaration = lt === 0 && /^<\?xml[ \t\r\n]/.test(xml.slice(0, 6));
      if (!isDeclaration) {
        throw new XmlInputError("processing_instruction", "Processing instructions are not accepted.");
      }
      const declaration = xml.slice(lt, end + 2);
      const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(declaration)?.[1];
      if (encoding !== undefined && encoding.toLowerCase() !== "utf-8") {
        throw new XmlInputError("not_utf8", `The XML declaration names encoding "${encoding}"; only UTF-8 is accepted.`);
      }
      i = end + 2;
      continue;
    }
    if (xml.startsWith("<!", lt)) {
      // Anything else starting with "<!" is a DTD construct; the caller already screened ENTITY/DOCTYPE.
      throw new XmlInputError("doctype", "Document type declarations are not accepted.");
    }
    if (xml.startsWith("</", lt)) {
      depth -= 1;
      const end = xml.indexOf(">", lt + 2);
      if (end < 0) throw new XmlInputError("malformed", "Unterminated end tag.");
      i = end + 1;
      continue;
    }
    // Start tag: find its end outside quoted attribute values, counting attributes and namespace declarations.
    elements += 1;
    if (elements > caps.elements) {
      throw overCap("elements", `The file has more than ${caps.elements} elements.`);
    }
    const elementName = /^[^\s/>]*/.exec(xml.slice(lt + 1, lt + 1 + 256))?.[0] ?? "";
    checkName(elementName, "element");
    names.add(elementName);
    if (names.size > caps.distinctNames) {
      throw overCap("names", `The file uses more than ${caps.distinctNames} different element names.`);
    }
    let j = lt + 1;
    let quote = "";
    let end = -1;
    let attributes = 0;
    let declarations = 0;
    while (j < n) {
      const c = xml[j];
      if (quote) {
        const close = xml.indexOf(quote, j);
        if (close < 0) throw new XmlInputError("malformed", "Unterminated attribute value.");
        checkTextLength(close - j);
        j = close + 1;
        quote = "";
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        attributes += 1;
        allAttributes += 1;
        if (attributes > caps.attributesPerElement) {
          throw overCap("attributes", `An element has more than ${caps.attributesPerElement} attributes.`);
        }
        if (allAttributes > caps.attributes) {
          throw overCap("attributes", `The file has more than ${caps.attributes} attributes.`);
        }
        const attributeName = attributeNameBefore(xml, j, lt);
        checkName(attributeName, "attribute");
        if (attributeName === "xmlns" || attributeName.startsWith("xmlns:")) {
          declarations += 1;
          namespaces += 1;
          if (declarations > caps.namespacesPerElement) {
            throw overCap("namespaces", `An element declares more than ${caps.namespacesPerElement} namespaces.`);
          }
          if (namespaces > caps.namespaces) {
            throw overCap("namespaces", `The file declares more than ${caps.namespaces} namespaces.`);
          }
        }
      } else if (c === ">") {
        end = j;
        break;
      } else if (c === "<") {
        throw new XmlInputError("malformed", "Unexpected '<' inside a tag.");
      }
      j += 1;
    }
    if (end < 0) throw new XmlInputError("malformed", "Unterminated start tag.");
    if (depth === 0) {
      roots += 1;
      if (roots > 1) throw new XmlInputError("malformed", "More than one root element.");
    }
    if (xml[end - 1] !== "/") {
      depth += 1;
      if (depth > caps.depth) {
        throw new XmlInputError("too_deep", `Elements are nested deeper than ${caps.depth} levels.`);
      }
    }
    i = end + 1;
  }
}

/**
 * Turns raw upload bytes (or text) into a string that is safe to hand to an XML parser, or throws XmlInputError.
 * Order: size, encoding, DTD/entities, processing instructions and depth, then well-formedness.
 */
export function decodeXmlInput(input: Uint8Array | string, limits: number | XmlCaps = MAX_XML_BYTES): string {
  const caps: XmlCaps = typeof limits === "number" ? { ...GENERIC_XML_CAPS, bytes: limits } : limits;
  const maxBytes = caps.bytes;
  const size = typeof input === "string" ? Buffer.byteLength(input, "utf8") : input.byteLength;
  if (size > maxBytes) {
    throw new XmlInputError("too_large", `The file is ${size} bytes; the limit is ${maxBytes} bytes.`, "bytes");
  }
  let text: string;
  if (typeof input === "string") {
    if (input.includes("\u0000") || LONE_SURROGATE.test(input)) {
      throw new XmlInputError("not_utf8", "The text contains characters that cannot be encoded as UTF-8.");
    }
    text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  } else {
    text = decodeBytes(input);
  }
  if (text.trim() === "") {
    throw new XmlInputError("empty", "The file is empty.");
  }
  if (/<!ENTITY/i.test(text)) {
    throw new XmlInputError("entity", "Entity declarations are not accepted.");
  }
  if (/<!DOCTYPE/i.test(text)) {
    throw new XmlInputError("doctype", "Document type declarations are not accepted.");
  }
  scanMarkup(text, caps);
  const validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (validation !== true) {
    throw new XmlInputError("malformed", `The file is not well-formed XML (line ${validation.err.line}: ${validation.err.msg}).`);
  }
  return text;
}

const parser = new XMLParser({
  processEntities: false,
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  allowBooleanAttributes: false,
});

/** THE parser configuration. Values keep their escapes (processEntities: false): decode with unescapeXml. */
export function parseXml(xml: string): unknown {
  return parser.parse(xml);
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** Decodes the predefined and numeric character references left in values by parseXml; returns null on anything else. */
export function unescapeXml(value: string): string | null {
  let failed = false;
  const out = value.replace(/&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z]+);?/g, (match, ref: string) => {
    if (!match.endsWith(";")) {
      failed = true;
      return match;
    }
    if (ref.startsWith("#")) {
      const code = ref.startsWith("#x") ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        failed = true;
        return match;
      }
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[ref];
    if (named === undefined) {
      failed = true;
      return match;
    }
    return named;
  });
  if (failed || /&(?![A-Za-z#])/.test(value)) return null;
  return out;
}

/** Escapes text for element content, keeping CR (which parsers would otherwise normalise away). */
export function escapeXmlText(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
}

/** Escapes text for a double-quoted attribute value, keeping whitespace characters exact. */
export function escapeXmlAttribute(value: string): string {
  return escapeXmlText(value).replace(/"/g, "&quot;").replace(/\t/g, "&#x9;").replace(/\n/g, "&#xA;");
}
