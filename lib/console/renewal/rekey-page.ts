// What the re-key page reads: the cluster's key, its installed certificate and any pending re-key, through the
// console's database handle (no route file sees a handle).
import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/lib/console/db";
import { certificates, clusterKeys } from "@/lib/platform/db/schema";
import { getPendingRekey, type PendingRekey } from "./rekey";

export interface RekeyPageData {
  /** The key in use (SHA-256 of its SPKI), or null when the cluster has none. */
  keyFingerprint: string | null;
  installed: { serialNumber: string; fingerprint: string; validUntil: Date } | null;
  pending: PendingRekey | null;
}

export async function getRekeyPageData(clusterId: string): Promise<RekeyPageData> {
  const db = await getDb();
  const [[key], [installed], pending] = await Promise.all([
    db
      .select({ fingerprint: clusterKeys.fingerprint })
      .from(clusterKeys)
      .where(and(eq(clusterKeys.clusterId, clusterId), eq(clusterKeys.active, true)))
      .limit(1),
    db
      .select({ serialNumber: certificates.serialNumber, fingerprint: certificates.fingerprint, validUntil: certificates.validUntil })
      .from(certificates)
      .where(and(eq(certificates.clusterId, clusterId), eq(certificates.active, true)))
      .limit(1),
    getPendingRekey(db, clusterId),
  ]);
  return { keyFingerprint: key?.fingerprint ?? null, installed: installed ?? null, pending };
}
