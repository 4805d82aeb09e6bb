// Rendered with HTTP 403 when forbidden() reaches the root (a server action or route refused a non-administrator and
// the browser renders the outcome). Pages do not get here: the console layout refuses before they render
// (app/(console)/layout.tsx), so the page is complete HTML without JavaScript too. In the root layout alone, so it
// brings the header and main landmark itself.
import { AccessDenied } from "@/components/access-denied";
import { ConsoleFrame } from "@/components/console-frame";
import { getActor } from "@/lib/console/auth/current";

export default async function Forbidden() {
  const actor = await getActor();
  return (
    <ConsoleFrame actor={actor}>
      <AccessDenied actor={actor} />
    </ConsoleFrame>
  );
}
