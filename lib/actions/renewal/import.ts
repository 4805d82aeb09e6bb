"use server";
// Renew → Browse → Import, then Yes or No: validate the chosen SLC file, install it on Yes, audit every decision.
import { revalidatePath } from "next/cache";
import { getTranslator } from "@/lib/i18n/server";
import { confirmImport, declineImport, validateImport } from "@/lib/renewal/offline";
import { renewalContext } from "@/lib/renewal/server-context";
import { adminActionClient, formSchema, localizedErrors } from "../safe-action";
import { confirmImportSchema, declineImportSchema, importFileSchema } from "./schemas";
import { checkViews, failureState, MAX_UPLOAD_BYTES, type RenewState, renewedState, slcView, tooLargeState } from "./view";

async function readUpload(file: File): Promise<Uint8Array | null> {
  if (file.size > MAX_UPLOAD_BYTES) return null;
  return new Uint8Array(await file.arrayBuffer());
}

export const validateImportAction = adminActionClient
  .metadata({ actionName: "validateImportAction" })
  .inputSchema(formSchema(importFileSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<RenewState> => {
    const { locale, t } = await getTranslator();
    const bytes = await readUpload(parsedInput.file);
    if (!bytes) return tooLargeState(t);
    const ctx = await renewalContext();
    const result = await validateImport(ctx, {
      clusterId: parsedInput.clusterId,
      file: bytes,
      actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
    });
    if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
    return { status: "validated", slc: slcView(result.slc, locale), checks: checkViews(result.checks, t) };
  });

export const confirmImportAction = adminActionClient
  .metadata({ actionName: "confirmImportAction" })
  .inputSchema(formSchema(confirmImportSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<RenewState> => {
    const { locale, t } = await getTranslator();
    const bytes = await readUpload(parsedInput.file);
    if (!bytes) return tooLargeState(t);
    const ctx = await renewalContext();
    const result = await confirmImport(ctx, {
      clusterId: parsedInput.clusterId,
      file: bytes,
      expectedFingerprint: parsedInput.fingerprint,
      actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
    });
    if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
    revalidatePath(`/clusters/${parsedInput.clusterId}`);
    return renewedState(result.slc, locale, t);
  });

export const declineImportAction = adminActionClient
  .metadata({ actionName: "declineImportAction" })
  .inputSchema(formSchema(declineImportSchema), { handleValidationErrorsShape: localizedErrors({}) })
  .stateAction(async ({ parsedInput, ctx: { actor } }): Promise<RenewState> => {
    const { t } = await getTranslator();
    const ctx = await renewalContext();
    const result = await declineImport(ctx, {
      clusterId: parsedInput.clusterId,
      fingerprint: parsedInput.fingerprint,
      actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
    });
    if (!result.ok) return failureState(result, t, ctx.enrollmentUrl);
    return { status: "declined", message: t("renew.declined") };
  });
