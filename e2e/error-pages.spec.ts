// Access denied (403) and Not found (404) are complete pages from the server — header, heading,
// message and the way on — the same with and without JavaScript, in English and Swedish, with their HTTP status. Next
// 16 used to send them as an empty `<html id="__next_error__">` (the content only in the RSC payload) when a page threw
// forbidden() or notFound(); the console's layouts now answer first (lib/platform/http/response-status.ts).
import fs from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, expect, type Page, type Response, test } from "@playwright/test";
import { expectAccessible } from "./support/console";
import { addSavedSignIn, shot } from "./support/session";
import { readState } from "./support/stack";

const artifacts = path.join("test-results", "error-pages");

const WORDS = {
  en: {
    acceptLanguage: "en-GB,en;q=0.9",
    userName: "User name",
    password: "Password",
    signIn: "Sign in",
    signOut: "Sign out",
    denied: "Access denied",
    deniedBody: "is not a member of Administrators or Domain Admins on this server",
    signInOther: "Sign in with another account",
    notFound: "Not found",
    notFoundBody: "The page or item you asked for does not exist.",
    back: "Back to Global Administration",
    globalAdministration: "Global Administration",
    auditedRefusal: "Was refused access to /settings",
  },
  sv: {
    acceptLanguage: "sv-SE,sv;q=0.9",
    userName: "Användarnamn",
    password: "Lösenord",
    signIn: "Logga in",
    signOut: "Logga ut",
    denied: "Åtkomst nekad",
    deniedBody: "är inte medlem i Administratörer eller Domänadministratörer på den här servern",
    signInOther: "Logga in med ett annat konto",
    notFound: "Hittades inte",
    notFoundBody: "Sidan eller objektet du bad om finns inte.",
    back: "Tillbaka till Global administration",
    globalAdministration: "Global administration",
    auditedRefusal: "Nekades åtkomst till /settings",
  },
} as const;
type Language = keyof typeof WORDS;

async function newContext(browser: Browser, language: Language, javaScriptEnabled: boolean): Promise<BrowserContext> {
  return browser.newContext({
    javaScriptEnabled,
    locale: language === "en" ? "en-GB" : "sv-SE",
    timezoneId: "UTC",
    extraHTTPHeaders: { "Accept-Language": WORDS[language].acceptLanguage },
  });
}

/** Signs in by the sign-in page's labels in `language`. */
async function signIn(page: Page, who: "admin" | "user", language: Language): Promise<void> {
  const account = readState()[who];
  const words = WORDS[language];
  await page.goto("/sign-in");
  await page.getByLabel(words.userName).fill(account.userName);
  await page.getByLabel(words.password).fill(account.password);
  await page.getByRole("button", { name: words.signIn, exact: true }).click();
  await expect(page.getByRole("button", { name: words.signOut })).toBeVisible();
}

/** The server's HTML itself (not what a script made of it): the heading and message are in the body as sent. */
async function expectServerHtml(response: Response | null, texts: string[]): Promise<void> {
  expect(response, "the page's response").not.toBeNull();
  const html = (await response?.text()) ?? "";
  expect(html).not.toContain('id="__next_error__"');
  for (const text of texts) expect(html).toContain(text);
}

test.beforeAll(() => {
  fs.mkdirSync(artifacts, { recursive: true });
});

for (const javaScriptEnabled of [false, true]) {
  for (const language of ["en", "sv"] as const) {
    const words = WORDS[language];
    const mode = javaScriptEnabled ? "js" : "nojs";

    test.describe(`${language}, ${javaScriptEnabled ? "with" : "without"} JavaScript`, () => {
      test("a signed-in user outside the administrators' groups: Access denied (403), complete, with the way on", async ({ browser }) => {
        const context = await newContext(browser, language, javaScriptEnabled);
        try {
          const page = await context.newPage();
          await signIn(page, "user", language);
          const { user } = readState();
          for (const address of ["/", "/settings", "/audit"]) {
            const response = await page.goto(address);
            expect(response?.status(), address).toBe(403);
            await expectServerHtml(response, [words.denied, words.signInOther]);
            await expect(page.getByRole("banner")).toBeVisible();
            await expect(page.getByRole("main").getByRole("heading", { level: 1, name: words.denied })).toBeVisible();
            await expect(page.getByRole("main")).toContainText(words.deniedBody);
            await expect(page.getByRole("main")).toContainText(user.userName);
            await expect(page.getByRole("main").getByRole("button", { name: words.signInOther })).toBeVisible();
          }
          await page.screenshot(shot(`access-denied-${language}-${mode}`));
          await page.setViewportSize({ width: 390, height: 844 });
          await page.screenshot(shot(`access-denied-${language}-${mode}-390`));
          // axe runs in the page, so with JavaScript; the HTML is the same without (checked above).
          if (javaScriptEnabled) await expectAccessible(page);
          // The way on: this account is signed out, and sign-in takes the other one.
          await page.getByRole("main").getByRole("button", { name: words.signInOther }).click();
          await expect(page).toHaveURL(/\/sign-in$/);
          await expect(page.getByRole("heading", { level: 1, name: words.signIn })).toBeVisible();
          await signIn(page, "admin", language);
          await expect(page.getByRole("heading", { level: 1, name: words.globalAdministration })).toBeVisible();
          // The refusal is still audited by the page's own check, with the address asked for.
          await page.goto("/audit");
          await expect(page.getByText(words.auditedRefusal).first()).toBeVisible();
        } finally {
          await context.close();
        }
      });

      test("an unknown or malformed address: Not found (404), complete, back to Global Administration", async ({ browser }) => {
        const context = await newContext(browser, language, javaScriptEnabled);
        try {
          // The sign-in project's session: each page below shows the header's Sign out.
          await addSavedSignIn(context, "admin");
          const page = await context.newPage();
          const unknown = "00000000-0000-4000-8000-000000000000";
          const addresses = [
            `/clusters/${unknown}`,
            "/clusters/not-a-uuid",
            `/clusters/${unknown}/history`,
            `/clusters/${unknown}/certificates/${unknown}`,
            `/web-sites/${unknown}/provision`,
            "/no-such-page",
          ];
          for (const address of addresses) {
            const response = await page.goto(address);
            expect(response?.status(), address).toBe(404);
            await expectServerHtml(response, [words.notFound, words.back]);
            await expect(page.getByRole("banner").getByRole("button", { name: words.signOut })).toBeVisible();
            await expect(page.getByRole("main").getByRole("heading", { level: 1, name: words.notFound })).toBeVisible();
            await expect(page.getByRole("main")).toContainText(words.notFoundBody);
            await expect(page.getByRole("main").getByRole("link", { name: words.back })).toHaveAttribute("href", "/");
          }
          await page.goto(`/clusters/${unknown}`);
          await page.screenshot(shot(`not-found-${language}-${mode}`));
          await page.setViewportSize({ width: 390, height: 844 });
          await page.screenshot(shot(`not-found-${language}-${mode}-390`));
          if (javaScriptEnabled) await expectAccessible(page);
          await page.getByRole("main").getByRole("link", { name: words.back }).click();
          await expect(page.getByRole("heading", { level: 1, name: words.globalAdministration })).toBeVisible();
        } finally {
          await context.close();
        }
      });
    });
  }
}
