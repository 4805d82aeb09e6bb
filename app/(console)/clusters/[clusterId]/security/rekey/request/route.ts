// Re-key, offline: POST downloads the pending re-key request as <servername>RekeyRequest.xml (the same signed bytes
// each time; each download audited). Administrators only, checked on the server; a plain form post, so no JavaScript.
import { z } from "zod";
import { failureMessage } from "@/lib/console/actions/renewal/view";
import { findAdminRequest } from "@/lib/console/auth/guard";
import { isSameOrigin } from "@/lib/console/auth/same-origin";
import { env } from "@/lib/console/env";
import { exportRekeyRequest } from "@/lib/console/renewal/rekey";
import { renewalContext } from "@/lib/console/renewal/server-context";
import { signInPath } from "@/lib/console/safe-next-path";
import { getTranslator } from "@/lib/platform/i18n/server";

type Params = { params: Promise<{ clusterId: string }> };

function back(location: string): Response {
  return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { clusterId } = await params;
  const { t } = await getTranslator();
  if (!z.uuid().safeParse(clusterId).success) return new Response(t("failure.not_found"), { status: 404 });
  const page = `/clusters/${clusterId}/security/rekey`;
  if (!isSameOrigin(request, env().publicUrl)) return new Response(t("error.badRequest"), { status: 403 });
  const actor = await findAdminRequest(`POST ${page}/request`);
  if (!actor) return back(signInPath(page));
  const ctx = await renewalContext();
  const result = await exportRekeyRequest(ctx, { clusterId, actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress } });
  if (!result.ok) {
    return new Response(failureMessage(result, t, ctx.enrollmentUrl), {
      status: result.code === "no_pending" ? 404 : 409,
      headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
    });
  }
  return new Response(result.rekey.document, {
    status: 200,
    headers: {
      "Content-Type": "application/xml; charset=utf-8",
      "Content-Disposition": `attachment; filename="${result.rekey.fileName}"`,
      "Cache-Control": "no-store",
      "X-Request-Fingerprint": result.rekey.fingerprint,
    },
  });
}
