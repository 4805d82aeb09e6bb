// The one authorization gate: every page, server action and route handler passes through here on the server.
import "server-only";
import { forbidden, redirect, unauthorized } from "next/navigation";
import type { z } from "zod";
import { recordAudit } from "@/lib/audit/audit";
import { getDb } from "@/lib/db";
import { getTranslator } from "@/lib/i18n/server";
import { type Actor, getActor } from "./current";

async function auditDenied(actor: Actor, target: string): Promise<void> {
  await recordAudit(await getDb(), {
    actor: actor.qualifiedName,
    remoteAddress: actor.remoteAddress,
    action: "access_denied",
    outcome: "denied",
    details: { target },
  });
}

/** For pages: signed-out users go to sign-in, non-administrators get the 403 Access denied page. */
export async function requireAdminPage(path: string): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect(`/sign-in?next=${encodeURIComponent(path)}`);
  if (!actor.isAdministrator) {
    await auditDenied(actor, path);
    forbidden();
  }
  return actor;
}

/** For server actions and route handlers: 401 without a session, 403 (audited) for non-administrators. */
export async function requireAdminRequest(target: string): Promise<Actor> {
  const actor = await getActor();
  if (!actor) unauthorized();
  if (!actor.isAdministrator) {
    await auditDenied(actor, target);
    forbidden();
  }
  return actor;
}

export type ActionResult<T> = ({ ok: true } & T) | { ok: false; message: string; fieldErrors?: Record<string, string[]> };

/** Turns a FormData into a plain object (repeated keys become arrays) for zod to validate. */
export function formDataToObject(formData: FormData): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  const result: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith("$ACTION")) continue;
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else result[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

/**
 * Wraps a server action: session → administrator check → zod → handler. The handler gets validated input
 * and the actor; invalid input returns a typed error and changes nothing.
 */
export function adminAction<Schema extends z.ZodType, T>(
  name: string,
  schema: Schema,
  handler: (input: z.output<Schema>, actor: Actor) => Promise<ActionResult<T>>,
): (previous: unknown, formData: FormData) => Promise<ActionResult<T>> {
  return async (_previous, formData) => {
    const actor = await requireAdminRequest(name);
    const parsed = formData instanceof FormData ? schema.safeParse(formDataToObject(formData)) : undefined;
    if (!parsed?.success) {
      const { t } = await getTranslator();
      return { ok: false, message: t("error.badRequest") };
    }
    return handler(parsed.data, actor);
  };
}
