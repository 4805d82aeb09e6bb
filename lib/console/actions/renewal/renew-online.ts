"use server";
// Renew → Online → Renew: the whole online renewal on the server, reported in the user's language. A pending offline
// request would be replaced, so the form must carry the administrator's consent (a checkbox) before anything is sent. Under
// the small-gain rule (RMS_RENEW_CONFIRM_DAYS_LEFT, lib/console/renewal/expiry-gain.ts) the answer is confirmed first, with the
// offline confirmation (its checks, its warning) and its Yes, which installs it as an import does.
import { revalidatePath } from "next/cache";
import { env } from "@/lib/console/env";
import { asksBeforeReplacing } from "@/lib/console/renewal/expiry-gain";
import { validateImport } from "@/lib/console/renewal/offline";
import { renewOnlineOrAsk } from "@/lib/console/renewal/online";
import { getPendingRequest } from "@/lib/console/renewal/queries";
import { renewalContext } from "@/lib/console/renewal/server-context";
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { renewOnlineSchema } from "./schemas";
import { answersView, checkViews, failureState, heldState, type RenewState, renewedState, slcView } from "./view";

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
    const daysLeft = env().RMS_RENEW_CONFIRM_DAYS_LEFT;
    const renewalActor = { name: actor.qualifiedName, remoteAddress: actor.remoteAddress };
    const askIf =
      daysLeft === "off" ? null : (installed: Date | null, next: Date) => asksBeforeReplacing(installed, next, ctx.now(), daysLeft);
    const result = await renewOnlineOrAsk(ctx, { clusterId: parsedInput.clusterId, actor: renewalActor }, askIf);
    // A request held for approval, or kept for the confirmation, became the cluster's pending request: the page shows it.
    if (result.ok || result.code === "pending_approval") revalidatePath(`/clusters/${parsedInput.clusterId}`);
    if (!result.ok && result.code === "pending_approval") return heldState(result.requestId, t, ctx.enrollmentUrl);
    if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
    if (result.outcome === "installed") return renewedState(result.slc, locale, t, result.previousValidUntil);
    // The same checks and confirmation as an imported file.
    const bytes = new TextEncoder().encode(result.document);
    const checked = await validateImport(ctx, { clusterId: parsedInput.clusterId, file: bytes, actor: renewalActor });
    if (!checked.ok) return failureState(checked, t, ctx.enrollmentUrl);
    return {
      status: "validated",
      slc: slcView(checked.slc, locale),
      checks: checkViews(checked.checks, t),
      answers: answersView(checked.answers, checked.slc, locale, t),
      document: Buffer.from(bytes).toString("base64"),
      intro: t("renew.onlineConfirmIntro", { days: daysLeft }),
    };
  });
