// Everything a renewal needs from outside: database, key-encryption key, trust anchors, enrollment service, clock.
import type { KeyEncryptionKey } from "@/lib/certificates/key-encryption";
import type { Database } from "@/lib/db/client";
import type { HttpOptions } from "./enrollment-client";

export interface RenewalContext {
  db: Database;
  /** Throws KeyEncryptionError when the key-encryption key is missing or wrong. */
  kek: () => KeyEncryptionKey;
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
