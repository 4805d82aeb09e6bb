// The root error boundary's words in each language, without the i18n runtime: that boundary ships with every page, so
// it carries these sentences instead of the ICU formatter (error-messages.test.ts keeps them equal to the catalogues).
import { type Locale, resolveLocale } from "./locales";

interface ErrorMessages {
  generic: string;
  crossSite: string;
  tryAgain: string;
  serverErrorTitle: string;
  back: string;
  appTitle: string;
}

/** How proxy.ts's answer to a refused cross-site request begins; the error boundary recognises it and says what to check. */
export const CROSS_SITE_REFUSED = "Cross-site request refused";

export const ERROR_MESSAGES: Record<Locale, ErrorMessages> = {
  en: {
    generic: "Something went wrong on the server. Nothing was changed. Try again; if it happens again, check the console's log.",
    crossSite:
      "The console refused this form because the address in your browser is not the console's address, so nothing was changed. If you reach the console through a reverse proxy, the proxy must pass the Host the browser used (or X-Forwarded-Host and X-Forwarded-Proto, from an address in RMS_TRUSTED_PROXIES), or RMS_PUBLIC_URL must name this address. The console's log has the details.",
    tryAgain: "Try again",
    serverErrorTitle: "Server error",
    back: "Back to Global Administration",
    appTitle: "RMS Administration",
  },
  sv: {
    generic: "Något gick fel på servern. Inget ändrades. Försök igen; om det händer igen, kontrollera konsolens logg.",
    crossSite:
      "Konsolen avvisade formuläret eftersom adressen i webbläsaren inte är konsolens adress, så inget ändrades. Om du når konsolen via en omvänd proxy måste proxyn skicka vidare den Host som webbläsaren använde (eller X-Forwarded-Host och X-Forwarded-Proto, från en adress i RMS_TRUSTED_PROXIES), eller så måste RMS_PUBLIC_URL ange den här adressen. Konsolens logg har detaljerna.",
    tryAgain: "Försök igen",
    serverErrorTitle: "Serverfel",
    back: "Tillbaka till Global administration",
    appTitle: "RMS-administration",
  },
};

/** The messages for a page's `lang` (the root layout sets it to the negotiated locale). */
export function errorMessagesFor(lang: string): ErrorMessages {
  return ERROR_MESSAGES[resolveLocale(lang, null)];
}
