// A certificate's page: an unknown id (or one of another cluster) is answered here with Not found as complete HTML and
// status 404, before the page renders (see app/(console)/clusters/[clusterId]/layout.tsx).
import type { ReactNode } from "react";
import { NotFoundNotice } from "@/components/not-found-notice";
import { findAdministrator } from "@/lib/console/auth/guard";
import { setResponseStatus } from "@/lib/platform/http/response-status";
import { certificateOf } from "./load-certificate";

export default async function CertificateLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ clusterId: string; certificateId: string }>;
}) {
  const { clusterId, certificateId } = await params;
  if ((await findAdministrator()) && !(await certificateOf(clusterId, certificateId))) {
    setResponseStatus(404);
    return <NotFoundNotice />;
  }
  return children;
}
