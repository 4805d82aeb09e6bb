"use server";
// "Send test notification" on Settings: one test message on every configured channel; the outcome is audited and
// shown on the page (a plain form: works without JavaScript).
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { recordAudit } from "@/lib/console/audit/audit";
import { getDb } from "@/lib/console/db";
import { channelsInForce } from "@/lib/console/notifications/console-channels";
import { sendNotification, testNotification } from "@/lib/console/notifications/notifier";
import { adminActionClient, formSchema } from "../safe-action";

const sendTest = adminActionClient
  .metadata({ actionName: "sendTestNotificationAction" })
  .inputSchema(formSchema(z.object({})))
  .action(async ({ ctx: { actor } }) => {
    const now = new Date();
    const db = await getDb();
    const outcomes = await sendNotification(await channelsInForce(db), testNotification(actor.qualifiedName, now));
    await recordAudit(db, {
      actor: actor.qualifiedName,
      remoteAddress: actor.remoteAddress,
      action: "notification_test",
      outcome: outcomes.length > 0 && outcomes.every((o) => o.ok) ? "success" : "failure",
      occurredAt: now,
      details: Object.fromEntries(outcomes.map((o) => [o.channel, `${o.ok ? "delivered" : "failed"}: ${o.detail}`])),
    });
    revalidatePath("/settings");
    redirect("/settings#notifications");
  });

export async function sendTestNotificationAction(formData: FormData): Promise<void> {
  await sendTest(formData);
}
