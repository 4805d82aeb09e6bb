// Sign-in and setup: a layout of their own, so a header rendered for a console page (client navigation keeps shared
// layouts) never stays on screen with the old user's name.
import type { ReactNode } from "react";
import { ConsoleFrame } from "@/components/console-frame";

export default function PublicLayout({ children }: { children: ReactNode }) {
  return <ConsoleFrame actor={null}>{children}</ConsoleFrame>;
}
