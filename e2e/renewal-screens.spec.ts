// The renewal screens as an administrator sees them at 1280 and 390 px, in English and Swedish: the Administration
// page with a pending request, the Renew dialog's steps; nothing scrolls sideways and axe-core finds nothing.
import { expectAccessible, openAdministration, openRenew, pendingRequest } from "./support/console";
import { expect, type Page, test } from "./support/fixtures";
import { resumeSignIn, shot } from "./support/session";

async function noSidewaysScroll(page: Page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

test("Administration page, pending card and Renew dialog at 1280 and 390 px, English and Swedish", async ({ page }) => {
  test.setTimeout(120_000);
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  await page.waitForURL(/\/clusters\/[0-9a-f-]{36}$/);
  const clusterPage = page.url();
  // A pending request (Export), so that the card and the offline steps show.
  let dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Offline" }).check();
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Export" }).click();
  await download;
  await expect(dialog.getByRole("heading", { name: "Step 3 of 4: Import the certificate" })).toBeFocused();
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(pendingRequest(page)).toBeVisible();
  await expectAccessible(page);

  for (const locale of ["en", "sv"] as const) {
    if (locale === "sv") {
      await page.getByRole("button", { name: "Svenska" }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", "sv");
    }
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(clusterPage);
      await noSidewaysScroll(page);
      await page.screenshot(shot(`administration-pending-${locale}-${width}`));
      const resources = page.getByRole("region", { name: locale === "en" ? "Cluster resources" : "Klusterresurser" });
      const card = resources.getByRole("region", { name: locale === "en" ? "Pending renewal request" : "Väntande förnyelsebegäran" });
      await card.locator("summary").click();
      await card.screenshot({ path: `artifacts/screenshots/pending-card-cancel-${locale}-${width}.png` });
      await resources.getByRole("button", { name: locale === "en" ? "Renew" : "Förnya", exact: true }).click();
      dialog = page.getByRole("dialog");
      await expect(dialog).toBeVisible();
      await page.screenshot(shot(`renew-dialog-offline-${locale}-${width}`));
      await dialog.getByRole("radio", { name: "Online" }).check();
      await page.screenshot(shot(`renew-dialog-online-pending-${locale}-${width}`));
      await expectAccessible(page);
      await page.keyboard.press("Escape");
      await expect(dialog).toBeHidden();
    }
  }

  // Leave no pending request behind.
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.getByRole("button", { name: "English" }).click();
  await pendingRequest(page).getByText("Cancel request", { exact: true }).click();
  await pendingRequest(page).getByRole("button", { name: "Yes, cancel the request" }).click();
  await expect(pendingRequest(page)).toBeHidden();
});
