// The error boundary's copy of its messages cannot drift from the catalogues.
import { describe, expect, it } from "vitest";
import { ERROR_MESSAGES, errorMessagesFor } from "./error-messages";
import { LOCALES } from "./locales";
import { messagesFor } from "./messages";

describe("error boundary messages", () => {
  it("equal the catalogue entries in every language", () => {
    for (const locale of LOCALES) {
      const messages = messagesFor(locale);
      const { generic, crossSite, tryAgain, serverErrorTitle } = messages.error;
      const expected = { generic, crossSite, tryAgain, serverErrorTitle, back: messages.notFound.back, appTitle: messages.app.title };
      expect(ERROR_MESSAGES[locale], locale).toEqual(expected);
    }
  });

  it("follow the page's lang, English for anything else", () => {
    expect(errorMessagesFor("sv")).toBe(ERROR_MESSAGES.sv);
    expect(errorMessagesFor("en")).toBe(ERROR_MESSAGES.en);
    expect(errorMessagesFor("")).toBe(ERROR_MESSAGES.en);
  });
});
