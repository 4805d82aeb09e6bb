"use server";
// Renew → Online → Renew: the whole online renewal on the server, reported in the user's language.
import { revalidatePath } from "next/cache";
import { adminAction } from "@/lib/auth/guard";
import { getTranslator } from "@/lib/i18n/server";
import { renewOnline } from "@/lib/renewal/online";
import { renewalContext } from "@/lib/renewal/server-context";
import { renewOnlineSchema } from "./schemas";
import { failureState, type RenewState, renewedState } from "./view";

const action = adminAction("renewOnlineAction", renewOnlineSchema, async (input, actor) => {
  const { locale, t } = await getTranslator();
  const ctx = await renewalContext();
  const result = await renewOnline(ctx, {
    clusterId: input.clusterId,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
  if (!result.ok) return { ok: true, state: failureState(result, t, ctx.enrollmentUrl) };
  revalidatePath(`/clusters/${input.clusterId}`);
  return { ok: true, state: renewedState(result.slc, locale, t) };
});

export async function renewOnlineAction(previous: RenewState, formData: FormData): Promise<RenewState> {
  const result = await action(previous, formData);
  return result.ok ? result.state : { status: "error", message: result.message };
}
