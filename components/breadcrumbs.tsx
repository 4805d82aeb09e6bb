// The path from Global Administration to the current page.
import Link from "next/link";
import { Fragment } from "react";

export const linkClass = "font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800";

export function Breadcrumbs({ label, trail, current }: { label: string; trail: Array<{ href: string; text: string }>; current: string }) {
  return (
    <nav aria-label={label} className="mb-2 text-sm">
      {trail.map((step) => (
        <Fragment key={step.href}>
          <Link href={step.href} className={linkClass}>
            {step.text}
          </Link>
          <span aria-hidden="true" className="px-2 text-slate-400">
            /
          </span>
        </Fragment>
      ))}
      <span aria-current="page">{current}</span>
    </nav>
  );
}
