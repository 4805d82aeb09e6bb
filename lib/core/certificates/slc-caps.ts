// The caps an SLC file is held to before any parser sees it, derived from the SLC schema (./slc.ts) and the signature
// profile: 24 business elements + 12 of the signature + one X509Certificate per chain certificate (a chain of 4 at
// most) = 40 elements; 28 names; attributes: 10 in the body, xmlns:ds, 5 × Algorithm, URI = 17; nesting
// XrML/BODY/ISSUEDPRINCIPALS/PRINCIPAL/PUBLICKEY/PARAMETER/VALUE = 7 (the signature's 6); the longest text is a
// certificate (a few KB of base64) or the 8,192-character key. A genuine SLC is 5 KB: 39 elements, 17 attributes.
// Element and attribute caps leave room for one extra signature, so a wrapped or doubly signed file is refused by
// name (signature_wrapping, multiple_signatures) rather than as too large.
import type { XmlCaps } from "@/lib/core/xml/safe-xml";

export const SLC_XML_CAPS: XmlCaps = {
  bytes: 64 * 1024,
  depth: 10,
  elements: 64,
  distinctNames: 48,
  attributes: 40,
  attributesPerElement: 3,
  namespaces: 4,
  namespacesPerElement: 1,
  textLength: 12 * 1024,
};
