// Installs a verified SLC: the old one stays active until this transaction commits, history keeps both.
import { and, eq } from "drizzle-orm";
import type { VerifiedSlc } from "@/lib/core/certificates/verify-slc";
import type { Tx } from "@/lib/platform/db/client";
import { certificates } from "@/lib/platform/db/schema";

export interface InstallInput {
  clusterId: string;
  document: string;
  slc: VerifiedSlc;
  obtainedBy: "enroll" | "online" | "offline";
  installedBy: string;
  now: Date;
}

/** Must run inside the caller's transaction, together with its audit event and request bookkeeping. */
export async function installCertificate(tx: Tx, input: InstallInput): Promise<{ id: string }> {
  await tx
    .update(certificates)
    .set({ active: false })
    .where(and(eq(certificates.clusterId, input.clusterId), eq(certificates.active, true)));
  const [row] = await tx
    .insert(certificates)
    .values({
      clusterId: input.clusterId,
      document: input.document,
      fingerprint: input.slc.fingerprint,
      serialNumber: input.slc.serialNumber,
      issuerName: input.slc.issuerName,
      issuerSubject: input.slc.issuerSubject,
      subjectName: input.slc.serverName,
      requestId: input.slc.requestId,
      issuedAt: input.slc.issuedAt,
      validFrom: input.slc.validFrom,
      validUntil: input.slc.validUntil,
      obtainedBy: input.obtainedBy,
      installedBy: input.installedBy,
      installedAt: input.now,
      active: true,
    })
    .returning({ id: certificates.id });
  if (!row) throw new Error("Inserting the certificate returned no row");
  return row;
}
