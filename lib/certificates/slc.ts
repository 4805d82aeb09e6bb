// The server licensor certificate: an XrML 1.2-shaped document signed by the enrollment service with its X.509 chain.
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import { z } from "zod";
import { escapeXmlText, parseXml } from "@/lib/xml/safe-xml";
import { signEnveloped } from "@/lib/xml/xml-signature";
import { sanitizeServerName } from "./file-names";
import { publicKeyBase64 } from "./keys";
import { base64Text, guidText, hexText, isoDateText, plainText, urlText, uuidText } from "./xml-fields";

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
  privateKeyPem: string;
  certificateChainPem: string[];
}

/** A signer with its key and certificates parsed once, for a service that signs many SLCs with the same one. */
export interface PreparedSlcSigner {
  privateKey: KeyObject;
  /** Base64 DER, leaf first. */
  chainBase64: string[];
}

export function prepareSlcSigner(signer: SlcSigner): PreparedSlcSigner {
  return { privateKey: createPrivateKey(signer.privateKeyPem), chainBase64: signer.certificateChainPem.map(certificateBase64) };
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

function el(name: string, value: string, attrs = ""): string {
  return `<${name}${attrs}>${escapeXmlText(value)}</${name}>`;
}

function certificateBase64(pem: string): string {
  return new X509Certificate(pem).raw.toString("base64");
}

/** Builds and signs an SLC. Throws on fields the verifier would refuse (free text is trimmed, as the parser trims). */
export function buildSlc(fields: SlcFields, signer: SlcSigner | PreparedSlcSigner): string {
  const prepared = "chainBase64" in signer;
  const chain = prepared ? signer.chainBase64 : signer.certificateChainPem.map(certificateBase64);
  if (chain.length === 0) throw new Error("An SLC signer needs at least its own certificate.");
  const body = [
    `<BODY type="LICENSE" version="3.0">`,
    el("ISSUEDTIME", fields.issuedAt.toISOString()),
    `<DESCRIPTOR><OBJECT type="${SLC_DESCRIPTOR}">${el("ID", fields.serialNumber.toUpperCase(), ' type="serial-number"')}</OBJECT></DESCRIPTOR>`,
    `<ISSUER><OBJECT type="Enrollment-Service">${el("NAME", fields.issuerName.trim())}</OBJECT></ISSUER>`,
    `<VALIDITYTIME>${el("FROM", fields.validFrom.toISOString())}${el("UNTIL", fields.validUntil.toISOString())}</VALIDITYTIME>`,
    "<ISSUEDPRINCIPALS><PRINCIPAL>",
    `<OBJECT type="MS-DRM-Server">${el("ID", fields.serverGuid, ' type="MS-GUID"')}${el("NAME", fields.serverName.trim())}${el("ADDRESS", fields.clusterUrl.trim(), ' type="URL"')}</OBJECT>`,
    `<PUBLICKEY><ALGORITHM>RSA</ALGORITHM><PARAMETER name="SubjectPublicKeyInfo">${el("VALUE", publicKeyBase64(fields.publicKeyBase64), ' encoding="base64"')}</PARAMETER></PUBLICKEY>`,
    "</PRINCIPAL></ISSUEDPRINCIPALS>",
    `<REQUEST>${el("ID", fields.requestId, ' type="request-id"')}</REQUEST>`,
    "</BODY>",
  ].join("\n");
  const unsigned = `<?xml version="1.0" encoding="UTF-8"?>\n<${SLC_ROOT} version="1.2">\n${body}\n</${SLC_ROOT}>`;
  const check = parseSignedSlc(unsigned.replace(/^<\?xml[^>]*\?>\s*/, ""));
  if (!check.ok) throw new Error(`Invalid SLC fields: ${check.detail}`);
  return signEnveloped(unsigned, {
    privateKeyPem: prepared ? signer.privateKey : signer.privateKeyPem,
    keyInfoContent: (p) => `<${p}X509Data>${chain.map((c) => `<${p}X509Certificate>${c}</${p}X509Certificate>`).join("")}</${p}X509Data>`,
  });
}

export function slcFileName(serverName: string): string {
  return `${sanitizeServerName(serverName)}ServerLicensorCertificate.xml`;
}
