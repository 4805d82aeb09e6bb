// xml-crypto 6.3.2 calls DOMParser.parseFromString(xml) without a MIME type (fine in xmldom 0.8), but package.json
// overrides xmldom to 0.9.x, which throws on a missing MIME type. Default it to "text/xml"; nothing else changes.
import { DOMParser } from "@xmldom/xmldom";

type ParseFromString = (this: DOMParser, source: string, mimeType?: string) => Document;
const MARK = Symbol.for("rms.xmldom.defaultMimeType");

const proto = DOMParser.prototype as unknown as Record<string | symbol, unknown> & { parseFromString: ParseFromString };
if (proto[MARK] !== true) {
  const original = proto.parseFromString;
  proto.parseFromString = function parseFromString(this: DOMParser, source: string, mimeType?: string) {
    return original.call(this, source, mimeType ?? "text/xml");
  };
  proto[MARK] = true;
}
