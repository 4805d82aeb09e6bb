// The catalogues (messages/<locale>.json, ICU syntax) and translators over them.
import { createTranslator, type MessageKeys, type NestedKeyOf } from "use-intl/core";
import en from "@/messages/en.json" with { type: "json" };
import sv from "@/messages/sv.json" with { type: "json" };
import type { Locale } from "./locales";

export type Messages = typeof en;
/** Any full message key ("setup.weak"), for code that picks a message by key. */
export type MessageKey = MessageKeys<Messages, NestedKeyOf<Messages>>;

const CATALOGUES: Record<Locale, Messages> = { en, sv };

export function messagesFor(locale: Locale): Messages {
  return CATALOGUES[locale];
}

export type Translator = ReturnType<typeof createTranslator<Messages, never>>;

/** A translator outside a request (scripts, tests, the enrollment service): same catalogue, same ICU rules. */
export function translatorFor(locale: Locale): Translator {
  let t = translators.get(locale);
  if (!t) {
    t = createTranslator({ locale, messages: messagesFor(locale) });
    translators.set(locale, t);
  }
  return t;
}

// Built once per language: the enrollment service renders with these on every request.
const translators = new Map<Locale, Translator>();
