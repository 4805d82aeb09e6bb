"use server";
// Turns automatic renewal on or off for a cluster (a plain form: works without JavaScript); audited.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { getDb } from "@/lib/db";
import { setAutoRenewal } from "@/lib/renewal/auto-renewal";
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
    revalidatePath(`/clusters/${clusterId}`);
    redirect(`/clusters/${clusterId}#automatic-renewal`);
  });

/** The form's action: the outcome is the redirect back to the Administration page. */
export async function autoRenewalAction(formData: FormData): Promise<void> {
  await switchAutoRenewal(formData);
}
