// The web site a /web-sites/[webSiteId] page is about: administrators only, 404 for a malformed or unknown id.
import "server-only";
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { getWebSite } from "@/lib/console/clusters/queries";
import { getDb } from "@/lib/console/db";

/** The web site, or null for a malformed or unknown id; no access check (callers make it). Read once per request. */
export const findWebSite = cache(async (webSiteId: string) =>
  z.uuid().safeParse(webSiteId).success ? getWebSite(await getDb(), webSiteId) : null,
);

export async function loadWebSitePage(webSiteId: string, path: string) {
  await requireAdminPage(path);
  const site = await findWebSite(webSiteId);
  // The web site layout has already answered 404 with the page itself; this only narrows the type.
  if (!site) notFound();
  return site;
}
