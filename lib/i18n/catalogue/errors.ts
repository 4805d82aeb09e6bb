// The messages of the error boundary, kept apart so the client bundle of every page carries only these.
const en = {
  "error.generic": "Something went wrong on the server. Nothing was changed. Try again; if it happens again, check the console's log.",
  "error.badRequest": "The request was not valid. Reload the page and try again.",
  "error.tryAgain": "Try again",
} as const;

const sv: Record<keyof typeof en, string> = {
  "error.generic": "Något gick fel på servern. Inget ändrades. Försök igen; om det händer igen, kontrollera konsolens logg.",
  "error.badRequest": "Begäran var inte giltig. Läs in sidan igen och försök på nytt.",
  "error.tryAgain": "Försök igen",
};

export const errorMessages = { en, sv };
