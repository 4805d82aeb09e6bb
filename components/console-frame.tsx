// The header and the main landmark around every page; the signed-in name only where it is passed in.
import type { ReactNode } from "react";
import type { Actor } from "@/lib/console/auth/current";
import { SiteHeader } from "./site-header";

export function ConsoleFrame({ actor, children }: { actor: Actor | null; children: ReactNode }) {
  return (
    <>
      <SiteHeader actor={actor} />
      <main id="main" className="mx-auto max-w-6xl px-6 py-8">
        {children}
      </main>
    </>
  );
}
