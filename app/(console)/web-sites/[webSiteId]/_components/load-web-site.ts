// The web site a /web-sites/[webSiteId] page is about: administrators only, 404 for a malformed or unknown id.
import "server-only";
import { notFound } from "next/navigation";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { readWebSite } from "@/lib/console/clusters/read";

/** The web site, or null for a malformed or unknown id; no access check (callers make it). Read once per request. */
export const findWebSite = readWebSite;

export async function loadWebSitePage(webSiteId: string, path: string) {
  await requireAdminPage(path);
  const site = await readWebSite(webSiteId);
  // The web site layout has already answered 404 with the page itself; this only narrows the type.
  if (!site) notFound();
  return site;
}
