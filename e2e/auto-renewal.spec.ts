// Automatic renewal on the Administration page: off by default, switched on and off by a plain form (also without
// JavaScript), the plan in plain words, each switch in the audit log.
import { expect, test } from "@playwright/test";
import { clusterResources, openAdministration } from "./support/console";
import { resumeSignIn, shot } from "./support/session";

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an administrator turns automatic renewal on and off again", async ({ page }) => {
    await resumeSignIn(page, "admin");
    await openAdministration(page);
    const panel = clusterResources(page).getByRole("region", { name: "Automatic renewal" });
    await expect(panel.getByTestId("auto-renewal-plan")).toHaveText(
      /^Off\. The certificate is renewed only when an administrator chooses Renew\./,
    );

    await panel.getByRole("button", { name: "Turn on automatic renewal" }).click();
    // Planned at once: the page says when the first attempt will be.
    await expect(panel.getByTestId("auto-renewal-plan")).toHaveText(
      /^On\. Next automatic renewal attempt: .+ — inside the (service's suggested|default) window/,
    );
    // (axe runs on this page with JavaScript in the foundation walkthrough.)
    await page.screenshot(shot("administration-auto-renewal-on"));

    await panel.getByRole("button", { name: "Turn off automatic renewal" }).click();
    await expect(panel.getByTestId("auto-renewal-plan")).toHaveText(/^Off\./);

    await page.goto("/audit");
    // (The filter's action list names them too: look in the log's rows.)
    await expect(page.locator('tr[data-action="auto_renewal_enabled"]').first()).toBeVisible();
    await expect(page.locator('tr[data-action="auto_renewal_disabled"]').first()).toBeVisible();
  });
});
