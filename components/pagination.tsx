// Newer/older (or previous/next) page links with "page X of Y", for long tables.
import Link from "next/link";
import { linkClass } from "./breadcrumbs";

export function Pagination({
  label,
  page,
  pages,
  href,
  previous,
  next,
  status,
}: {
  label: string;
  page: number;
  pages: number;
  href: (page: number) => string;
  previous: string;
  next: string;
  status: string;
}) {
  if (pages <= 1) return null;
  return (
    <nav aria-label={label} className="mt-4 flex items-center justify-between text-sm">
      {page > 1 ? (
        <Link href={href(page - 1)} className={linkClass} rel="prev">
          {previous}
        </Link>
      ) : (
        <span />
      )}
      <span>{status}</span>
      {page < pages ? (
        <Link href={href(page + 1)} className={linkClass} rel="next">
          {next}
        </Link>
      ) : (
        <span />
      )}
    </nav>
  );
}
