// The web site a /web-sites/[webSiteId] page is about: administrators only, 404 for a malformed or unknown id.
import "server-only";
import { notFound } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { requireAdminPage } from "@/lib/auth/guard";
import { getWebSite } from "@/lib/clusters/queries";
import { getDb } from "@/lib/db";

/** Read once per request: the page and its metadata both ask. */
export const loadWebSitePage = cache(async (webSiteId: string, path: string) => {
  await requireAdminPage(path);
  if (!z.uuid().safeParse(webSiteId).success) notFound();
  const site = await getWebSite(await getDb(), webSiteId);
  if (!site) notFound();
  return site;
});
