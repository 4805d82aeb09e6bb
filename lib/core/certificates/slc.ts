// The server licensor certificate: an XrML 1.2-shaped document signed by the enrollment service with its X.509 chain.
import { createHash, createPrivateKey, type KeyObject, sign, X509Certificate } from "node:crypto";
import { z } from "zod";
import { escapeXmlText, parseXml } from "@/lib/core/xml/safe-xml";
import {
  ALG_ENVELOPED,
  ALG_EXC_C14N,
  ALG_RSA_SHA256,
  ALG_SHA256,
  DSIG_NS,
  isExternalSigner,
  type RsaSha256Signer,
} from "@/lib/core/xml/xml-signature";
import { sanitizeServerName } from "./file-names";
import { publicKeyBase64 } from "./keys";
import { base64Text, guidText, hexText, isoDateText, plainText, urlText, uuidText } from "./xml-fields";

/**
 * An SLC serial as the number it is: upper-case hexadecimal without leading zeros. The service writes a serial as 32
 * digits (16 random bytes, so one in 256 starts with 00), a CRL carries it as a DER INTEGER (no leading zero byte, but
 * a 00 sign byte before one of 80 or more) and openssl prints it without them: serials are compared only through this.
 */
export function slcSerialKey(serial: string): string {
  return serial
    .trim()
    .toUpperCase()
    .replace(/^0+(?=.)/, "");
}

/** The revocation entry for the SLC serial `serial`, compared by value (slcSerialKey). */
export function revocationEntryFor<E extends { serial: string }>(entries: readonly E[], serial: string): E | undefined {
  const key = slcSerialKey(serial);
  return entries.find((entry) => slcSerialKey(entry.serial) === key);
}

export interface SlcFields {
  serialNumber: string;
  issuedAt: Date;
  validFrom: Date;
  validUntil: Date;
  issuerName: string;
  serverGuid: string;
  serverName: string;
  clusterUrl: string;
  publicKeyBase64: string;
  requestId: string;
}

export interface SlcSigner {
  /** The signing key, or a signer whose key is held elsewhere (a PKCS#11 token). */
  privateKeyPem: string | RsaSha256Signer;
  certificateChainPem: string[];
}

/** A signer with its key and certificates parsed once, for a service that signs many SLCs with the same one. */
export interface PreparedSlcSigner {
  privateKey: KeyObject | RsaSha256Signer;
  /** Base64 DER, leaf first. */
  chainBase64: string[];
}

export function prepareSlcSigner(signer: SlcSigner): PreparedSlcSigner {
  const key = signer.privateKeyPem;
  return {
    privateKey: isExternalSigner(key) ? key : createPrivateKey(key),
    chainBase64: signer.certificateChainPem.map(certificateBase64),
  };
}

export const SLC_ROOT = "XrML";
const SLC_DESCRIPTOR = "Server-Licensor-Certificate";

const attr = <T extends string>(value: T) => z.literal(value);

/** The signed XrML body as parseXml returns it (values still escaped; the field schemas decode them). */
const slcDocumentSchema = z.strictObject({
  XrML: z.strictObject({
    "@_version": attr("1.2"),
    BODY: z.strictObject({
      "@_type": attr("LICENSE"),
      "@_version": attr("3.0"),
      ISSUEDTIME: isoDateText,
      DESCRIPTOR: z.strictObject({
        OBJECT: z.strictObject({
          "@_type": attr(SLC_DESCRIPTOR),
          ID: z.strictObject({ "@_type": attr("serial-number"), "#text": hexText(64) }),
        }),
      }),
      ISSUER: z.strictObject({
        OBJECT: z.strictObject({ "@_type": attr("Enrollment-Service"), NAME: plainText(256) }),
      }),
      VALIDITYTIME: z.strictObject({ FROM: isoDateText, UNTIL: isoDateText }),
      ISSUEDPRINCIPALS: z.strictObject({
        PRINCIPAL: z.strictObject({
          OBJECT: z.strictObject({
            "@_type": attr("MS-DRM-Server"),
            ID: z.strictObject({ "@_type": attr("MS-GUID"), "#text": guidText }),
            NAME: plainText(256),
            ADDRESS: z.strictObject({ "@_type": attr("URL"), "#text": urlText }),
          }),
          PUBLICKEY: z.strictObject({
            ALGORITHM: z.literal("RSA"),
            PARAMETER: z.strictObject({
              "@_name": attr("SubjectPublicKeyInfo"),
              VALUE: z.strictObject({ "@_encoding": attr("base64"), "#text": base64Text(8192) }),
            }),
          }),
        }),
      }),
      REQUEST: z.strictObject({ ID: z.strictObject({ "@_type": attr("request-id"), "#text": uuidText }) }),
    }),
  }),
});

/** Reads SLC fields from canonical signed XML (what getSignedReferences returned); null when it is not an SLC. */
export function parseSignedSlc(signedXml: string): { ok: true; fields: SlcFields } | { ok: false; detail: string } {
  const parsed = slcDocumentSchema.safeParse(parseXml(signedXml));
  if (!parsed.success) return { ok: false, detail: z.prettifyError(parsed.error) };
  const body = parsed.data.XrML.BODY;
  const server = body.ISSUEDPRINCIPALS.PRINCIPAL;
  return {
    ok: true,
    fields: {
      serialNumber: body.DESCRIPTOR.OBJECT.ID["#text"],
      issuedAt: body.ISSUEDTIME,
      validFrom: body.VALIDITYTIME.FROM,
      validUntil: body.VALIDITYTIME.UNTIL,
      issuerName: body.ISSUER.OBJECT.NAME,
      serverGuid: server.OBJECT.ID["#text"],
      serverName: server.OBJECT.NAME,
      clusterUrl: server.OBJECT.ADDRESS["#text"],
      publicKeyBase64: server.PUBLICKEY.PARAMETER.VALUE["#text"],
      requestId: body.REQUEST.ID["#text"],
    },
  };
}

function certificateBase64(pem: string): string {
  return new X509Certificate(pem).raw.toString("base64");
}

/** The SLC's fields as its XML text holds them, checked with the schemas a verifier reads them with. */
const slcFieldsSchema = z.strictObject({
  issuedAt: isoDateText,
  serialNumber: hexText(64),
  issuerName: plainText(256),
  validFrom: isoDateText,
  validUntil: isoDateText,
  serverGuid: guidText,
  serverName: plainText(256),
  clusterUrl: urlText,
  publicKeyBase64: base64Text(8192),
  requestId: uuidText,
});

// The signature's fixed parts (the profile signEnveloped and the verifier hold to): SignedInfo as the document carries it,
// and as exclusive canonicalisation writes it (the namespace declared on it, empty elements written out) to be signed.
const method = (name: string, algorithm: string, close: string) => `<ds:${name} Algorithm="${algorithm}"${close}`;
function signedInfoParts(canonical: boolean): { head: string; tail: string } {
  const empty = (name: string, algorithm: string) => method(name, algorithm, canonical ? `></ds:${name}>` : "/>");
  return {
    head:
      `<ds:SignedInfo${canonical ? ` xmlns:ds="${DSIG_NS}"` : ""}>` +
      empty("CanonicalizationMethod", ALG_EXC_C14N) +
      empty("SignatureMethod", ALG_RSA_SHA256) +
      `<ds:Reference URI=""><ds:Transforms>${empty("Transform", ALG_ENVELOPED)}${empty("Transform", ALG_EXC_C14N)}</ds:Transforms>` +
      `${empty("DigestMethod", ALG_SHA256)}<ds:DigestValue>`,
    tail: "</ds:DigestValue></ds:Reference></ds:SignedInfo>",
  };
}
const SIGNED_INFO = signedInfoParts(false);
const SIGNED_INFO_C14N = signedInfoParts(true);
const keyInfos = new WeakMap<string[], string>();

/**
 * Builds and signs an SLC. Throws on fields the verifier would refuse (free text is trimmed, as the parser trims).
 *
 * The document is written from a template that is already in canonical form (exclusive XML canonicalisation: no
 * declaration, attributes in order, text escaped as canonicalisation escapes it), so its digest is the hash of the root
 * element's text and SignedInfo's canonical form is a constant around it: one hash and one RSA signature, no parse and
 * no canonicaliser. The result is byte for byte what xml-crypto's enveloped signature of the same document gives
 * (slc.test.ts), and Debian's xmlsec1 verifies it (interop.test.ts).
 */
export function buildSlc(fields: SlcFields, signer: SlcSigner | PreparedSlcSigner): string {
  const prepared = "chainBase64" in signer ? signer : prepareSlcSigner(signer);
  if (prepared.chainBase64.length === 0) throw new Error("An SLC signer needs at least its own certificate.");
  const text = {
    issuedAt: escapeXmlText(fields.issuedAt.toISOString()),
    serialNumber: escapeXmlText(fields.serialNumber.toUpperCase()),
    issuerName: escapeXmlText(fields.issuerName.trim()),
    validFrom: escapeXmlText(fields.validFrom.toISOString()),
    validUntil: escapeXmlText(fields.validUntil.toISOString()),
    serverGuid: escapeXmlText(fields.serverGuid),
    serverName: escapeXmlText(fields.serverName.trim()),
    clusterUrl: escapeXmlText(fields.clusterUrl.trim()),
    publicKeyBase64: escapeXmlText(publicKeyBase64(fields.publicKeyBase64)),
    requestId: escapeXmlText(fields.requestId),
  };
  const check = slcFieldsSchema.safeParse(text);
  if (!check.success) throw new Error(`Invalid SLC fields: ${z.prettifyError(check.error)}`);
  const root = [
    `<${SLC_ROOT} version="1.2">`,
    `<BODY type="LICENSE" version="3.0">`,
    `<ISSUEDTIME>${text.issuedAt}</ISSUEDTIME>`,
    `<DESCRIPTOR><OBJECT type="${SLC_DESCRIPTOR}"><ID type="serial-number">${text.serialNumber}</ID></OBJECT></DESCRIPTOR>`,
    `<ISSUER><OBJECT type="Enrollment-Service"><NAME>${text.issuerName}</NAME></OBJECT></ISSUER>`,
    `<VALIDITYTIME><FROM>${text.validFrom}</FROM><UNTIL>${text.validUntil}</UNTIL></VALIDITYTIME>`,
    "<ISSUEDPRINCIPALS><PRINCIPAL>",
    `<OBJECT type="MS-DRM-Server"><ID type="MS-GUID">${text.serverGuid}</ID><NAME>${text.serverName}</NAME><ADDRESS type="URL">${text.clusterUrl}</ADDRESS></OBJECT>`,
    `<PUBLICKEY><ALGORITHM>RSA</ALGORITHM><PARAMETER name="SubjectPublicKeyInfo"><VALUE encoding="base64">${text.publicKeyBase64}</VALUE></PARAMETER></PUBLICKEY>`,
    "</PRINCIPAL></ISSUEDPRINCIPALS>",
    `<REQUEST><ID type="request-id">${text.requestId}</ID></REQUEST>`,
    "</BODY>",
    "",
  ].join("\n");
  const digest = createHash("sha256").update(`${root}</${SLC_ROOT}>`).digest("base64");
  const signedInfo = Buffer.from(`${SIGNED_INFO_C14N.head}${digest}${SIGNED_INFO_C14N.tail}`);
  const key = prepared.privateKey;
  const signature = (isExternalSigner(key) ? key.signRsaSha256(signedInfo) : sign("sha256", signedInfo, key)).toString("base64");
  let keyInfo = keyInfos.get(prepared.chainBase64);
  if (keyInfo === undefined) {
    keyInfo = `<ds:KeyInfo><ds:X509Data>${prepared.chainBase64.map((c) => `<ds:X509Certificate>${c}</ds:X509Certificate>`).join("")}</ds:X509Data></ds:KeyInfo>`;
    keyInfos.set(prepared.chainBase64, keyInfo);
  }
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n${root}<ds:Signature xmlns:ds="${DSIG_NS}">${SIGNED_INFO.head}${digest}${SIGNED_INFO.tail}` +
    `<ds:SignatureValue>${signature}</ds:SignatureValue>${keyInfo}</ds:Signature></${SLC_ROOT}>`
  );
}

export function slcFileName(serverName: string): string {
  return `${sanitizeServerName(serverName)}ServerLicensorCertificate.xml`;
}
