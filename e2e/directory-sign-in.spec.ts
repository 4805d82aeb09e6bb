// Directory accounts in the browser, against the OpenLDAP slapd the e2e stack started: an administrator through
// Domain Admins, one through a group nested in Administrators, and a directory user in neither, who is turned away.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page, test } from "@playwright/test";
import { DIRECTORY_USERS } from "../tests/support/slapd";
import { shot, signOut } from "./support/session";

async function signInAs(page: Page, userName: string, password: string): Promise<void> {
  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(userName);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test.describe("directory sign-in", () => {
  test("a Domain Admins member signs in as DOMAIN\\user and administers", async ({ page }) => {
    await signInAs(page, "RMS\\alice", DIRECTORY_USERS.alice.password);
    await expect(page.getByTestId("signed-in-user")).toHaveText("RMS\\alice");
    await expect(page.getByRole("heading", { name: "Global Administration" })).toBeVisible();
    await page.screenshot(shot("directory-admin"));
    await signOut(page);
  });

  test("a member of a group nested in Administrators administers too", async ({ page }) => {
    await signInAs(page, "bob@rms.test", DIRECTORY_USERS.bob.password);
    await expect(page.getByTestId("signed-in-user")).toHaveText("RMS\\bob");
    await expect(page.getByRole("heading", { name: "Global Administration" })).toBeVisible();
    await signOut(page);
  });

  test("a directory user in neither group gets Access denied; a locked account and a wrong password are refused", async ({ page }) => {
    await signInAs(page, "RMS\\carol", DIRECTORY_USERS.carol.password);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
    expect((await page.goto("/"))?.status()).toBe(403);
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
    await signOut(page);

    for (const [name, password] of [
      ["RMS\\dave", DIRECTORY_USERS.dave.password],
      ["RMS\\alice", "not-the-password"],
      ["*)(uid=*", "anything-at-all"],
    ] as const) {
      await signInAs(page, name, password);
      await expect(page.getByRole("alert").filter({ hasText: "user name or password is incorrect" })).toBeVisible();
    }
  });
});
