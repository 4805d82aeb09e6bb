// Signing in as the test accounts, by the sign-in form's visible labels (User name, Password, Sign in).
import { expect, type Page } from "@playwright/test";
import { readState } from "./stack";

export async function signIn(page: Page, who: "admin" | "user"): Promise<void> {
  const account = readState()[who];
  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(account.userName);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

/** Screenshot options; dialogs are shot as the viewport shows them (a fixed overlay does not stretch over a full page). */
export function shot(name: string): { path: string; fullPage: boolean } {
  return { path: `artifacts/screenshots/${name}.png`, fullPage: !name.includes("dialog") };
}
