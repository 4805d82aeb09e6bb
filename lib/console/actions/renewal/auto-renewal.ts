"use server";
// Turns automatic renewal on or off for a cluster (a plain form: works without JavaScript); audited. Switched on, the
// plan is made at once, so the page can say when the first attempt will be.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { planAutoRenewals, setAutoRenewal } from "@/lib/console/renewal/auto-renewal";
import { renewalActorOf } from "@/lib/console/renewal/context";
import { adminActionClient, formSchema } from "../safe-action";
import { autoRenewalSchema } from "./schemas";

const switchAutoRenewal = adminActionClient
  .metadata({ actionName: "autoRenewalAction" })
  .inputSchema(formSchema(autoRenewalSchema))
  .action(async ({ parsedInput: { clusterId, enabled }, ctx: { actor, db, renewal } }) => {
    await setAutoRenewal(db, {
      clusterId,
      enabled: enabled === "on",
      actor: renewalActorOf(actor),
      now: new Date(),
    });
    if (enabled === "on") await planAutoRenewals(renewal, { clusterId });
    revalidatePath(`/clusters/${clusterId}`);
    redirect(`/clusters/${clusterId}#automatic-renewal`);
  });

/** The form's action: the outcome is the redirect back to the Administration page. */
export async function autoRenewalAction(formData: FormData): Promise<void> {
  await switchAutoRenewal(formData);
}
