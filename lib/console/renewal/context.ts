// Everything a renewal needs from outside: database, key-encryption key, PKCS#11 token, trust anchors, enrollment service, clock.
import type { KeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import type { Pkcs11Settings } from "@/lib/core/certificates/pkcs11-token";
import type { Database } from "@/lib/platform/db/client";
import type { HttpOptions } from "./enrollment-client";

export interface RenewalContext {
  db: Database;
  /** Throws KeyEncryptionError when the key-encryption key is missing or wrong. */
  kek: () => KeyEncryptionKey;
  /** The PKCS#11 token of cluster keys held in an HSM (RMS_PKCS11_*); unset or null: none configured. */
  pkcs11?: Pkcs11Settings | null;
  /** Throws TrustAnchorError when no trust anchor is installed. */
  trustAnchors: () => string[];
  enrollmentUrl: string;
  http: HttpOptions;
  now: () => Date;
  /** How long a renewal may hold its cluster's lease before another process may take over. */
  leaseMs: number;
}

export interface RenewalActor {
  name: string;
  remoteAddress: string | null;
}
