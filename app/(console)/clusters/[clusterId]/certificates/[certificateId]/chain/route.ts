// GET: the issuer chain the SLC's signature carries, as a PEM bundle (signing certificate first), administrators only.
import { getTranslator } from "@/lib/platform/i18n/server";
import { certificateNotFound, findCertificate } from "../load-certificate";

type Params = { params: Promise<{ clusterId: string; certificateId: string }> };

export async function GET(_request: Request, { params }: Params): Promise<Response> {
  const { clusterId, certificateId } = await params;
  const certificate = await findCertificate(clusterId, certificateId, `GET /clusters/${clusterId}/certificates/${certificateId}/chain`);
  if (!certificate) return certificateNotFound((await getTranslator()).t("notFound.body"));
  const serial = certificate.serialNumber.slice(0, 16);
  return new Response(certificate.chain.map((c) => c.pem).join(""), {
    status: 200,
    headers: {
      "Content-Type": "application/x-pem-file; charset=utf-8",
      "Content-Disposition": `attachment; filename="${certificate.serverName.replace(/[^A-Za-z0-9-]/g, "")}-issuer-chain-${serial}.pem"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
