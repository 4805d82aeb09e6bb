"use server";
// Renew → Browse → Import, then Yes or No: validate the chosen SLC file, install it on Yes, audit every decision.
// `importStepAction` is the Renew dialog's one form action for all three steps (the button pressed says which; no intent
// means Import), so the whole flow also runs as plain forms without JavaScript.
import { revalidatePath } from "next/cache";
import { type RenewalActor, type RenewalContext, renewalActorOf } from "@/lib/console/renewal/context";
import { confirmImport, declineImport, validateImport } from "@/lib/console/renewal/offline";
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { importStepSchema } from "./schemas";
import { answersView, checkViews, failureState, MAX_UPLOAD_BYTES, type RenewState, renewedState, slcView, tooLargeState } from "./view";

async function readUpload(file: File): Promise<Uint8Array | null> {
  if (file.size > MAX_UPLOAD_BYTES) return null;
  return new Uint8Array(await file.arrayBuffer());
}

async function validate(ctx: RenewalContext, clusterId: string, file: File, actor: RenewalActor): Promise<RenewState> {
  const { locale, t } = await getTranslator();
  // A plain form posts an empty, nameless part when no file was chosen.
  if (file.size === 0 && file.name === "") return { status: "error", message: t("renew.noFileChosen") };
  const bytes = await readUpload(file);
  if (!bytes) return tooLargeState(t);
  const result = await validateImport(ctx, { clusterId, file: bytes, actor });
  if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
  const slc = slcView(result.slc, locale);
  return {
    status: "validated",
    slc,
    checks: checkViews(result.checks, t),
    answers: answersView(result.answers, result.slc, locale, t),
    document: Buffer.from(bytes).toString("base64"),
  };
}

async function confirm(
  ctx: RenewalContext,
  clusterId: string,
  bytes: Uint8Array | null,
  fingerprint: string,
  actor: RenewalActor,
): Promise<RenewState> {
  const { locale, t } = await getTranslator();
  if (!bytes) return tooLargeState(t);
  const result = await confirmImport(ctx, { clusterId, file: bytes, expectedFingerprint: fingerprint, actor });
  if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
  revalidatePath(`/clusters/${clusterId}`);
  return renewedState(result.slc, locale, t, result.previousValidUntil);
}

async function decline(ctx: RenewalContext, clusterId: string, fingerprint: string, actor: RenewalActor): Promise<RenewState> {
  const { t } = await getTranslator();
  const result = await declineImport(ctx, { clusterId, fingerprint, actor });
  if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
  return { status: "declined", message: t("renew.declined") };
}

export const importStepAction = adminActionClient
  .metadata({ actionName: "importStepAction" })
  .inputSchema(formSchema(importStepSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor, renewal } }): Promise<RenewState> => {
    const who = renewalActorOf(actor);
    switch (parsedInput.intent) {
      case "validate":
        return validate(renewal, parsedInput.clusterId, parsedInput.file, who);
      case "confirm": {
        const bytes = new Uint8Array(Buffer.from(parsedInput.document, "base64"));
        return confirm(renewal, parsedInput.clusterId, bytes.length > MAX_UPLOAD_BYTES ? null : bytes, parsedInput.fingerprint, who);
      }
      case "decline":
        return decline(renewal, parsedInput.clusterId, parsedInput.fingerprint, who);
    }
  });
