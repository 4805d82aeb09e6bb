// Read models for the console pages: web sites with their cluster and active SLC, one cluster's details.
import { and, asc, count, eq } from "drizzle-orm";
import type { Queryable } from "@/lib/platform/db/client";
import { certificates, clusters, dataVersions, renewalRequests, webSites } from "@/lib/platform/db/schema";

interface WebSiteOverview {
  id: string;
  name: string;
  state: "started" | "stopped";
  cluster: { id: string; clusterUrl: string; slcValidUntil: Date | null } | null;
}

export interface WebSitesPage {
  sites: WebSiteOverview[];
  total: number;
  page: number;
  pageSize: number;
}

/**
 * The database's version of what Global Administration's table shows (data_versions, replaced in the same transaction
 * as every write to web sites, cluster URLs, certificates or the revocation list), or null when it has none.
 */
export async function getWebSitesVersion(db: Queryable): Promise<string | null> {
  const [row] = await db.select({ version: dataVersions.version }).from(dataVersions).where(eq(dataVersions.name, "web_sites")).limit(1);
  return row?.version ?? null;
}

/** One page of the web sites on this server, by name, with each one's cluster and active SLC. */
export async function getWebSitesOverview(db: Queryable, opts: { page: number; pageSize: number }): Promise<WebSitesPage> {
  const pageSize = Math.min(500, Math.max(1, Math.floor(opts.pageSize)));
  const [totals] = await db.select({ total: count() }).from(webSites);
  const total = totals?.total ?? 0;
  const page = Math.min(Math.max(1, Math.floor(opts.page) || 1), Math.max(1, Math.ceil(total / pageSize)));
  const rows = await db
    .select({
      id: webSites.id,
      name: webSites.name,
      state: webSites.state,
      clusterId: clusters.id,
      clusterUrl: clusters.clusterUrl,
      slcValidUntil: certificates.validUntil,
    })
    .from(webSites)
    .leftJoin(clusters, eq(clusters.id, webSites.clusterId))
    .leftJoin(certificates, and(eq(certificates.clusterId, clusters.id), eq(certificates.active, true)))
    .orderBy(asc(webSites.name), asc(webSites.id))
    .limit(pageSize)
    .offset((page - 1) * pageSize);
  const sites = rows.map((r) => ({
    id: r.id,
    name: r.name,
    state: r.state,
    cluster: r.clusterId && r.clusterUrl ? { id: r.clusterId, clusterUrl: r.clusterUrl, slcValidUntil: r.slcValidUntil } : null,
  }));
  return { sites, total, page, pageSize };
}

interface ActiveCertificate {
  id: string;
  fingerprint: string;
  subjectName: string;
  issuerName: string;
  validFrom: Date;
  validUntil: Date;
  installedAt: Date;
}

export interface ClusterOverview {
  id: string;
  guid: string;
  name: string;
  serverName: string;
  clusterUrl: string;
  configDatabase: string;
  webSiteName: string | null;
  certificate: ActiveCertificate | null;
  /** When and by whom RMS was removed from its web site; null while it is in use. */
  removed: { at: Date; by: string | null } | null;
  /** A renewal, export or import holding the cluster's lease right now: who started it and when. */
  renewalInProgress: { by: string | null; since: Date } | null;
}

export async function getClusterOverview(db: Queryable, clusterId: string, now = new Date()): Promise<ClusterOverview | null> {
  const [row] = await db
    .select({
      cluster: clusters,
      webSiteName: webSites.name,
      certificate: {
        id: certificates.id,
        fingerprint: certificates.fingerprint,
        subjectName: certificates.subjectName,
        issuerName: certificates.issuerName,
        validFrom: certificates.validFrom,
        validUntil: certificates.validUntil,
        installedAt: certificates.installedAt,
      },
    })
    .from(clusters)
    .leftJoin(webSites, eq(webSites.clusterId, clusters.id))
    .leftJoin(certificates, and(eq(certificates.clusterId, clusters.id), eq(certificates.active, true)))
    .where(eq(clusters.id, clusterId))
    .limit(1);
  if (!row) return null;
  const { cluster } = row;
  return {
    id: cluster.id,
    guid: cluster.guid,
    name: cluster.name,
    serverName: cluster.serverName,
    clusterUrl: cluster.clusterUrl,
    configDatabase: cluster.configDatabase,
    webSiteName: row.webSiteName,
    certificate: row.certificate,
    removed: cluster.removedAt ? { at: cluster.removedAt, by: cluster.removedBy } : null,
    renewalInProgress:
      cluster.renewalLockedUntil && cluster.renewalLockedUntil > now
        ? { by: cluster.renewalStartedBy, since: cluster.renewalStartedAt ?? now }
        : null,
  };
}

export interface WebSiteDetail {
  id: string;
  name: string;
  cluster: {
    id: string;
    name: string;
    guid: string;
    clusterUrl: string;
    slcValidUntil: Date | null;
    pendingRequestId: string | null;
  } | null;
}

/** One web site with the cluster RMS runs on it (if any): what the provisioning and removal pages show. */
export async function getWebSite(db: Queryable, webSiteId: string): Promise<WebSiteDetail | null> {
  const [row] = await db
    .select({
      id: webSites.id,
      name: webSites.name,
      clusterId: clusters.id,
      clusterName: clusters.name,
      guid: clusters.guid,
      clusterUrl: clusters.clusterUrl,
      slcValidUntil: certificates.validUntil,
      pendingRequestId: renewalRequests.requestId,
    })
    .from(webSites)
    .leftJoin(clusters, eq(clusters.id, webSites.clusterId))
    .leftJoin(certificates, and(eq(certificates.clusterId, clusters.id), eq(certificates.active, true)))
    .leftJoin(renewalRequests, and(eq(renewalRequests.clusterId, clusters.id), eq(renewalRequests.status, "pending")))
    .where(eq(webSites.id, webSiteId))
    .limit(1);
  if (!row) return null;
  const { clusterId, clusterName, guid, clusterUrl } = row;
  return {
    id: row.id,
    name: row.name,
    cluster:
      clusterId && clusterName && guid && clusterUrl
        ? { id: clusterId, name: clusterName, guid, clusterUrl, slcValidUntil: row.slcValidUntil, pendingRequestId: row.pendingRequestId }
        : null,
  };
}
