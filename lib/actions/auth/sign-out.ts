"use server";
// Ends the session on the server and clears its cookie.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { recordAudit } from "@/lib/audit/audit";
import { clearSessionCookie, getActor, SESSION_COOKIE } from "@/lib/auth/current";
import { destroySession } from "@/lib/auth/sessions";
import { getDb } from "@/lib/db";
import { actionClient, formSchema } from "../safe-action";

const signOut = actionClient
  .metadata({ actionName: "signOutAction" })
  .inputSchema(formSchema(z.object({})))
  .action(async () => {
    const actor = await getActor();
    const token = (await cookies()).get(SESSION_COOKIE)?.value;
    if (token && token.length <= 128) {
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
