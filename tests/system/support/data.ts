// System-test data: a console data folder (or PostgreSQL database) prepared as `start.ts` does, and the invariants
// a renewal must keep, read straight from the database.

import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { Pool } from "pg";
import { createAccount } from "@/lib/console/auth/accounts";
import { provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { keyForNewSecrets } from "@/lib/console/provisioning/master-key";
import { failureAuditDetails } from "@/lib/console/renewal/failures";
import { loadTrustAnchors } from "@/lib/console/renewal/trust-anchors";
import { type Database, type DatabaseHandle, migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { auditEvents, certificates, clusters, renewalRequests } from "@/lib/platform/db/schema";
import { seedBlankPglite } from "../../support/databases";
import { trustAnchorsPath as consoleTrustAnchorsPath, writeTrustAnchors } from "../../support/processes";

export const ADMIN = { userName: "sysadmin", password: `Adm1n-${randomBytes(6).toString("hex")}` };
export const USER = { userName: "sysuser", password: `Us3r-${randomBytes(6).toString("hex")}` };

export interface PreparedData {
  clusterId: string;
  serverName: string;
}

/** A fresh PostgreSQL database for one test file (the console uses schema public, so a database, not a schema). */
export async function createPgDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rms_sys_${randomBytes(5).toString("hex")}`;
  const admin = new Pool({ connectionString: baseUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const pool = new Pool({ connectionString: baseUrl, max: 1 });
      try {
        await pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await pool.end();
      }
    },
  };
}

/**
 * What `start.ts` does on first run (trust anchors from files on disk — `trustRoots`, the enrollment service's root and
 * any other the console must trust —, migrate, seed the demo cluster), plus two accounts.
 */
export async function prepareConsoleData(opts: {
  dataDir: string;
  enrollmentUrl: string;
  trustRoots: string[];
  databaseUrl?: string;
  masterKey?: string;
}): Promise<PreparedData> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  // On PGlite the console's database starts as a copy of the run's new, empty cluster (no initdb); migrated below.
  if (!opts.databaseUrl) seedBlankPglite(path.join(opts.dataDir, "pglite"));
  writeTrustAnchors({ dataDir: opts.dataDir, trustRoots: opts.trustRoots });
  const trustAnchorsPath = consoleTrustAnchorsPath(opts.dataDir);
  const handle = await openDatabase({ dataDir: opts.dataDir, databaseUrl: opts.databaseUrl });
  try {
    await migrateDatabase(handle);
    const http = { connectTimeoutMs: 3_000, totalTimeoutMs: 30_000 };
    const kek = await keyForNewSecrets(handle.db, { dataDir: opts.dataDir, masterKey: opts.masterKey });
    const provisioned = await provisionFirstRun(
      {
        db: handle.db,
        kek: () => kek,
        trustAnchors: () => loadTrustAnchors(trustAnchorsPath),
        enrollmentUrl: opts.enrollmentUrl,
        http,
        now: () => new Date(),
        leaseMs: 60_000,
      },
      { serverName: "RMSSYS" },
    );
    if (!provisioned.ok) throw new Error(`first run: ${JSON.stringify(failureAuditDetails(provisioned))}`);
    for (const [who, groups] of [
      [ADMIN, ["Administrators"]],
      [USER, ["Users"]],
    ] as const) {
      const created = await createAccount(handle.db, { userName: who.userName, password: who.password, groups });
      if (!created.ok) throw new Error(created.message);
    }
    const [cluster] = await handle.db.select({ id: clusters.id, serverName: clusters.serverName }).from(clusters);
    if (!cluster) throw new Error("no cluster seeded");
    return { clusterId: cluster.id, serverName: cluster.serverName };
  } finally {
    await handle.close();
  }
}

export async function withDatabase<T>(
  opts: { dataDir: string; databaseUrl?: string },
  work: (db: Database, handle: DatabaseHandle) => Promise<T>,
): Promise<T> {
  const handle = await openDatabase({ dataDir: opts.dataDir, databaseUrl: opts.databaseUrl });
  try {
    return await work(handle.db, handle);
  } finally {
    await handle.close();
  }
}

export interface ClusterSnapshot {
  activeFingerprints: string[];
  certificateCount: number;
  certificatesBy: Record<string, number>;
  pending: Array<{ requestId: string; fingerprint: string; document: string }>;
  requestsByStatus: Record<string, number>;
  audit: Record<string, number>;
  lockedBy: string | null;
}

/** Everything the fault tests compare: active SLC, certificate history, requests and the audit log's counts. */
export async function snapshot(db: Database, clusterId: string): Promise<ClusterSnapshot> {
  const certs = await db
    .select({ fingerprint: certificates.fingerprint, active: certificates.active, obtainedBy: certificates.obtainedBy })
    .from(certificates)
    .where(eq(certificates.clusterId, clusterId));
  const requests = await db
    .select({
      requestId: renewalRequests.requestId,
      status: renewalRequests.status,
      fingerprint: renewalRequests.fingerprint,
      document: renewalRequests.document,
    })
    .from(renewalRequests)
    .where(eq(renewalRequests.clusterId, clusterId));
  const audit = await db
    .select({ action: auditEvents.action, n: count() })
    .from(auditEvents)
    .where(eq(auditEvents.clusterId, clusterId))
    .groupBy(auditEvents.action);
  const [cluster] = await db.select({ lockedBy: clusters.renewalLockedBy }).from(clusters).where(eq(clusters.id, clusterId));
  const tally = <T extends string>(values: T[]) =>
    values.reduce<Record<string, number>>((acc, v) => {
      acc[v] = (acc[v] ?? 0) + 1;
      return acc;
    }, {});
  return {
    activeFingerprints: certs.filter((c) => c.active).map((c) => c.fingerprint),
    certificateCount: certs.length,
    certificatesBy: tally(certs.map((c) => c.obtainedBy)),
    pending: requests
      .filter((r) => r.status === "pending")
      .map(({ requestId, fingerprint, document }) => ({ requestId, fingerprint, document })),
    requestsByStatus: tally(requests.map((r) => r.status)),
    audit: Object.fromEntries(audit.map((a) => [a.action, Number(a.n)])),
    lockedBy: cluster?.lockedBy ?? null,
  };
}

/** Base64 of 32 random bytes, the form RMS_MASTER_KEY takes. */
export function newMasterKey(): string {
  return randomBytes(32).toString("base64");
}
