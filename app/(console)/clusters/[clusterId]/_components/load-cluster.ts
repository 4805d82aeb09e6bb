// The cluster a /clusters/[clusterId] page is about: administrators only, 404 for a malformed or unknown id.
import "server-only";
import { notFound } from "next/navigation";
import { z } from "zod";
import { requireAdminPage } from "@/lib/auth/guard";
import { getClusterOverview } from "@/lib/clusters/queries";
import { getDb } from "@/lib/db";

export async function loadClusterPage(clusterId: string, path: string) {
  await requireAdminPage(path);
  if (!z.uuid().safeParse(clusterId).success) notFound();
  const db = await getDb();
  const cluster = await getClusterOverview(db, clusterId);
  if (!cluster) notFound();
  return { db, cluster };
}
