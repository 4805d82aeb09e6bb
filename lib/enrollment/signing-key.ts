// The SLC signing key the service runs with: the PEM file in ca/, or a key in a PKCS#11 token (ca/service-key.token.json
// says which), opened and checked against the signing certificate when the service or an offline command starts.
import { createPublicKey, X509Certificate } from "node:crypto";
import { type Pkcs11Settings, signWithTokenKey, tokenPublicKeyPem } from "@/lib/core/certificates/pkcs11-token";
import type { StationCa } from "./ca";
import type { IssuingKey } from "./issue";
import { EnrollmentStoreError } from "./store";

/**
 * The issuing key for `ca`. A token key is reached once here (module, token, PIN, key), so an unplugged token or a
 * refused PIN stops the start with the token's error (HsmError) before anything is opened or written.
 */
export function openIssuingKey(ca: StationCa, pkcs11: Pkcs11Settings | null | undefined): IssuingKey {
  const chainPem = [ca.serviceCertPem, ca.caCertPem];
  if (ca.serviceKeyToken === undefined) {
    if (pkcs11) {
      throw new EnrollmentStoreError(
        "signing_key",
        "RMS_ENROLLMENT_PKCS11_MODULE is set, but the SLC signing key is still the file ca/service-key.pem: move it into the token with `npm run enrollment -- ca token-key` (service stopped), or unset the RMS_ENROLLMENT_PKCS11_ variables. Nothing was changed.",
      );
    }
    return { serviceKeyPem: ca.serviceKeyPem, chainPem };
  }
  const ref = ca.serviceKeyToken;
  if (!pkcs11) {
    throw new EnrollmentStoreError(
      "signing_key",
      `The SLC signing key is in the PKCS#11 token "${ref.tokenLabel}" (key "${ref.keyLabel}", ca/service-key.token.json), but RMS_ENROLLMENT_PKCS11_MODULE is not set: configure the token's module and PIN (README, "Keys in an HSM"). Nothing was changed.`,
    );
  }
  const inToken = createPublicKey(tokenPublicKeyPem(pkcs11, ref));
  if (!inToken.equals(new X509Certificate(ca.serviceCertPem).publicKey)) {
    throw new EnrollmentStoreError(
      "signing_key",
      `The key "${ref.keyLabel}" in the token "${ref.tokenLabel}" is not the key of ca/service.pem: is this another token with the same label? Nothing was changed.`,
    );
  }
  return { chainPem, token: { ref, signRsaSha256: (data) => signWithTokenKey(pkcs11, ref, data) } };
}
