// Read models of the renewal that pages and operations show: the cluster's pending offline request and an SLC summary.
import { and, desc, eq } from "drizzle-orm";
import { renewalRequestFileName } from "@/lib/core/certificates/renewal-request";
import type { VerifiedSlc } from "@/lib/core/certificates/verify-slc";
import type { Queryable } from "@/lib/platform/db/client";
import { certificates, clusters, renewalRequests } from "@/lib/platform/db/schema";

export interface SlcSummary {
  fingerprint: string;
  issuerName: string;
  issuerSubject: string;
  serverName: string;
  serverGuid: string;
  clusterUrl: string;
  validFrom: Date;
  validUntil: Date;
  serialNumber: string;
}

export function slcSummary(slc: VerifiedSlc): SlcSummary {
  return {
    fingerprint: slc.fingerprint,
    issuerName: slc.issuerName,
    issuerSubject: slc.issuerSubject,
    serverName: slc.serverName,
    serverGuid: slc.serverGuid,
    clusterUrl: slc.clusterUrl,
    validFrom: slc.validFrom,
    validUntil: slc.validUntil,
    serialNumber: slc.serialNumber,
  };
}

export interface PendingRequest {
  requestId: string;
  fingerprint: string;
  exportedBy: string;
  exportedAt: Date;
  fileName: string;
  document: string;
  /** Sent online and held by the enrollment service for its operator's approval (else exported as a file). */
  heldForApproval: boolean;
  /** Sent online and answered with a certificate kept for the small-gain confirmation (not exported as a file). */
  answeredOnline: boolean;
  /** When the monitor's round found a held request approved by the operator; null until then. */
  approvedAt: Date | null;
}

export async function getPendingRequest(db: Queryable, clusterId: string): Promise<PendingRequest | null> {
  const [row] = await db
    .select({
      requestId: renewalRequests.requestId,
      fingerprint: renewalRequests.fingerprint,
      exportedBy: renewalRequests.exportedBy,
      exportedAt: renewalRequests.exportedAt,
      document: renewalRequests.document,
      heldForApproval: renewalRequests.heldForApproval,
      answeredOnline: renewalRequests.answeredOnline,
      approvedAt: renewalRequests.approvedAt,
      serverName: clusters.serverName,
      installedSlc: certificates.id,
    })
    .from(renewalRequests)
    .innerJoin(clusters, eq(clusters.id, renewalRequests.clusterId))
    .leftJoin(certificates, and(eq(certificates.clusterId, clusters.id), eq(certificates.active, true)))
    .where(and(eq(renewalRequests.clusterId, clusterId), eq(renewalRequests.status, "pending")))
    .orderBy(desc(renewalRequests.exportedAt))
    .limit(1);
  if (!row) return null;
  const { serverName, installedSlc, ...pending } = row;
  return { ...pending, fileName: renewalRequestFileName(serverName, installedSlc ? "renewal" : "enrollment") };
}
