"use server";
// The re-key page's one form action (the button pressed says which step: start online or offline, send online again,
// import the certificate file, cancel), so every step also runs as a plain form without JavaScript. Administrators only
// (the action client's gate); success redirects back to the page with what happened, a refusal returns its message.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { RenewalFailure } from "@/lib/console/renewal/failures";
import { cancelRekey, importRekeyCertificate, sendRekeyOnline, startRekey } from "@/lib/console/renewal/rekey";
import { renewalContext } from "@/lib/console/renewal/server-context";
import { getTranslator } from "@/lib/platform/i18n/server";
import { MAX_UPLOAD_BYTES } from "../renewal/state";
import { failureMessage } from "../renewal/view";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { rekeyStepSchema } from "./schemas";

export interface RekeyStepState {
  message?: string;
}

const pagePath = (clusterId: string) => `/clusters/${clusterId}/security/rekey`;

function done(clusterId: string, outcome: "started" | "exported" | "held" | "installed" | "cancelled"): never {
  revalidatePath(`/clusters/${clusterId}`, "layout");
  redirect(`${pagePath(clusterId)}?done=${outcome}`);
}

export const rekeyStepAction = adminActionClient
  .metadata({ actionName: "rekeyStepAction" })
  .inputSchema(formSchema(rekeyStepSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<RekeyStepState> => {
    const { t } = await getTranslator();
    const ctx = await renewalContext();
    const who = { name: actor.qualifiedName, remoteAddress: actor.remoteAddress };
    const { clusterId } = parsedInput;
    const refused = (failure: RenewalFailure): RekeyStepState => ({ message: failureMessage(failure, t, ctx.enrollmentUrl) });
    switch (parsedInput.intent) {
      case "start": {
        const started = await startRekey(ctx, { clusterId, actor: who });
        if (!started.ok) return refused(started);
        if (parsedInput.method === "offline") done(clusterId, "started");
        const sent = await sendRekeyOnline(ctx, { clusterId, actor: who });
        // The re-key stays pending whatever the service said: the page shows it, with this message, to send again.
        if (!sent.ok) {
          revalidatePath(pagePath(clusterId));
          return refused(sent);
        }
        done(clusterId, sent.outcome);
        break;
      }
      case "send": {
        const sent = await sendRekeyOnline(ctx, { clusterId, actor: who });
        if (!sent.ok) return refused(sent);
        done(clusterId, sent.outcome);
        break;
      }
      case "import": {
        const file = parsedInput.file;
        // A plain form posts an empty, nameless part when no file was chosen.
        if (file.size === 0 && file.name === "") return { message: t("renew.noFileChosen") };
        if (file.size > MAX_UPLOAD_BYTES) return { message: t("failure.too_large", { limit: `${MAX_UPLOAD_BYTES / 1024} KB` }) };
        const installed = await importRekeyCertificate(ctx, { clusterId, file: new Uint8Array(await file.arrayBuffer()), actor: who });
        if (!installed.ok) return refused(installed);
        done(clusterId, "installed");
        break;
      }
      case "cancel": {
        const cancelled = await cancelRekey(ctx, { clusterId, actor: who });
        if (!cancelled.ok) return refused(cancelled);
        done(clusterId, "cancelled");
        break;
      }
    }
    return {};
  });
