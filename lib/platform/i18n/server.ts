// Server-side locale: the language cookie if set, else the browser's Accept-Language (next-intl asks here per request).
import "server-only";
import { cookies, headers } from "next/headers";
import { getLocale, getTranslations } from "next-intl/server";
import { LOCALE_COOKIE, type Locale, resolveLocale } from "./locales";
import type { Translator } from "./messages";

export async function negotiateRequestLocale(): Promise<Locale> {
  return resolveLocale((await cookies()).get(LOCALE_COOKIE)?.value, (await headers()).get("accept-language"));
}

/** The request's language and translator, for server actions and route handlers that build messages. */
export async function getTranslator(): Promise<{ locale: Locale; t: Translator }> {
  const [locale, t] = await Promise.all([getLocale(), getTranslations()]);
  return { locale, t };
}
