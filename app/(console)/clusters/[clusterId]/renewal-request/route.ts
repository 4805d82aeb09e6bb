// Offline Export: POST creates the cluster's pending renewal request and downloads it as <servername>RenewalRequest.xml;
// GET downloads the pending request again. Both check the administrator groups on the server; without a session, GET
// (a plain link) goes to sign-in and POST (fetched by the Renew dialog) answers 401 with the message and where to sign in.
// A refused export answers the dialog's fetch with the message, and a plain form post (no JavaScript) with a redirect
// back to the page naming the failure (?exportFailed=<code>).
import { z } from "zod";
import { failureMessage } from "@/lib/console/actions/renewal/view";
import { findAdminRequest, requireAdminPage } from "@/lib/console/auth/guard";
import { isSameOrigin } from "@/lib/console/auth/same-origin";
import { sessionEnded } from "@/lib/console/auth/session-ended";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { exportRenewalRequest } from "@/lib/console/renewal/offline";
import { getPendingRequest, type PendingRequest } from "@/lib/console/renewal/queries";
import { renewalContext } from "@/lib/console/renewal/server-context";
import { signInPath } from "@/lib/console/safe-next-path";
import { getTranslator } from "@/lib/platform/i18n/server";

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

function problem(status: number, message: string, extra: Record<string, string> = {}): Response {
  return Response.json({ message, ...extra }, { status, headers: { "Cache-Control": "no-store" } });
}

/** The cluster's page: where sign-in returns to (a download URL would leave the user on an empty tab). */
function clusterPath(clusterId: string): string {
  return z.uuid().safeParse(clusterId).success ? `/clusters/${clusterId}` : "/";
}

export async function POST(request: Request, { params }: Params): Promise<Response> {
  const { clusterId } = await params;
  const { t } = await getTranslator();
  if (!isSameOrigin(request, env().publicUrl)) return problem(403, t("error.badRequest"));
  const actor = await findAdminRequest(`POST /clusters/${clusterId}/renewal-request`);
  if (!actor) {
    // A plain form post (no JavaScript) is a navigation: go to sign-in, which returns to the cluster's page.
    if (request.headers.get("sec-fetch-mode") === "navigate") {
      return new Response(null, { status: 303, headers: { Location: signInPath(clusterPath(clusterId)), "Cache-Control": "no-store" } });
    }
    const message = (await sessionEnded()) ? t("signIn.expired") : t("signIn.required");
    return problem(401, message, { signIn: signInPath(clusterPath(clusterId)) });
  }
  if (!z.uuid().safeParse(clusterId).success) return problem(404, t("failure.not_found"));
  const ctx = await renewalContext();
  const result = await exportRenewalRequest(ctx, {
    clusterId,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
  if (!result.ok) {
    // Without JavaScript the form post is a navigation: back to the page, which says what went wrong where focus lands
    // (the dialog stays closed: nothing in it can help until the reason is gone; Renew is right below the message).
    if (request.headers.get("sec-fetch-mode") === "navigate") {
      const location = `${clusterPath(clusterId)}?exportFailed=${encodeURIComponent(result.code)}#export-failed`;
      return new Response(null, { status: 303, headers: { Location: location, "Cache-Control": "no-store" } });
    }
    const status = result.code in STATUS ? STATUS[result.code as keyof typeof STATUS] : 500;
    return problem(status, failureMessage(result, t, ctx.enrollmentUrl));
  }
  return download(result.pending);
}

export async function GET(_request: Request, { params }: Params): Promise<Response> {
  const { clusterId } = await params;
  const { t } = await getTranslator();
  await requireAdminPage(clusterPath(clusterId), `GET /clusters/${clusterId}/renewal-request`);
  if (!z.uuid().safeParse(clusterId).success) return problem(404, t("failure.not_found"));
  const pending = await getPendingRequest(await getDb(), clusterId);
  if (!pending) return problem(404, t("pending.none"));
  return download(pending);
}
