// The signed SLC renewal request (an RMS Enroll request, [MS-RMPR] 3.6.4.2, plus single-use id and time): build and verify.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";
import { escapeXmlText, parseXml, XML_INPUT_ERROR_CODES, type XmlCaps } from "@/lib/core/xml/safe-xml";
import {
  childElements,
  elementAsObject,
  inNoNamespace,
  inspectEnvelopedSignature,
  isExternalSigner,
  type RsaSha256Signer,
  readXmlDocument,
  signEnveloped,
  verifyEnvelopedSignature,
} from "@/lib/core/xml/xml-signature";
import { sanitizeServerName } from "./file-names";
import { documentFingerprint, publicKeyBase64, rsaModulusBits, spkiFingerprint, toPublicKeyObject } from "./keys";
import { base64Text, fingerprintText, guidText, hexText, isoDateText, plainText, urlText, uuidText } from "./xml-fields";

export interface RenewalRequestFields {
  requestId: string;
  createdAt: Date;
  clusterGuid: string;
  serverName: string;
  clusterUrl: string;
  sku: string;
  version: string;
  name: string;
  publicKeyBase64: string;
  installedSlcFingerprint: string | null;
  /**
   * Serial number of the installed SLC: with the GUID and the signing key, what the service recognises it by (what
   * its signature covers, not the file's bytes). Absent in requests from consoles that name only the fingerprint.
   */
  installedSlcSerial?: string | null;
  /**
   * A re-key: the request is signed by a new key pair and names the certificate (and so the key) it replaces. Absent in
   * renewals and enrollments. A request names either its installed SLC or the one it re-keys, never both.
   */
  rekey?: { replacesSlcSerial: string; replacesSlcFingerprint: string } | null;
  revocationInformation: string;
}

export const REQUEST_REJECT_REASONS = [
  ...XML_INPUT_ERROR_CODES,
  "comment",
  "no_signature",
  "multiple_signatures",
  "malformed_signature",
  "signature_wrapping",
  "unsigned_content",
  "duplicate_element",
  "reference_not_whole_document",
  "disallowed_algorithm",
  "extra_transform",
  "signature_invalid",
  "digest_mismatch",
  "not_request",
  "invalid_fields",
  "weak_key",
  "key_mismatch",
  "request_from_future",
  "request_expired",
] as const;
export type RequestRejectReason = (typeof REQUEST_REJECT_REASONS)[number];

export type RequestVerification =
  | {
      ok: true;
      fields: RenewalRequestFields;
      fingerprint: string;
      /** SHA-256 of the verified key's SPKI DER. */
      keyFingerprint: string;
      /** SHA-256 (hex) of the canonical content the signature covers: the same for any re-serialisation of the request. */
      signedSha256: string;
    }
  | { ok: false; reason: RequestRejectReason; detail: string };

/** A request older than this is refused: offline requests are carried by hand, but not for months. */
export const MAX_REQUEST_AGE_MS = 30 * 24 * 60 * 60 * 1000;
const REQUEST_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const REQUEST_ROOT = "RenewalRequest";
const MIN_RSA_BITS = 2048;

/** What a signed request's body must contain, already decoded from XML text. */
const requestBodySchema = z.strictObject({
  RequestId: uuidText,
  CreatedAt: isoDateText,
  ServerName: plainText(256),
  InstalledSlcFingerprint: fingerprintText.optional(),
  InstalledSlcSerial: hexText(64).optional(),
  Rekey: z.strictObject({ ReplacesSlcSerial: hexText(64), ReplacesSlcFingerprint: fingerprintText }).optional(),
  EnrollmentInfo: z.strictObject({
    PublicKey: base64Text(8192),
    GUID: guidText,
    EnrolleeInformation: z.strictObject({
      SKU: plainText(256),
      Version: plainText(64),
      Name: plainText(256),
      URL: urlText,
    }),
    RevocationInformation: plainText(8192, { allowEmpty: true }),
  }),
  "@_version": z.literal("1.0"),
});
const requestDocumentSchema = z.strictObject({
  // A re-key names the certificate it replaces, not an installed one (the new key has none yet).
  RenewalRequest: requestBodySchema.refine(
    (body) => body.Rekey === undefined || (body.InstalledSlcFingerprint === undefined && body.InstalledSlcSerial === undefined),
    "a re-key request (Rekey) names no InstalledSlcFingerprint or InstalledSlcSerial",
  ),
});

/**
 * The caps a renewal request is held to before any parser sees it, derived from the schema above and the signature
 * profile (an enrollment request is the same document without InstalledSlcFingerprint, so these bound it too):
 * 15 business elements + 16 of the signature (KeyInfo: KeyValue/RSAKeyValue/Modulus+Exponent) = 31 elements and 30
 * names (a re-key request has Rekey/ReplacesSlcSerial+ReplacesSlcFingerprint instead of the two InstalledSlc elements:
 * 30 elements, 31 names, the schema refusing a request with both); attributes: version, xmlns:ds, 5 × Algorithm, URI = 8; nesting RenewalRequest/Signature/SignedInfo/
 * Reference/Transforms/Transform = 6; the fields' maxima add up to 19,420 characters, plus a signature and markup of
 * about 3 KB: 32 KB, and no text run longer than the whole (a field written with many character references may be
 * refused as too large; the console writes none but &amp; &lt; &gt; &#xD;). A genuine request is 2.4 KB with 29
 * elements and 8 attributes.
 * Elements and attributes leave room for one extra signature, so a doubly signed request is refused by name.
 */
export const REQUEST_XML_CAPS: XmlCaps = {
  bytes: 32 * 1024,
  depth: 8,
  elements: 48,
  distinctNames: 32,
  attributes: 20,
  attributesPerElement: 2,
  namespaces: 2,
  namespacesPerElement: 1,
  textLength: 32 * 1024,
};

function toFields(body: z.infer<typeof requestBodySchema>): RenewalRequestFields {
  const info = body.EnrollmentInfo;
  return {
    requestId: body.RequestId,
    createdAt: body.CreatedAt,
    clusterGuid: info.GUID,
    serverName: body.ServerName,
    clusterUrl: info.EnrolleeInformation.URL,
    sku: info.EnrolleeInformation.SKU,
    version: info.EnrolleeInformation.Version,
    name: info.EnrolleeInformation.Name,
    publicKeyBase64: info.PublicKey,
    installedSlcFingerprint: body.InstalledSlcFingerprint ?? null,
    ...(body.InstalledSlcSerial === undefined ? {} : { installedSlcSerial: body.InstalledSlcSerial }),
    ...(body.Rekey === undefined
      ? {}
      : { rekey: { replacesSlcSerial: body.Rekey.ReplacesSlcSerial, replacesSlcFingerprint: body.Rekey.ReplacesSlcFingerprint } }),
    revocationInformation: info.RevocationInformation,
  };
}

function el(name: string, value: string): string {
  return `<${name}>${escapeXmlText(value)}</${name}>`;
}

function rsaKeyValue(publicKeyPem: string, prefix: string): string {
  const jwk = toPublicKeyObject(publicKeyPem).export({ format: "jwk" });
  const b64 = (v: string | undefined) => Buffer.from(v ?? "", "base64url").toString("base64");
  return `<${prefix}KeyValue><${prefix}RSAKeyValue><${prefix}Modulus>${b64(jwk.n)}</${prefix}Modulus><${prefix}Exponent>${b64(jwk.e)}</${prefix}Exponent></${prefix}RSAKeyValue></${prefix}KeyValue>`;
}

/** A signer whose private key stays elsewhere (a PKCS#11 token), with the public half it answers for. */
export interface PublicKeySigner extends RsaSha256Signer {
  publicKeyPem: string;
}

/**
 * Builds and signs the request. Free-text fields lose leading/trailing whitespace (the shared parser trims values);
 * everything else, including <, &, quotes, CR/LF and any Unicode, round-trips exactly. Throws on invalid fields.
 */
export function buildRenewalRequest(fields: RenewalRequestFields, privateKeyPem: string | KeyObject | PublicKeySigner): string {
  // Decoded once: the signer gets a KeyObject (≈ 3× faster than signing with PEM text). A token key signs in the token.
  const privateKey = typeof privateKeyPem === "string" ? createPrivateKey(privateKeyPem) : privateKeyPem;
  const publicKeyPem = isExternalSigner(privateKey)
    ? privateKey.publicKeyPem
    : createPublicKey(privateKey).export({ type: "spki", format: "pem" }).toString();
  if (publicKeyBase64(publicKeyPem) !== publicKeyBase64(fields.publicKeyBase64)) {
    throw new Error("The request's public key is not the public half of the signing key.");
  }
  const t = (v: string) => v.trim();
  const body = [
    el("RequestId", fields.requestId),
    el("CreatedAt", fields.createdAt.toISOString()),
    el("ServerName", t(fields.serverName)),
    ...(fields.installedSlcFingerprint === null ? [] : [el("InstalledSlcFingerprint", fields.installedSlcFingerprint)]),
    ...(fields.installedSlcSerial ? [el("InstalledSlcSerial", fields.installedSlcSerial)] : []),
    ...(fields.rekey
      ? [
          "<Rekey>",
          el("ReplacesSlcSerial", fields.rekey.replacesSlcSerial),
          el("ReplacesSlcFingerprint", fields.rekey.replacesSlcFingerprint),
          "</Rekey>",
        ]
      : []),
    "<EnrollmentInfo>",
    el("PublicKey", publicKeyBase64(fields.publicKeyBase64)),
    el("GUID", fields.clusterGuid),
    "<EnrolleeInformation>",
    el("SKU", t(fields.sku)),
    el("Version", t(fields.version)),
    el("Name", t(fields.name)),
    el("URL", t(fields.clusterUrl)),
    "</EnrolleeInformation>",
    el("RevocationInformation", t(fields.revocationInformation)),
    "</EnrollmentInfo>",
  ].join("\n");
  const unsigned = `<?xml version="1.0" encoding="UTF-8"?>\n<${REQUEST_ROOT} version="1.0">\n${body}\n</${REQUEST_ROOT}>`;
  // Validate through the same schema the verifier uses, so we never sign something we would reject.
  const check = requestDocumentSchema.safeParse(parseXml(unsigned.replace(/^<\?xml[^>]*\?>\s*/, "")));
  if (!check.success) {
    throw new Error(`Invalid renewal request fields: ${z.prettifyError(check.error)}`);
  }
  return signEnveloped(unsigned, { privateKeyPem: privateKey, keyInfoContent: (prefix) => rsaKeyValue(publicKeyPem, prefix) });
}

/**
 * True when the signed base64 key is the verifying key: identical DER bytes need no second parse; anything else
 * is normalised through a parse (as publicKeyBase64 does), so the outcome is the same as comparing normalised keys.
 */
function sameSpki(signedBase64: string, claimedDer: Buffer): boolean {
  if (Buffer.from(signedBase64.replace(/\s+/g, ""), "base64").equals(claimedDer)) return true;
  try {
    return publicKeyBase64(signedBase64) === claimedDer.toString("base64");
  } catch {
    return false;
  }
}

function reject(reason: RequestRejectReason, detail: string): RequestVerification {
  return { ok: false, reason, detail };
}

function textOfPath(root: Element, path: readonly string[]): string | null {
  let node: Element | undefined = root;
  for (const name of path) {
    node = childElements(node).find((c) => c.localName === name && inNoNamespace(c));
    if (!node) return null;
  }
  return node.textContent;
}

export function verifyRenewalRequest(input: Uint8Array | string, now: Date = new Date()): RequestVerification {
  const read = readXmlDocument(input, REQUEST_XML_CAPS);
  if (!read.ok) return reject(read.reason, read.detail);
  const { xml, doc } = read;
  if (doc.documentElement.localName !== REQUEST_ROOT || !inNoNamespace(doc.documentElement)) {
    return reject("not_request", `The root element is ${doc.documentElement.nodeName}; expected ${REQUEST_ROOT}.`);
  }
  const structure = inspectEnvelopedSignature(doc, REQUEST_ROOT);
  if (!structure.ok) return reject(structure.reason, structure.detail);
  // The business schema before any signature work: a document that could never be a request costs no c14n or RSA.
  const shape = requestDocumentSchema.safeParse({ [REQUEST_ROOT]: elementAsObject(doc.documentElement, structure.signature) });
  if (!shape.success) return reject("invalid_fields", z.prettifyError(shape.error));

  // Proof of possession: the key that must have signed is the one the (to be verified) body carries.
  // It is parsed once; the signature check and the comparisons below reuse the parsed key and its DER.
  const claimedKey = textOfPath(doc.documentElement, ["EnrollmentInfo", "PublicKey"]);
  if (!claimedKey) return reject("invalid_fields", "The request carries no EnrollmentInfo/PublicKey.");
  let claimedKeyObject: KeyObject;
  let claimedDer: Buffer;
  try {
    claimedKeyObject = toPublicKeyObject(claimedKey);
    const bits = rsaModulusBits(claimedKeyObject);
    if (bits === null || bits < MIN_RSA_BITS) {
      return reject(
        "weak_key",
        `The request's key is ${bits === null ? "not an RSA key" : `${bits}-bit RSA`}; RSA of at least ${MIN_RSA_BITS} bits is required.`,
      );
    }
    claimedDer = claimedKeyObject.export({ type: "spki", format: "der" });
  } catch {
    return reject("invalid_fields", "EnrollmentInfo/PublicKey is not a base64 SubjectPublicKeyInfo.");
  }

  const verified = verifyEnvelopedSignature(xml, structure.signature, claimedKeyObject);
  if (!verified.ok) return reject(verified.reason, verified.detail);

  // From here on, only the content the signature covered is read.
  const parsed = requestDocumentSchema.safeParse(parseXml(verified.signedContent));
  if (!parsed.success) return reject("invalid_fields", z.prettifyError(parsed.error));
  const fields = toFields(parsed.data.RenewalRequest);
  if (!sameSpki(fields.publicKeyBase64, claimedDer)) {
    return reject("key_mismatch", "The signed public key differs from the key that verified the signature.");
  }
  const age = now.getTime() - fields.createdAt.getTime();
  if (age < -REQUEST_CLOCK_SKEW_MS) {
    return reject("request_from_future", `The request was created at ${fields.createdAt.toISOString()}, after now (${now.toISOString()}).`);
  }
  if (age > MAX_REQUEST_AGE_MS) {
    return reject("request_expired", `The request was created at ${fields.createdAt.toISOString()}, more than 30 days ago.`);
  }
  return {
    ok: true,
    fields,
    fingerprint: documentFingerprint(xml),
    keyFingerprint: spkiFingerprint(claimedDer),
    signedSha256: createHash("sha256").update(verified.signedContent).digest("hex"),
  };
}

/**
 * `<servername>RenewalRequest.xml` for a cluster that has an SLC, `<servername>EnrollRequest.xml` for its first one
 * (the names of the original product's offline renewal and manual enrollment, technet-sv 18124863 and 18124862).
 */
export function renewalRequestFileName(serverName: string, purpose: "renewal" | "enrollment" = "renewal"): string {
  return `${sanitizeServerName(serverName)}${purpose === "renewal" ? "Renewal" : "Enroll"}Request.xml`;
}
