"use server";
// Ends the session on the server and clears its cookie.
import { redirect } from "next/navigation";
import { z } from "zod";
import { recordAudit } from "@/lib/console/audit/audit";
import { clearSessionCookie, getActor, getSessionToken } from "@/lib/console/auth/current";
import { destroySession } from "@/lib/console/auth/sessions";
import { getDb } from "@/lib/console/db";
import { actionClient, formSchema } from "../safe-action";

const signOut = actionClient
  .metadata({ actionName: "signOutAction" })
  .inputSchema(formSchema(z.object({})))
  .action(async () => {
    const actor = await getActor();
    const token = await getSessionToken();
    if (token) {
      const db = await getDb();
      await destroySession(db, token);
      if (actor) {
        await recordAudit(db, {
          actor: actor.qualifiedName,
          remoteAddress: actor.remoteAddress,
          action: "sign_out",
          outcome: "success",
        });
      }
    }
    await clearSessionCookie();
    redirect("/sign-in");
  });

/** The header's plain form (works without JavaScript) needs a void action; the outcome is the redirect. */
export async function signOutAction(formData: FormData): Promise<void> {
  await signOut(formData);
}
