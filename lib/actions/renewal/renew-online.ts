"use server";
// Renew → Online → Renew: the whole online renewal on the server, reported in the user's language. A pending offline
// request would be replaced, so the form must carry the administrator's consent (a checkbox) before anything is sent.
import { revalidatePath } from "next/cache";
import { getTranslator } from "@/lib/i18n/server";
import { renewOnline } from "@/lib/renewal/online";
import { getPendingRequest } from "@/lib/renewal/queries";
import { renewalContext } from "@/lib/renewal/server-context";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { renewOnlineSchema } from "./schemas";
import { failureState, heldState, type RenewState, renewedState } from "./view";

export const renewOnlineAction = adminActionClient
  .metadata({ actionName: "renewOnlineAction" })
  .inputSchema(formSchema(renewOnlineSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<RenewState> => {
    const { locale, t } = await getTranslator();
    const ctx = await renewalContext();
    if (parsedInput.replacePending !== "on") {
      const pending = await getPendingRequest(ctx.db, parsedInput.clusterId);
      if (pending) return { status: "error", message: t("renew.replacePendingRequired", { requestId: pending.requestId }) };
    }
    const result = await renewOnline(ctx, {
      clusterId: parsedInput.clusterId,
      actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
    });
    // A request held for approval became the cluster's pending request: the page shows it.
    if (result.ok || result.code === "pending_approval") revalidatePath(`/clusters/${parsedInput.clusterId}`);
    if (!result.ok && result.code === "pending_approval") return heldState(result.requestId, t, ctx.enrollmentUrl);
    if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
    return renewedState(result.slc, locale, t, result.previousValidUntil);
  });
