// An address no route matches: rendered in the root layout alone, so it brings the header and main landmark itself.
import { ConsoleFrame } from "@/components/console-frame";
import { NotFoundNotice } from "@/components/not-found-notice";
import { getActor } from "@/lib/console/auth/current";

export default async function NotFound() {
  return (
    <ConsoleFrame actor={await getActor()}>
      <NotFoundNotice />
    </ConsoleFrame>
  );
}
