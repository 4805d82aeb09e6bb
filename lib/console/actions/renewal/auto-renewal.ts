"use server";
// Turns automatic renewal on or off for a cluster (a plain form: works without JavaScript); audited. Switched on, the
// plan is made at once, so the page can say when the first attempt will be.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/console/db";
import { planAutoRenewals, setAutoRenewal } from "@/lib/console/renewal/auto-renewal";
import { renewalContext } from "@/lib/console/renewal/server-context";
import { adminActionClient, formSchema } from "../safe-action";
import { autoRenewalSchema } from "./schemas";

const switchAutoRenewal = adminActionClient
  .metadata({ actionName: "autoRenewalAction" })
  .inputSchema(formSchema(autoRenewalSchema))
  .action(async ({ parsedInput: { clusterId, enabled }, ctx: { actor } }) => {
    await setAutoRenewal(await getDb(), {
      clusterId,
      enabled: enabled === "on",
      actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
      now: new Date(),
    });
    if (enabled === "on") await planAutoRenewals(await renewalContext(), { clusterId });
    revalidatePath(`/clusters/${clusterId}`);
    redirect(`/clusters/${clusterId}#automatic-renewal`);
  });

/** The form's action: the outcome is the redirect back to the Administration page. */
export async function autoRenewalAction(formData: FormData): Promise<void> {
  await switchAutoRenewal(formData);
}
