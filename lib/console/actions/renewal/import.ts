"use server";
// Renew → Browse → Import, then Yes or No: validate the chosen SLC file, install it on Yes, audit every decision.
// `importStepAction` is the Renew dialog's one form action for all three steps (the button pressed says which; no intent
// means Import), so the whole flow also runs as plain forms without JavaScript.
import { revalidatePath } from "next/cache";
import { confirmImport, declineImport, validateImport } from "@/lib/console/renewal/offline";
import { renewalContext } from "@/lib/console/renewal/server-context";
import { getTranslator } from "@/lib/platform/i18n/server";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { importStepSchema } from "./schemas";
import { answersView, checkViews, failureState, MAX_UPLOAD_BYTES, type RenewState, renewedState, slcView, tooLargeState } from "./view";

interface Actor {
  qualifiedName: string;
  remoteAddress: string | null;
}

async function readUpload(file: File): Promise<Uint8Array | null> {
  if (file.size > MAX_UPLOAD_BYTES) return null;
  return new Uint8Array(await file.arrayBuffer());
}

async function validate(clusterId: string, file: File, actor: Actor): Promise<RenewState> {
  const { locale, t } = await getTranslator();
  // A plain form posts an empty, nameless part when no file was chosen.
  if (file.size === 0 && file.name === "") return { status: "error", message: t("renew.noFileChosen") };
  const bytes = await readUpload(file);
  if (!bytes) return tooLargeState(t);
  const ctx = await renewalContext();
  const result = await validateImport(ctx, {
    clusterId,
    file: bytes,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
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

async function confirm(clusterId: string, bytes: Uint8Array | null, fingerprint: string, actor: Actor): Promise<RenewState> {
  const { locale, t } = await getTranslator();
  if (!bytes) return tooLargeState(t);
  const ctx = await renewalContext();
  const result = await confirmImport(ctx, {
    clusterId,
    file: bytes,
    expectedFingerprint: fingerprint,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
  if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
  revalidatePath(`/clusters/${clusterId}`);
  return renewedState(result.slc, locale, t, result.previousValidUntil);
}

async function decline(clusterId: string, fingerprint: string, actor: Actor): Promise<RenewState> {
  const { t } = await getTranslator();
  const ctx = await renewalContext();
  const result = await declineImport(ctx, {
    clusterId,
    fingerprint,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
  if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
  return { status: "declined", message: t("renew.declined") };
}

export const importStepAction = adminActionClient
  .metadata({ actionName: "importStepAction" })
  .inputSchema(formSchema(importStepSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<RenewState> => {
    switch (parsedInput.intent) {
      case "validate":
        return validate(parsedInput.clusterId, parsedInput.file, actor);
      case "confirm": {
        const bytes = new Uint8Array(Buffer.from(parsedInput.document, "base64"));
        return confirm(parsedInput.clusterId, bytes.length > MAX_UPLOAD_BYTES ? null : bytes, parsedInput.fingerprint, actor);
      }
      case "decline":
        return decline(parsedInput.clusterId, parsedInput.fingerprint, actor);
    }
  });
