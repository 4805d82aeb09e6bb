// The sign-in project: each test account signs in once through the sign-in form and its browser state (the session
// cookie) is saved for the walkthroughs that only need to be signed in (e2e/support/session.ts resumeSignIn). Signing
// in itself, signing out and ended sessions are walked through with the form in their own walkthroughs. A session
// ends after 30 minutes unused or 8 hours after sign-in (the console's defaults) and its cookie does not change while
// it is used, so one sign-in lasts the whole run.
import { expect, test as setup } from "@playwright/test";
import { savedSignInPath, signIn } from "./support/session";

setup("the administrator signs in through the form", async ({ page }) => {
  await signIn(page, "admin");
  await expect(page.getByRole("heading", { level: 1, name: "Global Administration" })).toBeVisible();
  await page.context().storageState({ path: savedSignInPath("admin") });
});

setup("the user outside the administrators' groups signs in through the form", async ({ page }) => {
  await signIn(page, "user");
  await expect(page.getByRole("heading", { level: 1, name: "Access denied" })).toBeVisible();
  await page.context().storageState({ path: savedSignInPath("user") });
});
