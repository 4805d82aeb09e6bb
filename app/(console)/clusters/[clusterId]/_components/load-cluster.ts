// The cluster a /clusters/[clusterId] page is about: administrators only, 404 for a malformed or unknown id.
import "server-only";
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { getClusterOverview } from "@/lib/console/clusters/queries";
import { getDb } from "@/lib/console/db";

/** The cluster, or null for a malformed or unknown id; no access check (callers make it). Read once per request. */
export const findCluster = cache(async (clusterId: string) =>
  z.uuid().safeParse(clusterId).success ? getClusterOverview(await getDb(), clusterId) : null,
);

export async function loadClusterPage(clusterId: string, path: string) {
  await requireAdminPage(path);
  const cluster = await findCluster(clusterId);
  // The cluster layout has already answered 404 with the page itself; this only narrows the type.
  if (!cluster) notFound();
  return { db: await getDb(), cluster };
}
