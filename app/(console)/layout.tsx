// The console's pages: the header names who is signed in and offers Sign out.
import type { ReactNode } from "react";
import { ConsoleFrame } from "@/components/console-frame";
import { getActor } from "@/lib/auth/current";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  return <ConsoleFrame actor={await getActor()}>{children}</ConsoleFrame>;
}
