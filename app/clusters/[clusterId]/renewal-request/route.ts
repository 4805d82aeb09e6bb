// Offline Export: POST creates the cluster's pending renewal request and downloads it as <servername>RenewalRequest.xml;
// GET downloads the pending request again. Both check the administrator groups on the server.
import { z } from "zod";
import { failureMessage } from "@/lib/actions/renewal/view";
import { requireAdminRequest } from "@/lib/auth/guard";
import { isSameOrigin } from "@/lib/auth/same-origin";
import { getDb } from "@/lib/db";
import { getTranslator } from "@/lib/i18n/server";
import { exportRenewalRequest } from "@/lib/renewal/offline";
import { getPendingRequest, type PendingRequest } from "@/lib/renewal/queries";
import { renewalContext } from "@/lib/renewal/server-context";

type Params = { params: Promise<{ clusterId: string }> };

const STATUS = { not_found: 404, in_progress: 409 } as const;

function download(pending: PendingRequest): Response {
  return new Response(pending.document, {
    status: 200,
    headers: {
      "Content-Type": "application/xml; charset=utf-8",
      "Content-Disposition": `attachment; filename="${pending.fileName}"`,
      "Cache-Control": "no-store",
      "X-Request-Fingerprint": pending.fingerprint,
    },
  });
}

function problem(status: number, message: string): Response {
  return Response.json({ message }, { status, headers: { "Cache-Control": "no-store" } });
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { clusterId } = await params;
  const { t } = await getTranslator();
  if (!isSameOrigin(request)) return problem(403, t("error.badRequest"));
  const actor = await requireAdminRequest(`POST /clusters/${clusterId}/renewal-request`);
  if (!z.uuid().safeParse(clusterId).success) return problem(404, t("failure.not_found"));
  const ctx = await renewalContext();
  const result = await exportRenewalRequest(ctx, {
    clusterId,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
  if (!result.ok) {
    const status = result.code in STATUS ? STATUS[result.code as keyof typeof STATUS] : 500;
    return problem(status, failureMessage(result, t, ctx.enrollmentUrl));
  }
  return download(result.pending);
}

export async function GET(_request: Request, { params }: Params): Promise<Response> {
  const { clusterId } = await params;
  const { t } = await getTranslator();
  await requireAdminRequest(`GET /clusters/${clusterId}/renewal-request`);
  if (!z.uuid().safeParse(clusterId).success) return problem(404, t("failure.not_found"));
  const pending = await getPendingRequest(await getDb(), clusterId);
  if (!pending) return problem(404, t("pending.none"));
  return download(pending);
}
