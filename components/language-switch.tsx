// Language choice in the header: a plain form (no client JavaScript) posting to the set-locale server action.
import { setLocaleAction } from "@/lib/console/actions/auth/set-locale";
import type { Locale } from "@/lib/platform/i18n/locales";

const NAMES: Record<Locale, string> = { en: "English", sv: "Svenska" };

export function LanguageSwitch({ locale, label }: { locale: Locale; label: string }) {
  return (
    <form action={setLocaleAction} aria-label={label} className="flex items-center gap-1">
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
