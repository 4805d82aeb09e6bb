// The identifiers a pending request is shown with (one set, the same on every page): the public-key fingerprint is read
// from the request this console built and signed itself (kept in its own database, never an upload).
import { publicKeyFingerprint } from "@/lib/core/certificates/keys";

/** SHA-256 of the SPKI of the key the request carries, as the enrollment service and the confirmation show it. */
export function requestKeyFingerprint(document: string): string | null {
  const base64 = /<PublicKey>([A-Za-z0-9+/=\s]+)<\/PublicKey>/.exec(document)?.[1]?.replace(/\s+/g, "");
  if (!base64) return null;
  try {
    return publicKeyFingerprint(base64);
  } catch {
    return null;
  }
}
