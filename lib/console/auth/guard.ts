// The one authorization gate: every page, server action and route handler passes through here on the server.
import "server-only";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { recordAudit } from "@/lib/console/audit/audit";
import { getDb } from "@/lib/console/db";
import { refererPath, signInPath } from "@/lib/console/safe-next-path";
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

/** Non-administrators get the 403 Access denied page, audited. */
async function requireAdministrator(actor: Actor, target: string): Promise<Actor> {
  if (!actor.isAdministrator) {
    await auditDenied(actor, target);
    forbidden();
  }
  return actor;
}

/**
 * For pages and plain links (GET downloads): without a session, to sign-in and back to `returnPath` afterwards
 * (sign-in says "Your session has ended" when the browser still had one); non-administrators get 403.
 */
export async function requireAdminPage(returnPath: string, target = returnPath): Promise<Actor> {
  const actor = await getActor();
  if (!actor) redirect(signInPath(returnPath));
  return requireAdministrator(actor, target);
}

/**
 * For layouts and page metadata, which must not throw (lib/platform/http/response-status.ts): the signed-in administrator, or
 * null without a session or for anyone else. Changes nothing and audits nothing; the page's own check does.
 */
export async function findAdministrator(): Promise<Actor | null> {
  const actor = await getActor();
  return actor?.isAdministrator ? actor : null;
}

/** The page title for an address that is refused or not there (the layout renders the page itself). */
export async function refusedTitleKey(): Promise<"denied.title" | "notFound.title"> {
  const actor = await getActor();
  return actor && !actor.isAdministrator ? "denied.title" : "notFound.title";
}

/**
 * For server actions: as for pages, returning to the page the action was called from (its Referer). Next's redirect
 * from an action navigates with JavaScript and answers a no-JS form post with 303, so both land on sign-in.
 */
export async function requireAdminAction(actionName: string): Promise<Actor> {
  const requestHeaders = await headers();
  return requireAdminPage(refererPath(requestHeaders.get("referer"), requestHeaders.get("host")), actionName);
}

/**
 * For route handlers fetched by script: null without a session (the caller answers 401 saying so, with the sign-in
 * address), the actor for administrators, 403 (audited) for anyone else.
 */
export async function findAdminRequest(target: string): Promise<Actor | null> {
  const actor = await getActor();
  return actor ? requireAdministrator(actor, target) : null;
}
