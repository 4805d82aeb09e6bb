// A cluster's SLC history, newest first.
import { desc, eq } from "drizzle-orm";
import type { Queryable } from "@/lib/db/client";
import { certificates } from "@/lib/db/schema";

export async function getCertificateHistory(db: Queryable, clusterId: string) {
  return db
    .select({
      id: certificates.id,
      fingerprint: certificates.fingerprint,
      serialNumber: certificates.serialNumber,
      issuerName: certificates.issuerName,
      validFrom: certificates.validFrom,
      validUntil: certificates.validUntil,
      obtainedBy: certificates.obtainedBy,
      installedBy: certificates.installedBy,
      installedAt: certificates.installedAt,
      active: certificates.active,
    })
    .from(certificates)
    .where(eq(certificates.clusterId, clusterId))
    .orderBy(desc(certificates.installedAt), desc(certificates.validUntil));
}
