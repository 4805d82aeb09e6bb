import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { publicKeyBase64, publicKeyFingerprint } from "@/lib/core/certificates/keys";
import { requestKeyFingerprint } from "./request-identifiers";

describe("requestKeyFingerprint", () => {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();

  it("is the SPKI fingerprint of the key in the request", () => {
    const document = `<RenewalRequest><PublicKey>${publicKeyBase64(pem)}</PublicKey></RenewalRequest>`;
    expect(requestKeyFingerprint(document)).toBe(publicKeyFingerprint(pem));
    expect(requestKeyFingerprint(document)).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it("is null when the request carries no readable key", () => {
    expect(requestKeyFingerprint("<RenewalRequest/>")).toBeNull();
    expect(requestKeyFingerprint("<RenewalRequest><PublicKey>AAAA</PublicKey></RenewalRequest>")).toBeNull();
  });
});
