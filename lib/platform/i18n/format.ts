// Dates as every page shows them ("25 November 2026 at 14:20 UTC"), always in UTC so servers and tests agree.
import type { Locale } from "./locales";

const DATE_LOCALES: Record<Locale, string> = { en: "en-GB", sv: "sv-SE" };

// Intl formatters are costly to build and pages format many dates: one of each per language.
const dateTimeFormats = new Map<Locale, Intl.DateTimeFormat>();
const dateFormats = new Map<Locale, Intl.DateTimeFormat>();

function formatter(cache: Map<Locale, Intl.DateTimeFormat>, locale: Locale, options: Intl.DateTimeFormatOptions) {
  let format = cache.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(DATE_LOCALES[locale], { ...options, timeZone: "UTC" });
    cache.set(locale, format);
  }
  return format;
}

export function formatDateTime(locale: Locale, date: Date): string {
  return `${formatter(dateTimeFormats, locale, { dateStyle: "long", timeStyle: "short" }).format(date)} UTC`;
}

export function formatDate(locale: Locale, date: Date): string {
  return formatter(dateFormats, locale, { dateStyle: "long" }).format(date);
}
