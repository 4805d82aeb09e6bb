// Labels for client components: plain messages only, translated on the server; templates filled with a plain replace.
import { describe, expect, it } from "vitest";
import { fillTemplate, labelsFor, templateOf } from "./labels";
import { translatorFor } from "./messages";

describe("labels for client components", () => {
  it("translates plain messages under their catalogue keys", () => {
    expect(labelsFor(translatorFor("sv"), ["signIn.userName", "error.tryAgain"])).toEqual({
      "signIn.userName": translatorFor("sv")("signIn.userName"),
      "error.tryAgain": "Försök igen",
    });
  });

  it("refuses a message with placeholders (it needs its values)", () => {
    expect(() => labelsFor(translatorFor("en"), ["renew.exported"])).toThrow(/renew\.exported/);
  });

  it("leaves a template's placeholder for the browser, which fills it literally", () => {
    const t = translatorFor("en");
    const exported = templateOf((values) => t("renew.exported", values), "file");
    expect(exported).toContain("{file}");
    expect(fillTemplate(exported, "file", "a$&b.xml")).toBe(t("renew.exported", { file: "a$&b.xml" }));
  });
});
