// The renewal context a console builds from its validated settings: the pages and actions (server-context.ts) and the
// rms CLI use this one function, so both reach the same enrollment service with the same timeouts, trust anchors, key and
// forward proxy (RMS proxy settings, else HTTPS_PROXY).

import type { Env } from "@/lib/console/env";
import { effectiveProxyPolicy } from "@/lib/console/proxy/settings";
import type { Database } from "@/lib/platform/db/client";
import { consoleKeyEncryptionKey, masterKeySettings } from "./cluster-keys";
import type { RenewalContext } from "./context";
import { loadTrustAnchors } from "./trust-anchors";

export function renewalContextFromSettings(db: Database, config: Env): RenewalContext {
  const kek = () => consoleKeyEncryptionKey(masterKeySettings(config));
  return {
    db,
    kek,
    pkcs11: config.pkcs11,
    trustAnchors: () => loadTrustAnchors(config.trustAnchorsPath),
    enrollmentUrl: config.enrollmentUrl,
    http: {
      connectTimeoutMs: config.RMS_ENROLLMENT_CONNECT_TIMEOUT_MS,
      totalTimeoutMs: config.RMS_ENROLLMENT_TIMEOUT_MS,
      // RMS proxy settings, else HTTPS_PROXY/NO_PROXY: read at each connection, so a saved change applies at once.
      proxy: () => effectiveProxyPolicy(db, config, kek),
    },
    now: () => new Date(),
    leaseMs: config.RMS_ENROLLMENT_TIMEOUT_MS + 30_000,
  };
}
