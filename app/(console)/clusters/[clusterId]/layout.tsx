// Every /clusters/[clusterId] page: an unknown or malformed cluster id is answered here, before the page renders, with
// Not found as complete HTML and status 404 (a notFound() thrown by the page reaches the browser as an empty shell
// without JavaScript — lib/platform/http/response-status.ts). Only for administrators: without a session the page sends to
// sign-in, and anyone else was refused by the console layout.
import type { ReactNode } from "react";
import { NotFoundNotice } from "@/components/not-found-notice";
import { findAdministrator } from "@/lib/console/auth/guard";
import { setResponseStatus } from "@/lib/platform/http/response-status";
import { findCluster } from "./_components/load-cluster";

export default async function ClusterLayout({ children, params }: { children: ReactNode; params: Promise<{ clusterId: string }> }) {
  const { clusterId } = await params;
  if ((await findAdministrator()) && !(await findCluster(clusterId))) {
    setResponseStatus(404);
    return <NotFoundNotice />;
  }
  return children;
}
