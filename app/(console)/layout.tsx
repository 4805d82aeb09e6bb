// The console's pages: the header names who is signed in and offers Sign out. A signed-in account outside the
// administrators' groups is refused here, before any page renders: Access denied as complete HTML with status 403 (a
// forbidden() thrown by the page itself would reach the browser as an empty shell without JavaScript — see
// lib/platform/http/response-status.ts). The pages keep their own check (lib/console/auth/guard.ts), which also audits the refusal.
import type { ReactNode } from "react";
import { AccessDenied } from "@/components/access-denied";
import { ConsoleFrame } from "@/components/console-frame";
import { getActor } from "@/lib/console/auth/current";
import { setResponseStatus } from "@/lib/platform/http/response-status";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const actor = await getActor();
  if (actor && !actor.isAdministrator) {
    setResponseStatus(403);
    return (
      <ConsoleFrame actor={actor}>
        <AccessDenied actor={actor} />
      </ConsoleFrame>
    );
  }
  return <ConsoleFrame actor={actor}>{children}</ConsoleFrame>;
}
