// Cluster key pairs and the fingerprints people compare by eye (SPKI and document SHA-256).
import { createHash, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";

const generateKeyPairAsync = promisify(generateKeyPair);

export interface ClusterKeyPair {
  publicKeyPem: string;
  privateKeyPem: string;
}

export async function generateClusterKeyPair(modulusLength = 2048): Promise<ClusterKeyPair> {
  if (!Number.isInteger(modulusLength) || modulusLength < 2048) {
    throw new RangeError("The cluster key must be an RSA key of at least 2048 bits.");
  }
  const { publicKey, privateKey } = await generateKeyPairAsync("rsa", {
    modulusLength,
    publicExponent: 0x10001,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { publicKeyPem: publicKey, privateKeyPem: privateKey };
}

function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: "spki", format: "der" });
}

/** Parses a public key given as PEM (SPKI, PKCS#1, or a certificate) or as base64 SPKI DER. */
export function toPublicKeyObject(publicKeyPemOrBase64: string): KeyObject {
  const text = publicKeyPemOrBase64.trim();
  if (text.includes("-----BEGIN")) return createPublicKey(text);
  const der = Buffer.from(text.replace(/\s+/g, ""), "base64");
  return createPublicKey({ key: der, format: "der", type: "spki" });
}

export function publicKeyBase64(publicKeyPem: string): string {
  return spkiDer(toPublicKeyObject(publicKeyPem)).toString("base64");
}

function colonHex(digest: Buffer): string {
  return (digest.toString("hex").toUpperCase().match(/../g) ?? []).join(":");
}

export function publicKeyFingerprint(publicKeyPemOrBase64: string): string {
  return spkiFingerprint(spkiDer(toPublicKeyObject(publicKeyPemOrBase64)));
}

/** The same fingerprint from SPKI DER already exported from a parsed key. */
export function spkiFingerprint(der: Buffer): string {
  return colonHex(createHash("sha256").update(der).digest());
}

export function documentFingerprint(xml: string): string {
  return colonHex(createHash("sha256").update(xml, "utf8").digest());
}

/** Bits of an RSA public key, or null for other key types. */
export function rsaModulusBits(key: KeyObject): number | null {
  if (key.asymmetricKeyType !== "rsa") return null;
  return key.asymmetricKeyDetails?.modulusLength ?? null;
}
