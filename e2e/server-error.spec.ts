// Every other error page: a page that fails on the server (500) is a complete page from the server —
// header, heading, what happened, the way on (Try again, Back to Global Administration) — the same with and without
// JavaScript, in English and Swedish. The failure is a real one, with no trigger in the product: a console of its own
// (its own data folder, the stack's enrollment service) whose database lost the notification settings' table (as a
// partial restore or a hand-made change would leave it). Every other page works, so the way on is followed for real;
// the Settings page cannot be read and fails on the server, whichever way it is reached.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
import { sql } from "drizzle-orm";
import { openDatabase } from "@/lib/platform/db/client";
import { untilHydrated } from "../tests/support/browser-actions";
import { E2E_PORTS } from "../tests/support/e2e-state";
import {
  type ConsoleOptions,
  consoleEnv,
  enrollmentRootPath,
  runCli,
  type Started,
  startConsole,
  terminateGroup,
  waitForGroupGone,
  writeTrustAnchors,
} from "../tests/support/processes";
import { expectAccessible } from "./support/console";
import { shot } from "./support/session";
import { readState } from "./support/stack";

const ADMIN = { userName: "erin", password: "Serv3r-Err0r-Passw0rd!" };

const WORDS = {
  en: {
    acceptLanguage: "en-GB,en;q=0.9",
    userName: "User name",
    password: "Password",
    signIn: "Sign in",
    signOut: "Sign out",
    title: "Server error",
    body: "Something went wrong on the server. Nothing was changed.",
    tryAgain: "Try again",
    back: "Back to Global Administration",
    appTitle: "RMS Administration",
    globalAdministration: "Global Administration",
  },
  sv: {
    acceptLanguage: "sv-SE,sv;q=0.9",
    userName: "Användarnamn",
    password: "Lösenord",
    signIn: "Logga in",
    signOut: "Logga ut",
    title: "Serverfel",
    body: "Något gick fel på servern. Inget ändrades.",
    tryAgain: "Försök igen",
    back: "Tillbaka till Global administration",
    appTitle: "RMS-administration",
    globalAdministration: "Global administration",
  },
} as const;
type Language = keyof typeof WORDS;

let damaged: (Started & { url: string }) | undefined;
let dataDir: string | undefined;

test.beforeAll(async () => {
  // A migration and a console start: as long as the Active Directory walkthrough's console of its own.
  test.setTimeout(240_000);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-e2e-500-"));
  const options: ConsoleOptions = {
    dataDir,
    // The next port after the stack's console and enrollment service (the reverse proxy takes console + 43).
    port: E2E_PORTS.console + 2,
    enrollmentUrl: readState().enrollmentUrl,
    trustRoots: [enrollmentRootPath(readState().dataDir)],
    sweep: false,
    logName: "console-500.log",
  };
  writeTrustAnchors(options);
  // The CLI migrates the new database as it creates the administrator.
  runCli(
    consoleEnv(options),
    ["user", "add", ADMIN.userName, "--group", "Administrators", "--password-stdin", "--create"],
    `${ADMIN.password}\n`,
  );
  const handle = await openDatabase({ dataDir });
  try {
    await handle.db.execute(sql`ALTER TABLE notification_settings RENAME TO notification_settings_lost`);
  } finally {
    await handle.close();
  }
  damaged = await startConsole(options);
});

test.afterAll(async () => {
  if (damaged) {
    terminateGroup(damaged.pid);
    await waitForGroupGone(damaged.pid, 15_000);
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

async function newContext(browser: Browser, language: Language, javaScriptEnabled: boolean): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: damaged?.url,
    javaScriptEnabled,
    locale: language === "en" ? "en-GB" : "sv-SE",
    timezoneId: "UTC",
    extraHTTPHeaders: { "Accept-Language": WORDS[language].acceptLanguage },
  });
}

async function signIn(page: Page, language: Language): Promise<void> {
  const words = WORDS[language];
  await page.goto("/sign-in");
  await page.getByLabel(words.userName).fill(ADMIN.userName);
  await page.getByLabel(words.password).fill(ADMIN.password);
  await page.getByRole("button", { name: words.signIn, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: words.globalAdministration })).toBeVisible();
}

/** The complete 500 page as the browser shows it: header, heading, message, the way on. */
async function expectServerErrorPage(page: Page, language: Language, address: string): Promise<void> {
  const words = WORDS[language];
  await expect(page.locator("html")).toHaveAttribute("lang", language);
  await expect(page.getByRole("banner").getByRole("link", { name: words.appTitle })).toHaveAttribute("href", "/");
  await expect(page.getByRole("main").getByRole("heading", { level: 1, name: words.title })).toBeVisible();
  await expect(page.getByRole("alert")).toContainText(words.body);
  await expect(page.getByRole("main").getByRole("link", { name: words.tryAgain })).toHaveAttribute("href", address);
  await expect(page.getByRole("main").getByRole("link", { name: words.back })).toHaveAttribute("href", "/");
  await expect(page).toHaveTitle(`${words.title} – ${words.appTitle}`);
}

for (const javaScriptEnabled of [false, true]) {
  for (const language of ["en", "sv"] as const) {
    const words = WORDS[language];
    const mode = javaScriptEnabled ? "js" : "nojs";
    test(`a page that fails on the server: Server error (500), complete, with the way on — ${language}, ${javaScriptEnabled ? "with" : "without"} JavaScript`, async ({
      browser,
    }) => {
      const context = await newContext(browser, language, javaScriptEnabled);
      try {
        const page = await context.newPage();
        await signIn(page, language);
        const response = await page.goto("/settings");
        expect(response?.status()).toBe(500);
        // The server's HTML itself, not what a script made of it: no framework shell, nothing that needs a script.
        const html = (await response?.text()) ?? "";
        expect(html).not.toContain('id="__next_error__"');
        expect(html).not.toContain("<script");
        for (const text of [words.title, words.body, words.tryAgain, words.back]) expect(html).toContain(text);
        await expectServerErrorPage(page, language, "/settings");
        await page.screenshot(shot(`server-error-${language}-${mode}`));
        await page.setViewportSize({ width: 390, height: 844 });
        await expectServerErrorPage(page, language, "/settings");
        // Nothing wider than the phone's screen.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
        await page.screenshot(shot(`server-error-${language}-${mode}-390`));
        // axe runs in the page, so with JavaScript; the HTML is the same without (checked above).
        if (javaScriptEnabled) await expectAccessible(page);
        await page.setViewportSize({ width: 1280, height: 800 });

        // Try again asks the server again: the table is still missing, so the same page, still 500.
        const again = page.waitForResponse((r) => new URL(r.url()).pathname === "/settings" && r.request().isNavigationRequest());
        await page.getByRole("main").getByRole("link", { name: words.tryAgain }).click();
        expect((await again).status()).toBe(500);
        await expectServerErrorPage(page, language, "/settings");
        // The way on: Global Administration works.
        await page.getByRole("main").getByRole("link", { name: words.back }).click();
        await expect(page.getByRole("heading", { level: 1, name: words.globalAdministration })).toBeVisible();
        await expect(page.getByRole("button", { name: words.signOut })).toBeVisible();

        if (javaScriptEnabled) {
          // Reached from within the console (Global Administration's link, fetched by the client router): the failure
          // is shown in the page, in its language, with Try again.
          // Clicked once hydrated: a click before that loads the server's page, which has no Try again button.
          const settings = page.getByRole("main").locator('a[href="/settings"]');
          await untilHydrated(settings);
          await settings.click();
          const alert = page.getByRole("alert").filter({ hasText: words.body });
          await expect(alert).toBeVisible();
          await expect(page.getByRole("button", { name: words.tryAgain })).toBeVisible();
          // The boundary replaces the console's layout, so it brings the header, the heading and the way back itself.
          await expect(page.getByRole("banner").getByRole("link", { name: words.appTitle })).toHaveAttribute("href", "/");
          await expect(page.getByRole("main").getByRole("heading", { level: 1, name: words.title })).toBeVisible();
          await expect(page.getByRole("main").getByRole("link", { name: words.back })).toHaveAttribute("href", "/");
          await page.screenshot(shot(`server-error-${language}-client-navigation`));
          await expectAccessible(page);
        }
      } finally {
        await context.close();
      }
    });
  }
}
