// The XML gate refuses hostile input before parsing, in linear time; the parser keeps escapes for unescapeXml.
import { describe, expect, it } from "vitest";
import { MAX_XML_BYTES } from "./limits";
import {
  decodeXmlInput,
  escapeXmlAttribute,
  escapeXmlText,
  GENERIC_XML_CAPS,
  MAX_XML_ATTRIBUTES,
  MAX_XML_ATTRIBUTES_PER_ELEMENT,
  MAX_XML_DISTINCT_NAMES,
  MAX_XML_ELEMENTS,
  MAX_XML_NAMESPACE_DECLARATIONS,
  MAX_XML_NAMESPACE_DECLARATIONS_PER_ELEMENT,
  MAX_XML_TEXT_LENGTH,
  parseXml,
  unescapeXml,
  type XmlCaps,
  XmlInputError,
  type XmlInputErrorCode,
  type XmlLimit,
} from "./safe-xml";

function codeOf(input: Uint8Array | string, maxBytes?: number): XmlInputErrorCode | "ok" {
  try {
    decodeXmlInput(input, maxBytes);
    return "ok";
  } catch (error) {
    if (error instanceof XmlInputError) return error.code;
    throw error;
  }
}

describe("decodeXmlInput", () => {
  it("accepts plain UTF-8 XML (bytes or string, with or without BOM and declaration)", () => {
    const xml = '<?xml version="1.0" encoding="UTF-8"?><a b="1">Å &amp; 漢<c/></a>';
    expect(decodeXmlInput(xml)).toBe(xml);
    expect(decodeXmlInput(new TextEncoder().encode(xml))).toBe(xml);
    expect(decodeXmlInput(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]))).toBe(xml);
    expect(decodeXmlInput(`\uFEFF<a/>`)).toBe("<a/>");
  });

  it("refuses by size first, counting bytes", () => {
    expect(codeOf(`<a>${"é".repeat(MAX_XML_BYTES / 2)}</a>`)).toBe("too_large");
    expect(codeOf("<a/>", 3)).toBe("too_large");
  });

  it("refuses UTF-16/32, NUL bytes, invalid UTF-8 and non-UTF-8 declarations", () => {
    expect(codeOf(Buffer.from("\uFEFF<a/>", "utf16le"))).toBe("not_utf8");
    expect(codeOf(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from("\u0000<\u0000a\u0000/\u0000>")]))).toBe("not_utf8");
    expect(codeOf(Buffer.from([0xff, 0xfe, 0x00, 0x00, 0x3c, 0, 0, 0]))).toBe("not_utf8");
    expect(codeOf(Buffer.from([0x3c, 0x61, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x61, 0x3e]))).toBe("not_utf8");
    expect(codeOf("<a>\u0000</a>")).toBe("not_utf8");
    expect(codeOf("<a>\uD800</a>")).toBe("not_utf8");
    expect(codeOf('<?xml version="1.0" encoding="ISO-8859-1"?><a/>')).toBe("not_utf8");
  });

  it("refuses DTDs and entities", () => {
    expect(codeOf("<!DOCTYPE a><a/>")).toBe("doctype");
    expect(codeOf("<!doctype a><a/>")).toBe("doctype");
    expect(codeOf('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')).toBe("entity");
    expect(codeOf('<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>')).toBe("entity");
    expect(codeOf("<a><!ELEMENT a ANY></a>")).toBe("doctype");
  });

  it("refuses processing instructions other than the leading declaration", () => {
    expect(codeOf('<?xml-stylesheet href="x"?><a/>')).toBe("processing_instruction");
    expect(codeOf("<a><?php echo 1 ?></a>")).toBe("processing_instruction");
    expect(codeOf(' <?xml version="1.0"?><a/>')).toBe("processing_instruction");
  });

  it("refuses deep nesting without recursion, even 100k deep, in linear time", () => {
    expect(codeOf(`${"<a>".repeat(64)}${"</a>".repeat(64)}`)).toBe("ok");
    expect(codeOf(`${"<a>".repeat(65)}${"</a>".repeat(65)}`)).toBe("too_deep");
    expect(codeOf(`${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`, 10_000_000)).toBe("too_deep");
    expect(codeOf(`${'<a x=">">'.repeat(100)}`, 10_000_000)).toBe("too_deep");
  });

  it("refuses a 5 MB attribute by size, and by the text cap when the size cap is raised", () => {
    const big = `<a b="${"x".repeat(5 * 1024 * 1024)}"/>`;
    expect(limitOf(big, MAX_XML_BYTES)).toBe("bytes");
    expect(limitOf(big, 6 * 1024 * 1024)).toBe("text");
  });

  it("refuses empty and malformed input", () => {
    expect(codeOf("")).toBe("empty");
    expect(codeOf(" \n ")).toBe("empty");
    expect(codeOf("<a>")).toBe("malformed");
    expect(codeOf("<a></b>")).toBe("malformed");
    expect(codeOf("<a/><b/>")).toBe("malformed");
    expect(codeOf('<a b="1>')).toBe("malformed");
    expect(codeOf("<a><!-- x </a>")).toBe("malformed");
    expect(codeOf("not xml")).toBe("malformed");
  });
});

function limitOf(input: string, maxBytes: number | XmlCaps = 10_000_000): XmlLimit | "ok" | XmlInputErrorCode {
  try {
    decodeXmlInput(input, maxBytes);
    return "ok";
  } catch (error) {
    if (error instanceof XmlInputError) return error.limit ?? error.code;
    throw error;
  }
}

const children = (count: number) => `<r>${"<e/>".repeat(count - 1)}</r>`;
const attributes = (count: number) => `<r ${Array.from({ length: count }, (_, i) => `a${i}="v"`).join(" ")}/>`;
const declarations = (count: number) => `<r ${Array.from({ length: count }, (_, i) => `xmlns:p${i}="urn:x:${i}"`).join(" ")}/>`;

describe("structural caps (at the limit accepted, one over refused as too_large with the cap named)", () => {
  it("caps the element count", () => {
    expect(limitOf(children(MAX_XML_ELEMENTS))).toBe("ok");
    expect(limitOf(children(MAX_XML_ELEMENTS + 1))).toBe("elements");
    expect(codeOf(children(MAX_XML_ELEMENTS + 1))).toBe("too_large");
  });

  it("caps distinct element names (the DOM parser's cost grows with them) and refuses JavaScript machinery names", () => {
    const named = (count: number) => `<r>${Array.from({ length: count - 1 }, (_, i) => `<e${i}/>`).join("")}</r>`;
    expect(limitOf(named(MAX_XML_DISTINCT_NAMES))).toBe("ok");
    expect(limitOf(named(MAX_XML_DISTINCT_NAMES + 1))).toBe("names");
    expect(codeOf("<r><__proto__/></r>")).toBe("reserved_name");
    expect(codeOf("<r><p:constructor xmlns:p='urn:x'/></r>")).toBe("reserved_name");
    expect(codeOf('<r prototype="1"/>')).toBe("reserved_name");
    expect(limitOf("<r><protocol constructorName='x'/></r>")).toBe("ok");
  });

  it("caps attributes per element", () => {
    expect(limitOf(attributes(MAX_XML_ATTRIBUTES_PER_ELEMENT))).toBe("ok");
    expect(limitOf(attributes(MAX_XML_ATTRIBUTES_PER_ELEMENT + 1))).toBe("attributes");
  });

  it("caps attributes in the whole document (the 10 × 90 × 31-attribute request of the attack run)", () => {
    const spread = (total: number) =>
      `<r>${Array.from({ length: Math.ceil(total / 8) }, (_, i) => attributes(Math.min(8, total - i * 8)).replace("<r ", "<e ")).join("")}</r>`;
    expect(limitOf(spread(MAX_XML_ATTRIBUTES))).toBe("ok");
    expect(limitOf(spread(MAX_XML_ATTRIBUTES + 1))).toBe("attributes");
    const attack = `<RenewalRequest>${Array.from({ length: 10 }, (_, p) => `<P${p}>${Array.from({ length: 90 }, (_, c) => `<C${c} ${Array.from({ length: 31 }, (_, a) => `a${a}="v"`).join(" ")}/>`).join("")}</P${p}>`).join("")}</RenewalRequest>`;
    expect(limitOf(attack)).toBe("attributes");
  });

  it("holds a document type to its own, tighter caps", () => {
    const tight: XmlCaps = { ...GENERIC_XML_CAPS, bytes: 4_096, elements: 8, attributes: 4, attributesPerElement: 2, textLength: 100 };
    expect(limitOf(children(8), tight)).toBe("ok");
    expect(limitOf(children(9), tight)).toBe("elements");
    expect(limitOf(attributes(3), tight)).toBe("attributes");
    expect(limitOf(`<r><a x="1" y="2"/><b x="1" y="2"/><c z="3"/></r>`, tight)).toBe("attributes");
    expect(limitOf(`<r>${"x".repeat(101)}</r>`, tight)).toBe("text");
    expect(limitOf(`<r>${"<e/>".repeat(1_100)}</r>`, tight)).toBe("bytes");
  });

  it("caps namespace declarations per element, with or without a prefix and with spaces around =", () => {
    expect(limitOf(declarations(MAX_XML_NAMESPACE_DECLARATIONS_PER_ELEMENT))).toBe("ok");
    expect(limitOf(declarations(MAX_XML_NAMESPACE_DECLARATIONS_PER_ELEMENT + 1))).toBe("namespaces");
    const spaced = `<r xmlns = "urn:d" ${Array.from({ length: MAX_XML_NAMESPACE_DECLARATIONS_PER_ELEMENT }, (_, i) => `xmlns:p${i} ='u'`).join(" ")}/>`;
    expect(limitOf(spaced)).toBe("namespaces");
  });

  it("caps namespace declarations in the whole document", () => {
    const perElement = 8;
    const doc = (total: number) => {
      const full = Math.floor(total / perElement);
      const inner = Array.from({ length: full }, () => declarations(perElement).replace("<r ", "<e ")).join("");
      const rest = total - full * perElement;
      return `<r${rest > 0 ? declarations(rest).slice(2, -2) : ""}>${inner}</r>`;
    };
    expect(limitOf(doc(MAX_XML_NAMESPACE_DECLARATIONS))).toBe("ok");
    expect(limitOf(doc(MAX_XML_NAMESPACE_DECLARATIONS + 1))).toBe("namespaces");
  });

  it("caps text runs, CDATA, comments and attribute values", () => {
    const x = (count: number) => "x".repeat(count);
    for (const make of [
      (s: string) => `<r>${s}</r>`,
      (s: string) => `<r><![CDATA[${s}]]></r>`,
      (s: string) => `<r><!--${s}--></r>`,
      (s: string) => `<r a="${s}"/>`,
      (s: string) => `<r a='${s}'/>`,
    ]) {
      expect(limitOf(make(x(MAX_XML_TEXT_LENGTH)))).toBe("ok");
      expect(limitOf(make(x(MAX_XML_TEXT_LENGTH + 1)))).toBe("text");
    }
  });

  it("refuses a 5,000-element request at the gate, quickly (not by a timeout)", () => {
    const rows = Array.from({ length: 5_000 }, (_, i) => `<Row n="${i}"/>`).join("");
    const request = `<RenewalRequest><Extra>${rows}</Extra></RenewalRequest>`;
    expect(Buffer.byteLength(request)).toBeLessThan(MAX_XML_BYTES);
    const started = performance.now();
    // One attribute per row: the document-wide attribute cap (256) is reached before the element cap (1,000).
    expect(limitOf(request, MAX_XML_BYTES)).toBe("attributes");
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe("parseXml and escaping", () => {
  it("keeps attributes, strings and escapes as the one configuration promises", () => {
    expect(parseXml('<a v="007"><n>0123</n><t>x &amp; y</t><e/></a>')).toEqual({ a: { "@_v": "007", n: "0123", t: "x &amp; y", e: "" } });
  });

  it("does not expand entities", () => {
    expect(parseXml("<a>&lt;&#x41;</a>")).toEqual({ a: "&lt;&#x41;" });
  });

  it("round-trips hostile text through escape → parse → unescape", () => {
    for (const value of ["a<b>&c\"d'e", "x\r\ny", "tab\there", "Åäö 漢字 😀", "&amp; literally"]) {
      const parsed = parseXml(`<a k="${escapeXmlAttribute(value)}">${escapeXmlText(value)}</a>`);
      expect(parsed).toEqual({ a: { "@_k": expect.any(String), "#text": expect.any(String) } });
      const a = (parsed as { a: { "@_k": string; "#text": string } }).a;
      expect(unescapeXml(a["#text"])).toBe(value);
      expect(unescapeXml(a["@_k"])).toBe(value);
    }
  });

  it("unescapeXml refuses unknown or broken references", () => {
    expect(unescapeXml("&lt;&#65;&#x42;&apos;")).toBe("<AB'");
    expect(unescapeXml("&nbsp;")).toBeNull();
    expect(unescapeXml("a & b")).toBeNull();
    expect(unescapeXml("&#0;")).toBeNull();
    expect(unescapeXml("&#xD800;")).toBeNull();
  });
});
