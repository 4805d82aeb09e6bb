"use server";
import { fetchApprovedCertificate } from "@/lib/console/renewal/approval";
import { validateImport } from "@/lib/console/renewal/offline";
import { renewalContext } from "@/lib/console/renewal/server-context";
// "Check for the approved certificate": asks the enrollment service again for the request it holds for approval. Once
// the operator approved it, the certificate goes through the same checks as an imported file and the confirmation
// follows (Yes installs it, as Import → Yes does); while it waits, the dialog says so; nothing is installed here.
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { checkApprovalSchema } from "./schemas";
import { answersView, checkViews, failureState, heldState, type RenewState, slcView } from "./view";

export const checkApprovalAction = adminActionClient
  .metadata({ actionName: "checkApprovalAction" })
  .inputSchema(formSchema(checkApprovalSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<RenewState> => {
    const { locale, t } = await getTranslator();
    const ctx = await renewalContext();
    const fetched = await fetchApprovedCertificate(ctx, { clusterId: parsedInput.clusterId });
    if (!fetched.ok && fetched.code === "pending_approval") {
      return heldState(fetched.requestId, t, ctx.enrollmentUrl, true);
    }
    if (!fetched.ok) return failureState(fetched, t, ctx.enrollmentUrl);
    const bytes = new Uint8Array(fetched.document);
    const result = await validateImport(ctx, {
      clusterId: parsedInput.clusterId,
      file: bytes,
      actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
    });
    if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
    return {
      status: "validated",
      slc: slcView(result.slc, locale),
      checks: checkViews(result.checks, t),
      answers: answersView(result.answers, result.slc, locale, t),
      document: Buffer.from(bytes).toString("base64"),
    };
  });
