// The one gate for untrusted XML: refuses hostile input in linear time before any parser sees it, and the one parser configuration.
import { XMLParser, XMLValidator } from "fast-xml-parser";

export const MAX_XML_BYTES = 256 * 1024;
export const MAX_XML_DEPTH = 64;

export const XML_INPUT_ERROR_CODES = [
  "too_large",
  "not_utf8",
  "doctype",
  "entity",
  "processing_instruction",
  "malformed",
  "too_deep",
  "empty",
] as const;
export type XmlInputErrorCode = (typeof XML_INPUT_ERROR_CODES)[number];

export class XmlInputError extends Error {
  readonly code: XmlInputErrorCode;
  constructor(code: XmlInputErrorCode, message: string) {
    super(message);
    this.name = "XmlInputError";
    this.code = code;
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

/** Scans once for constructs we never accept and for nesting depth; stops at the first problem. */
function scanMarkup(xml: string): void {
  let depth = 0;
  let roots = 0;
  let i = 0;
  const n = xml.length;
  const outsideText = (from: number, to: number) => {
    if (depth === 0 && xml.slice(from, to).trim() !== "") {
      throw new XmlInputError("malformed", "Text outside the root element.");
    }
  };
  while (i < n) {
    const lt = xml.indexOf("<", i);
    outsideText(i, lt < 0 ? n : lt);
    if (lt < 0) break;
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt + 4);
      if (end < 0) throw new XmlInputError("malformed", "Unterminated comment.");
      i = end + 3;
      continue;
    }
    if (xml.startsWith("<![CDATA[", lt)) {
      const end = xml.indexOf("]]>", lt + 9);
      if (end < 0) throw new XmlInputError("malformed", "Unterminated CDATA section.");
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
    // Start tag: find its end outside quoted attribute values.
    let j = lt + 1;
    let quote = "";
    let end = -1;
    while (j < n) {
      const c = xml[j];
      if (quote) {
        const close = xml.indexOf(quote, j);
        if (close < 0) throw new XmlInputError("malformed", "Unterminated attribute value.");
        j = close + 1;
        quote = "";
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
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
      if (depth > MAX_XML_DEPTH) {
        throw new XmlInputError("too_deep", `Elements are nested deeper than ${MAX_XML_DEPTH} levels.`);
      }
    }
    i = end + 1;
  }
}

/**
 * Turns raw upload bytes (or text) into a string that is safe to hand to an XML parser, or throws XmlInputError.
 * Order: size, encoding, DTD/entities, processing instructions and depth, then well-formedness.
 */
export function decodeXmlInput(input: Uint8Array | string, maxBytes = MAX_XML_BYTES): string {
  const size = typeof input === "string" ? Buffer.byteLength(input, "utf8") : input.byteLength;
  if (size > maxBytes) {
    throw new XmlInputError("too_large", `The file is ${size} bytes; the limit is ${maxBytes} bytes.`);
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
  scanMarkup(text);
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
