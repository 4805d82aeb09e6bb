// The catalogues (messages/<locale>.json, ICU syntax) and the subset helper for client providers.
import { createTranslator, type MessageKeys, type NestedKeyOf } from "use-intl/core";
import en from "@/messages/en.json" with { type: "json" };
import sv from "@/messages/sv.json" with { type: "json" };
import type { Locale } from "./locales";

export type Messages = typeof en;
export type Namespace = keyof Messages;
/** Any full message key ("setup.weak"), for code that picks a message by key. */
export type MessageKey = MessageKeys<Messages, NestedKeyOf<Messages>>;

const CATALOGUES: Record<Locale, Messages> = { en, sv };

export function messagesFor(locale: Locale): Messages {
  return CATALOGUES[locale];
}

/** Only the namespaces a client component needs, so a page does not ship the whole catalogue. */
export function pickMessages<N extends Namespace>(messages: Messages, namespaces: readonly N[]): Pick<Messages, N> {
  const picked: Partial<Pick<Messages, N>> = {};
  for (const namespace of namespaces) picked[namespace] = messages[namespace];
  return picked as Pick<Messages, N>;
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
