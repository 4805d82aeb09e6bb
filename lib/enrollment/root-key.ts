// The enrollment root's private key off the signing station: passphrase-protected PKCS#8 (PBES2, AES-256-CBC) in a file
// the operator keeps offline. It is opened only to re-issue the issuing CA, checked against the root certificate.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { CodedError } from "@/lib/platform/errors/coded-error";

const MIN_ROOT_KEY_PASSPHRASE_LENGTH = 12;

class RootKeyError extends CodedError<"passphrase" | "wrong_key"> {
  override readonly name = "RootKeyError";
}

function checkPassphrase(passphrase: string): void {
  if (passphrase.length < MIN_ROOT_KEY_PASSPHRASE_LENGTH) {
    throw new RootKeyError(
      "passphrase",
      `The passphrase protecting the root key must have at least ${MIN_ROOT_KEY_PASSPHRASE_LENGTH} characters; nothing was changed.`,
    );
  }
}

/** The root key as an encrypted PEM ("ENCRYPTED PRIVATE KEY"), readable by `openssl pkey` with the passphrase. */
export function encryptRootKey(rootKeyPem: string, passphrase: string): string {
  checkPassphrase(passphrase);
  return createPrivateKey(rootKeyPem).export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase }).toString();
}

/** Opens the offline root key; refuses a wrong passphrase or a key that is not the root certificate's. */
export function decryptRootKey(encryptedPem: string, passphrase: string, rootCertPem: string): string {
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey({ key: encryptedPem, format: "pem", passphrase });
  } catch {
    throw new RootKeyError(
      "passphrase",
      "The root key file cannot be opened with this passphrase (or is not a private key); nothing was changed.",
    );
  }
  if (!new X509Certificate(rootCertPem).checkPrivateKey(key)) {
    throw new RootKeyError("wrong_key", "The root key file belongs to another root than this service's ca/root.pem; nothing was changed.");
  }
  return key.export({ type: "pkcs8", format: "pem" }).toString();
}
