// The XML gate refuses hostile input before parsing, in linear time; the parser keeps escapes for unescapeXml.
import { describe, expect, it } from "vitest";
import {
  decodeXmlInput,
  escapeXmlAttribute,
  escapeXmlText,
  MAX_XML_BYTES,
  parseXml,
  unescapeXml,
  XmlInputError,
  type XmlInputErrorCode,
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

  it("handles a 5 MB attribute when allowed by the cap, and refuses it under the default cap", () => {
    const big = `<a b="${"x".repeat(5 * 1024 * 1024)}"/>`;
    expect(codeOf(big)).toBe("too_large");
    expect(codeOf(big, 6 * 1024 * 1024)).toBe("ok");
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
