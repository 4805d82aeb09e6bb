// The one server-action client: zod input, a generic message for unexpected errors, and the administrator gate as middleware.
import "server-only";
import { createSafeActionClient, flattenValidationErrors } from "next-safe-action";
import { z } from "zod";
import { requireAdminAction } from "@/lib/console/auth/guard";
import type { MessageKey } from "@/lib/platform/i18n/messages";
import { getTranslator } from "@/lib/platform/i18n/server";

/**
 * Unexpected errors are logged and answered with one generic sentence, so internals never reach the browser.
 * Next's redirect/forbidden/unauthorized interrupts are rethrown by next-safe-action before this runs.
 */
export const actionClient = createSafeActionClient({
  defineMetadataSchema: () => z.object({ actionName: z.string() }),
  defaultValidationErrorsShape: "flattened",
  handleServerError: async (error, { metadata }) => {
    console.error(`server action ${metadata?.actionName ?? "?"} failed:`, error);
    const { t } = await getTranslator();
    return t("error.generic");
  },
});

/**
 * Session → administrator check before validation: an ended session goes to sign-in (and back to the page), others
 * get 403 (audited); the handler gets the actor as ctx.actor.
 */
export const adminActionClient = actionClient.use(async ({ next, metadata }) => {
  const actor = await requireAdminAction(metadata.actionName);
  return next({ ctx: { actor } });
});

/** Turns a FormData into a plain object (repeated keys become arrays) for zod to validate. */
function formDataToObject(formData: FormData): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  const result: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith("$ACTION")) continue;
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else result[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

/** A schema for a form post: the FormData becomes an object first, then `schema` validates it. */
export function formSchema<Schema extends z.ZodType>(schema: Schema) {
  return z.preprocess((value) => (value instanceof FormData ? formDataToObject(value) : value), schema);
}

type FlattenedInput = Parameters<typeof flattenValidationErrors>[0];
export interface FormErrors {
  formErrors: string[];
  fieldErrors: Partial<Record<string, string[]>>;
}

/**
 * Validation errors in the user's language: one sentence per visible field that failed (shown next to it),
 * and one form-level sentence for anything else (hidden fields, cross-field checks without a path).
 */
export function localizedErrors(opts: { fields?: Partial<Record<string, MessageKey>>; form?: MessageKey }) {
  return async (validationErrors: FlattenedInput): Promise<FormErrors> => {
    const { t } = await getTranslator();
    const flat = flattenValidationErrors(validationErrors);
    const fieldErrors: Partial<Record<string, string[]>> = {};
    let formFailed = flat.formErrors.length > 0;
    for (const [field, messages] of Object.entries<unknown>(flat.fieldErrors)) {
      if (!Array.isArray(messages) || messages.length === 0) continue;
      const key = opts.fields?.[field];
      if (key) fieldErrors[field] = [t(key)];
      else formFailed = true;
    }
    return { formErrors: formFailed ? [t(opts.form ?? "error.badRequest")] : [], fieldErrors };
  };
}
