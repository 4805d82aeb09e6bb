// A titled, labelled region of a page.
import type { ReactNode } from "react";
import { cn } from "./cn";

export function Card({
  title,
  id,
  children,
  actions,
  className,
}: {
  title: string;
  id: string;
  children: ReactNode;
  actions?: ReactNode;
  className?: string;
}) {
  return (
    <section aria-labelledby={id} className={cn("rounded-lg border border-slate-200 bg-white shadow-sm", className)}>
      <div className="flex items-center justify-between gap-4 border-b border-slate-200 px-5 py-3">
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {actions}
      </div>
      <div className="px-5 py-4">{children}</div>
    </section>
  );
}
