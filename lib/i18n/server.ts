// Server-side locale: the language cookie if set, else the browser's Accept-Language.
import "server-only";
import { cookies, headers } from "next/headers";
import { isLocale, type Locale, negotiateLocale, type Translate, translator } from "./messages";

export const LOCALE_COOKIE = "rms_locale";

export async function getLocale(): Promise<Locale> {
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(chosen)) return chosen;
  return negotiateLocale((await headers()).get("accept-language"));
}

export async function getTranslator(): Promise<{ locale: Locale; t: Translate }> {
  const locale = await getLocale();
  return { locale, t: translator(locale) };
}
