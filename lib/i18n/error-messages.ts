// The root error boundary's words in each language, without the i18n runtime: that boundary ships with every page, so
// it carries these two sentences instead of the ICU formatter (error-messages.test.ts keeps them equal to the catalogues).
import { type Locale, resolveLocale } from "./locales";

interface ErrorMessages {
  generic: string;
  tryAgain: string;
}

export const ERROR_MESSAGES: Record<Locale, ErrorMessages> = {
  en: {
    generic: "Something went wrong on the server. Nothing was changed. Try again; if it happens again, check the console's log.",
    tryAgain: "Try again",
  },
  sv: {
    generic: "Något gick fel på servern. Inget ändrades. Försök igen; om det händer igen, kontrollera konsolens logg.",
    tryAgain: "Försök igen",
  },
};

/** The messages for a page's `lang` (the root layout sets it to the negotiated locale). */
export function errorMessagesFor(lang: string): ErrorMessages {
  return ERROR_MESSAGES[resolveLocale(lang, null)];
}
