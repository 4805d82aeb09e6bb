// The one authorization gate: every page, server action and route handler passes through here on the server.
import "server-only";
import { forbidden, redirect, unauthorized } from "next/navigation";
import { recordAudit } from "@/lib/audit/audit";
import { getDb } from "@/lib/db";
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
