// The renewal context a console builds from its validated settings: the pages and actions (server-context.ts) and the
// rms CLI use this one function, so both reach the same enrollment service with the same timeouts, trust anchors and key.
import type { Database } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { consoleKeyEncryptionKey, masterKeySettings } from "./cluster-keys";
import type { RenewalContext } from "./context";
import { loadTrustAnchors } from "./trust-anchors";

export function renewalContextFromSettings(db: Database, config: Env): RenewalContext {
  return {
    db,
    kek: () => consoleKeyEncryptionKey(masterKeySettings(config)),
    trustAnchors: () => loadTrustAnchors(config.trustAnchorsPath),
    enrollmentUrl: config.enrollmentUrl,
    http: { connectTimeoutMs: config.RMS_ENROLLMENT_CONNECT_TIMEOUT_MS, totalTimeoutMs: config.RMS_ENROLLMENT_TIMEOUT_MS },
    now: () => new Date(),
    leaseMs: config.RMS_ENROLLMENT_TIMEOUT_MS + 30_000,
  };
}
