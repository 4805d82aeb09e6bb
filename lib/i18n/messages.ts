// The one message catalogue: every feature's labels merged, looked up by key with {name} placeholders.
import { certificateMessages } from "./catalogue/certificates";
import { consoleMessages } from "./catalogue/console";
import { errorMessages } from "./catalogue/errors";

export const LOCALES = ["en", "sv"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

const catalogue = {
  en: { ...consoleMessages.en, ...certificateMessages.en, ...errorMessages.en },
  sv: { ...consoleMessages.sv, ...certificateMessages.sv, ...errorMessages.sv },
} satisfies Record<Locale, Record<string, string>>;

export type MessageKey = keyof (typeof catalogue)["en"];
export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

export function isMessageKey(value: string): value is MessageKey {
  return Object.hasOwn(catalogue.en, value);
}

export function translator(locale: Locale): Translate {
  const messages: Record<MessageKey, string> = catalogue[locale];
  return (key, params) => {
    const template = messages[key];
    if (!params) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(params, name) ? String(params[name]) : whole));
  };
}

/** Picks the best supported language from an Accept-Language header (q-values honoured). */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranked = acceptLanguage
    .split(",")
    .slice(0, 20)
    .map((part, index) => {
      const [tag = "", ...rest] = part.trim().split(";");
      const q = rest.map((r) => r.trim()).find((r) => r.startsWith("q="));
      const weight = q ? Number.parseFloat(q.slice(2)) : 1;
      return { base: tag.toLowerCase().split("-")[0] ?? "", weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((r) => r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  return ranked.map((r) => r.base).find(isLocale) ?? DEFAULT_LOCALE;
}

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
