// Keys, fingerprints and download file names.
import { createHash, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sanitizeServerName } from "./file-names";
import { documentFingerprint, generateClusterKeyPair, publicKeyBase64, publicKeyFingerprint } from "./keys";
import { renewalRequestFileName } from "./renewal-request";
import { slcFileName } from "./slc";

describe("cluster keys and fingerprints", () => {
  it("generates RSA-2048 SPKI/PKCS#8 PEM and refuses smaller keys", async () => {
    const keys = await generateClusterKeyPair();
    expect(keys.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(keys.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(createPublicKey(keys.publicKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    await expect(generateClusterKeyPair(1024)).rejects.toThrow(/at least 2048/);
  });

  it("fingerprints the SPKI DER the same whether given PEM, PKCS#1 PEM or base64", async () => {
    const keys = await generateClusterKeyPair();
    const b64 = publicKeyBase64(keys.publicKeyPem);
    const der = Buffer.from(b64, "base64");
    const expected = (createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g) ?? []).join(":");
    expect(publicKeyFingerprint(keys.publicKeyPem)).toBe(expected);
    expect(publicKeyFingerprint(b64)).toBe(expected);
    const pkcs1 = createPublicKey(keys.publicKeyPem).export({ type: "pkcs1", format: "pem" }).toString();
    expect(publicKeyFingerprint(pkcs1)).toBe(expected);
    expect(expected).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("fingerprints documents by their UTF-8 bytes", () => {
    expect(documentFingerprint("")).toBe("E3:B0:C4:42:98:FC:1C:14:9A:FB:F4:C8:99:6F:B9:24:27:AE:41:E4:64:9B:93:4C:A4:95:99:1B:78:52:B8:55");
    expect(documentFingerprint("å")).not.toBe(documentFingerprint("a"));
  });
});

describe("file names", () => {
  it("uses the server name as RMS does", () => {
    expect(renewalRequestFileName("RMS01")).toBe("RMS01RenewalRequest.xml");
    expect(slcFileName("RMS01")).toBe("RMS01ServerLicensorCertificate.xml");
  });

  it("reduces hostile names to [A-Za-z0-9._-] and falls back to 'server'", () => {
    expect(renewalRequestFileName('../../etc/passwd"\r\n<x>')).toBe("etcpasswdxRenewalRequest.xml");
    expect(slcFileName("rms.contoso-01_a")).toBe("rms.contoso-01_aServerLicensorCertificate.xml");
    expect(renewalRequestFileName("Åäö 漢字")).toBe("serverRenewalRequest.xml");
    expect(sanitizeServerName("...")).toBe("server");
    expect(sanitizeServerName("a".repeat(500))).toHaveLength(100);
  });
});
