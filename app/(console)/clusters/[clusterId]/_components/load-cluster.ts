// The cluster a /clusters/[clusterId] page is about: administrators only, 404 for a malformed or unknown id.
import "server-only";
import { notFound } from "next/navigation";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { readCluster } from "@/lib/console/clusters/read";

/** The cluster, or null for a malformed or unknown id; no access check (callers make it). Read once per request. */
export const findCluster = readCluster;

export async function loadClusterPage(clusterId: string, path: string) {
  await requireAdminPage(path);
  const cluster = await readCluster(clusterId);
  // The cluster layout has already answered 404 with the page itself; this only narrows the type.
  if (!cluster) notFound();
  return cluster;
}
