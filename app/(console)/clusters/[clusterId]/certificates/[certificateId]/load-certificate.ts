// The certificate a /clusters/[clusterId]/certificates/[certificateId] page or download is about, after the group check
// (administrators only; without a session, to sign-in and back): null for a malformed id, an unknown one, or one that
// belongs to another cluster.
import "server-only";
import { cache } from "react";
import { z } from "zod";
import { requireAdminPage } from "@/lib/console/auth/guard";
import { type CertificateDetail, getCertificateDetail } from "@/lib/console/clusters/history";
import { getDb } from "@/lib/console/db";

/** The certificate, or null; no access check (callers make it). Read once per request: the layout asks too. */
export const certificateOf = cache(async (clusterId: string, certificateId: string): Promise<CertificateDetail | null> => {
  const valid = z.uuid().safeParse(clusterId).success && z.uuid().safeParse(certificateId).success;
  return valid ? getCertificateDetail(await getDb(), clusterId, certificateId) : null;
});

export async function findCertificate(clusterId: string, certificateId: string, target?: string): Promise<CertificateDetail | null> {
  const valid = z.uuid().safeParse(clusterId).success && z.uuid().safeParse(certificateId).success;
  const path = valid ? `/clusters/${clusterId}/certificates/${certificateId}` : "/";
  await requireAdminPage(path, target ?? path);
  return valid ? getCertificateDetail(await getDb(), clusterId, certificateId) : null;
}

/** What a download answers for a certificate that is not there. */
export function certificateNotFound(message: string): Response {
  return new Response(message, { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}
