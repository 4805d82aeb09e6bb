// Client components get their words translated on the server, as plain strings: no i18n runtime ships to the browser.
import type { MessageKey } from "./messages";

/** Catalogue messages without placeholders, translated on the server for a client component, keyed as in the catalogue. */
export type Labels<K extends MessageKey> = Readonly<Record<K, string>>;

/** Translates `keys` (messages without ICU placeholders) with the request's translator, for a client component's props. */
export function labelsFor<const K extends MessageKey>(t: { (key: K): string; raw(key: K): unknown }, keys: readonly K[]): Labels<K> {
  const labels: Partial<Record<K, string>> = {};
  for (const key of keys) {
    // A message with placeholders needs its values: format it where they are known and pass it on by itself.
    const raw = t.raw(key);
    if (typeof raw !== "string" || raw.includes("{")) throw new Error(`${key} is not a plain message`);
    labels[key] = t(key);
  }
  return labels as Labels<K>;
}

/**
 * A message formatted on the server with one value the browser only learns later left in as "{name}" (a file name
 * from a response), which the client fills in with a plain replace.
 */
export type Template<P extends string> = string & { readonly placeholder?: P };

export function templateOf<P extends string>(format: (values: Record<P, string>) => string, placeholder: P): Template<P> {
  return format({ [placeholder]: `{${placeholder}}` } as Record<P, string>);
}

export function fillTemplate<P extends string>(template: Template<P>, placeholder: P, value: string): string {
  return template.replace(`{${placeholder}}`, () => value);
}
