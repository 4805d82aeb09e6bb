// GET: the SLC file exactly as installed (TechNet 18124911, "export a server licensor certificate to a file"),
// administrators only.
import { getTranslator } from "@/lib/platform/i18n/server";
import { certificateNotFound, findCertificate } from "../load-certificate";

type Params = { params: Promise<{ clusterId: string; certificateId: string }> };

export async function GET(_request: Request, { params }: Params): Promise<Response> {
  const { clusterId, certificateId } = await params;
  const certificate = await findCertificate(clusterId, certificateId, `GET /clusters/${clusterId}/certificates/${certificateId}/download`);
  if (!certificate) return certificateNotFound((await getTranslator()).t("notFound.body"));
  return new Response(certificate.document, {
    status: 200,
    headers: {
      "Content-Type": "application/xml; charset=utf-8",
      "Content-Disposition": `attachment; filename="${certificate.fileName}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
