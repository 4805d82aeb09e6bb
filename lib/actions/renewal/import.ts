"use server";
// Renew → Browse → Import, then Yes or No: validate the chosen SLC file, install it on Yes, audit every decision.
import { revalidatePath } from "next/cache";
import { adminAction } from "@/lib/auth/guard";
import { getTranslator } from "@/lib/i18n/server";
import { confirmImport, declineImport, validateImport } from "@/lib/renewal/offline";
import { renewalContext } from "@/lib/renewal/server-context";
import { confirmImportSchema, declineImportSchema, importFileSchema } from "./schemas";
import { checkViews, failureState, MAX_UPLOAD_BYTES, type RenewState, renewedState, slcView, tooLargeState } from "./view";

async function readUpload(file: File): Promise<Uint8Array | null> {
  if (file.size > MAX_UPLOAD_BYTES) return null;
  return new Uint8Array(await file.arrayBuffer());
}

const validate = adminAction("validateImportAction", importFileSchema, async (input, actor) => {
  const { locale, t } = await getTranslator();
  const bytes = await readUpload(input.file);
  if (!bytes) return { ok: true, state: tooLargeState(t) };
  const ctx = await renewalContext();
  const result = await validateImport(ctx, {
    clusterId: input.clusterId,
    file: bytes,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
  if (!result.ok) return { ok: true, state: failureState(result, t, ctx.enrollmentUrl) };
  return {
    ok: true,
    state: { status: "validated", slc: slcView(result.slc, locale), checks: checkViews(result.checks, t) } satisfies RenewState,
  };
});

const confirm = adminAction("confirmImportAction", confirmImportSchema, async (input, actor) => {
  const { locale, t } = await getTranslator();
  const bytes = await readUpload(input.file);
  if (!bytes) return { ok: true, state: tooLargeState(t) };
  const ctx = await renewalContext();
  const result = await confirmImport(ctx, {
    clusterId: input.clusterId,
    file: bytes,
    expectedFingerprint: input.fingerprint,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
  if (!result.ok) return { ok: true, state: failureState(result, t, ctx.enrollmentUrl) };
  revalidatePath(`/clusters/${input.clusterId}`);
  return { ok: true, state: renewedState(result.slc, locale, t) };
});

const decline = adminAction("declineImportAction", declineImportSchema, async (input, actor) => {
  const { t } = await getTranslator();
  const ctx = await renewalContext();
  const result = await declineImport(ctx, {
    clusterId: input.clusterId,
    fingerprint: input.fingerprint,
    actor: { name: actor.qualifiedName, remoteAddress: actor.remoteAddress },
  });
  if (!result.ok) return { ok: true, state: failureState(result, t, ctx.enrollmentUrl) };
  return { ok: true, state: { status: "declined", message: t("renew.declined") } satisfies RenewState };
});

export async function validateImportAction(previous: RenewState, formData: FormData): Promise<RenewState> {
  const result = await validate(previous, formData);
  return result.ok ? result.state : { status: "error", message: result.message };
}

export async function confirmImportAction(previous: RenewState, formData: FormData): Promise<RenewState> {
  const result = await confirm(previous, formData);
  return result.ok ? result.state : { status: "error", message: result.message };
}

export async function declineImportAction(previous: RenewState, formData: FormData): Promise<RenewState> {
  const result = await decline(previous, formData);
  return result.ok ? result.state : { status: "error", message: result.message };
}
