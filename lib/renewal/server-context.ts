// The renewal context of the running console, built from its validated environment.
import "server-only";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { consoleKeyEncryptionKey } from "./cluster-keys";
import type { RenewalContext } from "./context";
import { loadTrustAnchors } from "./trust-anchors";

export async function renewalContext(): Promise<RenewalContext> {
  const config = env();
  return {
    db: await getDb(),
    kek: () => consoleKeyEncryptionKey({ dataDir: config.dataDir, masterKey: config.RMS_MASTER_KEY }),
    trustAnchors: () => loadTrustAnchors(config.trustAnchorsPath),
    enrollmentUrl: config.enrollmentUrl,
    http: { connectTimeoutMs: config.RMS_ENROLLMENT_CONNECT_TIMEOUT_MS, totalTimeoutMs: config.RMS_ENROLLMENT_TIMEOUT_MS },
    now: () => new Date(),
    leaseMs: config.RMS_ENROLLMENT_TIMEOUT_MS + 30_000,
  };
}
