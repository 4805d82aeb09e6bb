// The console's foundation, as an administrator meets it: sign in, the Global Administration page, the
// Administration page with the SLC expiration date, language, sign out; and a non-administrator turned away.
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { shot, signIn } from "./support/session";

test.describe("foundation", () => {
  test("an administrator signs in, opens the cluster and sees the SLC expiration date", async ({ page }) => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);
    await page.screenshot(shot("sign-in"));
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

    await signIn(page, "admin");
    await expect(page.getByTestId("signed-in-user")).toHaveText(/\\alice$/);

    // Step 1: Global Administration lists the web sites.
    await expect(page.getByRole("heading", { level: 1, name: "Global Administration" })).toBeVisible();
    const site = page.getByRole("row", { name: /Default Web Site/ });
    await expect(site).toBeVisible();
    await page.screenshot(shot("global-administration"));
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

    await site.getByRole("link", { name: "Administer RMS on this Web site" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
    const resources = page.getByRole("region", { name: "Cluster resources" });
    await expect(resources).toBeVisible();
    const expiry = resources.locator("time");
    const iso = await expiry.getAttribute("datetime");
    expect(iso).not.toBeNull();
    const days = (Date.parse(iso ?? "") - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(18);
    expect(days).toBeLessThan(21);
    await expect(resources.getByText("Expires within 30 days")).toBeVisible();
    await expect(resources.getByRole("button", { name: "Renew", exact: true })).toBeVisible();
    await expect(page.getByRole("region", { name: "Administration links" })).toBeVisible();
    await page.screenshot(shot("administration"));
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/sign-in/);
    await page.goto("/");
    await expect(page).toHaveURL(/\/sign-in/);
  });

  test("the language follows the browser and can be switched in the header", async ({ browser }) => {
    const context = await browser.newContext({ locale: "sv-SE", extraHTTPHeaders: { "Accept-Language": "sv-SE,sv;q=0.9" } });
    const page = await context.newPage();
    await page.goto("/sign-in");
    await expect(page.getByRole("heading", { name: "Logga in" })).toBeVisible();
    await expect(page.getByLabel("Användarnamn")).toBeVisible();
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
    await page.getByRole("button", { name: "Svenska" }).click();
    await expect(page.getByRole("heading", { name: "Logga in" })).toBeVisible();
    await page.screenshot(shot("sign-in-sv"));
    await context.close();
  });

  test("a wrong password is refused with a clear message", async ({ page }) => {
    await page.goto("/sign-in");
    await page.getByLabel("User name").fill("alice");
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "user name or password is incorrect" })).toBeVisible();
  });

  test("a signed-in user outside the administrator groups gets Access denied (403)", async ({ page }) => {
    await signIn(page, "user");
    const response = await page.goto("/");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
    await page.screenshot(shot("access-denied"));
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  });

  test("unknown or malformed cluster ids give Not found", async ({ page }) => {
    await signIn(page, "admin");
    for (const id of ["not-a-uuid", "00000000-0000-4000-8000-000000000000"]) {
      const response = await page.goto(`/clusters/${id}`);
      expect(response?.status()).toBe(404);
      await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
    }
  });
});
