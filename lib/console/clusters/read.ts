// What the web site, cluster and certificate pages read, through the console's own database handle: server-only read
// functions, each read once per request (React cache), so no page or route file holds a handle. None checks access:
// every caller has passed the administrator check (lib/console/auth/guard.ts) first, or asks only to choose its 404.
import "server-only";
import { cache } from "react";
import { z } from "zod";
import { getDb } from "@/lib/console/db";
import { listExpiryAlerts } from "@/lib/console/monitor/expiry-events";
import { getAutoRenewal } from "@/lib/console/renewal/auto-renewal";
import { getPendingRequest } from "@/lib/console/renewal/queries";
import { clusterRevocationStatus } from "@/lib/console/revocation/status";
import { type CertificateDetail, getCertificateDetail, getCertificateHistory } from "./history";
import { getClusterOverview, getWebSite } from "./queries";
import type { VersionedCache } from "./versioned-cache";
import { type KeptWebSitesTable, keptWebSitesTable, type WebSitesTableSource } from "./web-sites-table";

const isId = (value: string) => z.uuid().safeParse(value).success;

/** Global Administration beside its table: the expiry alerts and the cluster just removed (if named). */
export const readGlobalAdministration = cache(async (removedClusterId: string | null, now: Date) => {
  const db = await getDb();
  const [alerts, removed] = await Promise.all([
    listExpiryAlerts(db, now),
    removedClusterId ? getClusterOverview(db, removedClusterId) : null,
  ]);
  return { alerts, removed };
});

/** Global Administration's table of web sites, kept in `kept` while its data stands (./web-sites-table.ts). */
export async function readWebSitesTable<T>(
  kept: VersionedCache<KeptWebSitesTable<T>>,
  opts: { page: number; pageSize: number; variant: string; now: Date },
  render: (source: WebSitesTableSource) => T,
): Promise<KeptWebSitesTable<T>> {
  return keptWebSitesTable(await getDb(), kept, opts, render);
}

/** The cluster, or null for a malformed or unknown id. */
export const readCluster = cache(async (clusterId: string) => (isId(clusterId) ? getClusterOverview(await getDb(), clusterId) : null));

/** The web site, or null for a malformed or unknown id. */
export const readWebSite = cache(async (webSiteId: string) => (isId(webSiteId) ? getWebSite(await getDb(), webSiteId) : null));

/** The Administration page's renewal state of a cluster: its pending request, automatic renewal, revocation status. */
export const readClusterResources = cache(async (clusterId: string, now: Date) => {
  const db = await getDb();
  const [pending, autoRenewal, revocation] = await Promise.all([
    getPendingRequest(db, clusterId),
    getAutoRenewal(db, clusterId),
    clusterRevocationStatus(db, clusterId, now),
  ]);
  return { pending, autoRenewal, revocation };
});

/** The cluster's pending renewal request (the Offline Export download), or null. */
export const readPendingRequest = cache(async (clusterId: string) =>
  isId(clusterId) ? getPendingRequest(await getDb(), clusterId) : null,
);

/** Every certificate the cluster has had, newest first. */
export const readCertificateHistory = cache(async (clusterId: string) => getCertificateHistory(await getDb(), clusterId));

/** The certificate, or null for a malformed id, an unknown one, or one that belongs to another cluster. */
export const readCertificate = cache(
  async (clusterId: string, certificateId: string): Promise<CertificateDetail | null> =>
    isId(clusterId) && isId(certificateId) ? getCertificateDetail(await getDb(), clusterId, certificateId) : null,
);
