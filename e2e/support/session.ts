// Signing in as the test accounts, by the sign-in form's visible labels (User name, Password, Sign in), or resuming the
// session the sign-in project (e2e/sign-in.setup.ts) started through the same form once per account.
import fs from "node:fs";
import path from "node:path";
import { type BrowserContext, expect, type Page } from "@playwright/test";
import { E2E_RESULTS } from "../../tests/support/e2e-state";
import { readState } from "./stack";

export type TestAccount = "admin" | "user";

export async function signIn(page: Page, who: TestAccount): Promise<void> {
  const account = readState()[who];
  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(account.userName);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/**
 * Signs out by the header's button and waits for the sign-in form: a navigation started before the sign-out's answer
 * arrives cancels it, and the session goes on (a walkthrough that signed in again at once found itself still signed in).
 */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
}

/** Where the sign-in project saves an account's signed-in browser state (Playwright's storageState; test-results/ is not committed). */
export function savedSignInPath(who: TestAccount): string {
  return path.join(E2E_RESULTS, "sign-in", `${who}.json`);
}

/**
 * Gives a browser context the cookies the sign-in project's form sign-in left (what `storageState` would give a new
 * context). The session on the server is the same for every walkthrough that resumes it: a walkthrough that signs out,
 * or signs in again in the same context (a sign-in ends the session the browser held), or ends its session otherwise,
 * signs in with `signIn` in a context of its own instead. The sessions-kept project checks both are valid at the end.
 */
export async function addSavedSignIn(context: BrowserContext, who: TestAccount): Promise<void> {
  const saved = JSON.parse(fs.readFileSync(savedSignInPath(who), "utf8")) as Awaited<ReturnType<BrowserContext["storageState"]>>;
  await context.addCookies(saved.cookies);
}

/** The saved session of `who` in this page's context; the page ends on Global Administration (Access denied for the user), signed in. */
export async function resumeSignIn(page: Page, who: TestAccount): Promise<void> {
  await addSavedSignIn(page.context(), who);
  await page.goto("/");
  await expect(page.getByRole("button", { name: "Sign out" }), `the saved session of ${who} is still valid`).toBeVisible();
}

/** Screenshot options; dialogs are shot as the viewport shows them (a fixed overlay does not stretch over a full page). */
export function shot(name: string): { path: string; fullPage: boolean } {
  return { path: `artifacts/screenshots/${name}.png`, fullPage: !name.includes("dialog") };
}
