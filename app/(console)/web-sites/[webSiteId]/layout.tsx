// Every /web-sites/[webSiteId] page: an unknown or malformed id is answered here with Not found as complete HTML and
// status 404, before the page renders (see app/(console)/clusters/[clusterId]/layout.tsx).
import type { ReactNode } from "react";
import { NotFoundNotice } from "@/components/not-found-notice";
import { findAdministrator } from "@/lib/console/auth/guard";
import { setResponseStatus } from "@/lib/platform/http/response-status";
import { findWebSite } from "./_components/load-web-site";

export default async function WebSiteLayout({ children, params }: { children: ReactNode; params: Promise<{ webSiteId: string }> }) {
  const { webSiteId } = await params;
  if ((await findAdministrator()) && !(await findWebSite(webSiteId))) {
    setResponseStatus(404);
    return <NotFoundNotice />;
  }
  return children;
}
