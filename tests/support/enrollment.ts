// An in-process enrollment service for integration tests (policy open, HTTPS from its own CA), and the renewal context
// a console would build against it: the service's root read from its data folder, never downloaded.
import fs from "node:fs";
import path from "node:path";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { type EnrollmentService, startEnrollmentService } from "@/lib/enrollment/server";
import type { Database } from "@/lib/platform/db/client";
import { seedBlankPglite } from "./databases";

/**
 * Gives a fresh enrollment data folder a copy of the run's new, empty PGlite cluster as its store
 * (`<dataDir>/db/pglite`, lib/enrollment/db/client.ts), for tests that are not about creating the store: the service
 * migrates it as on a first start, without initdb. The folder is made private first, as the service makes a new one.
 */
export function seedEnrollmentStore(dataDir: string): void {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  seedBlankPglite(path.join(dataDir, "db", "pglite"));
}

export async function startTestEnrollment(
  dataDir: string,
  opts: { clock?: () => Date; host?: string; port?: number; tlsNames?: string[]; allowedHosts?: string[] } = {},
): Promise<{ service: EnrollmentService; root: string }> {
  seedEnrollmentStore(dataDir);
  const service = await startEnrollmentService({
    host: opts.host ?? "127.0.0.1",
    policy: "open",
    port: opts.port ?? 0,
    ...(opts.tlsNames ? { tlsNames: opts.tlsNames } : {}),
    ...(opts.allowedHosts ? { allowedHosts: opts.allowedHosts } : {}),
    dataDir,
    validityDays: 365,
    issuerName: "Test Enrollment Service",
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  return { service, root: fs.readFileSync(path.join(dataDir, "ca", "root.pem"), "utf8") };
}

/** A console's renewal context: its key-encryption key in consoleDir, the given roots, the service's URL. */
export function testRenewalContext(
  db: Database,
  opts: { consoleDir: string; trustAnchors: string[]; enrollmentUrl: string; now?: () => Date; totalTimeoutMs?: number },
): RenewalContext {
  const kek = loadKeyEncryptionKey({ dataDir: opts.consoleDir, createIfMissing: true });
  return {
    db,
    kek: () => kek,
    trustAnchors: () => opts.trustAnchors,
    enrollmentUrl: opts.enrollmentUrl,
    http: { connectTimeoutMs: 1000, totalTimeoutMs: opts.totalTimeoutMs ?? 5000 },
    now: opts.now ?? (() => new Date()),
    leaseMs: 30_000,
  };
}
