// The console's header: product name, who is signed in (SERVER\user), sign-out and language.
import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { signOutAction } from "@/lib/console/actions/auth/sign-out";
import type { Actor } from "@/lib/console/auth/current";
import { LanguageSwitch } from "./language-switch";

export async function SiteHeader({ actor }: { actor: Actor | null }) {
  const [locale, t] = await Promise.all([getLocale(), getTranslations()]);
  return (
    <header className="bg-brand-800 text-white shadow">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-4 px-6 py-3">
        <Link href="/" className="flex items-center gap-2 text-lg font-semibold tracking-tight">
          <svg aria-hidden="true" viewBox="0 0 24 24" className="h-6 w-6 fill-none stroke-current" strokeWidth="2">
            <path d="M12 3l8 4v5c0 5-3.5 8-8 9-4.5-1-8-4-8-9V7l8-4z" />
            <path d="M9 12l2 2 4-4" />
          </svg>
          {t("app.title")}
        </Link>
        <div className="flex flex-wrap items-center gap-4 text-sm">
          <LanguageSwitch locale={locale} label={t("header.language")} />
          {actor && (
            <>
              <span>
                <span className="sr-only">{t("header.signedInAs")} </span>
                <span className="font-mono" data-testid="signed-in-user">
                  {actor.qualifiedName}
                </span>
              </span>
              <form action={signOutAction}>
                <button type="submit" className="rounded-md border border-brand-100/60 px-3 py-1 text-sm font-medium hover:bg-brand-700">
                  {t("header.signOut")}
                </button>
              </form>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
