"use client";
// Language choice in the header; posts to a server action that sets the language cookie.
import { usePathname, useSearchParams } from "next/navigation";
import { setLocaleAction } from "@/lib/actions/auth/set-locale";
import type { Locale } from "@/lib/i18n/messages";

const NAMES: Record<Locale, string> = { en: "English", sv: "Svenska" };

export function LanguageSwitch({ locale, label }: { locale: Locale; label: string }) {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  const next = search ? `${pathname}?${search}` : pathname;
  return (
    <form action={setLocaleAction} aria-label={label} className="flex items-center gap-1">
      <input type="hidden" name="next" value={next} />
      {(Object.keys(NAMES) as Locale[]).map((code) => (
        <button
          key={code}
          type="submit"
          name="locale"
          value={code}
          lang={code}
          aria-pressed={code === locale}
          className={
            code === locale
              ? "rounded px-2 py-1 text-xs font-semibold text-white underline underline-offset-4"
              : "rounded px-2 py-1 text-xs text-brand-100 hover:bg-brand-700 hover:text-white"
          }
        >
          {NAMES[code]}
        </button>
      ))}
    </form>
  );
}
