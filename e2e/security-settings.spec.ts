// Security settings (TechNet "Säkerhetsinställningar", an Administration link): where the cluster's key is kept, its
// public-key fingerprint, the master key, Re-key…, the revocation status, and Reset the master key (TechNet "Återställ
// lösenordet för serverns privata nyckel") through its confirmation step — with JavaScript in English, without it in
// Swedish. Administrators only. Screenshots at 1280 and 390 px in both languages; axe (which needs JavaScript) finds nothing.
import { expect, type Page, test } from "@playwright/test";
import { definitionOf, expectAccessible, openAdministration } from "./support/console";
import { resumeSignIn, shot } from "./support/session";

async function openSecurity(page: Page): Promise<string> {
  await openAdministration(page);
  const clusterId = new URL(page.url()).pathname.split("/")[2] as string;
  await page.getByRole("region", { name: "Administration links" }).getByRole("link", { name: "Security settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Security settings" })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe(`/clusters/${clusterId}/security`);
  return clusterId;
}

const masterKeyId = async (page: Page, term = "Master key") =>
  ((await definitionOf(page, term).locator("span").first().textContent()) ?? "").trim();

test("the page shows where the key is kept; Reset… asks first, then re-encrypts under a new master key", async ({ page }) => {
  test.setTimeout(120_000);
  await resumeSignIn(page, "admin");
  const clusterId = await openSecurity(page);
  const protection = page.getByRole("region", { name: "Private key protection" });
  const oldId = await masterKeyId(page);
  expect(oldId).toMatch(/^[0-9a-f]{16}$/);
  await expect(definitionOf(protection, "Where the private key is kept")).toHaveText(
    `In the console's database, encrypted with master key ${oldId}`,
  );
  await expect(definitionOf(protection, "Public key fingerprint (SHA-256)")).toHaveText(/^[0-9a-f:]{64,95}$/i);
  // The monitor's round has checked the service's revocation list by now: one of its three answers, never blank.
  await expect(definitionOf(protection, "Revocation status")).toHaveText(/^(Not revoked|Revoked( · .+)?|Revocation status unknown)$/);
  await expect(protection.getByRole("link", { name: "Re-key…" })).toHaveAttribute("href", `/clusters/${clusterId}/security/rekey`);
  await expectAccessible(page);

  for (const locale of ["en", "sv"] as const) {
    if (locale === "sv") {
      await page.getByRole("button", { name: "Svenska" }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", "sv");
      await expect(page.getByRole("heading", { level: 1, name: "Säkerhetsinställningar" })).toBeVisible();
      await expect(page.getByRole("region", { name: "Skydd av privat nyckel" })).toBeVisible();
      await expect(page.getByRole("region", { name: "Återställ huvudnyckeln" }).getByRole("link", { name: "Återställ…" })).toBeVisible();
      await expectAccessible(page);
    }
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.reload();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot(shot(`security-settings-${locale}-${width}`));
    }
  }
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.setViewportSize({ width: 1280, height: 900 });

  // Reset…: the confirmation step first; Cancel changes nothing.
  const reset = page.getByRole("region", { name: "Reset the master key" });
  await reset.getByRole("link", { name: "Reset…" }).click();
  const confirm = page.getByRole("form", { name: "Reset the master key now?" });
  await expect(confirm).toContainText(`the old one (${oldId}) is wiped from this console`);
  await expectAccessible(page);
  await page.screenshot(shot("security-settings-confirm-en-1280"));
  await confirm.getByRole("link", { name: "Cancel" }).click();
  await expect(page.getByRole("form", { name: "Reset the master key now?" })).toHaveCount(0);
  expect(await masterKeyId(page)).toBe(oldId);

  await reset.getByRole("link", { name: "Reset…" }).click();
  await page.getByRole("button", { name: "Yes, reset the master key" }).click();
  const done = page.getByRole("status").filter({ hasText: "The master key was reset" });
  await expect(done).toBeVisible();
  const newId = await masterKeyId(page);
  expect(newId).not.toBe(oldId);
  await expect(done).toHaveText(
    `The master key was reset: every encrypted key is now encrypted with master key ${newId}, and the old key was wiped.`,
  );
  await expect(definitionOf(protection, "Where the private key is kept")).toHaveText(
    `In the console's database, encrypted with master key ${newId}`,
  );
  await expectAccessible(page);

  await page.goto("/audit");
  await expect(page.locator('tr[data-action="master_key_rotated"]').first()).toContainText(
    `Reset the master key: the encrypted keys are now encrypted with master key ${newId} (before: ${oldId}).`,
  );
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an administrator resets the master key in Swedish; a user without the group is refused", async ({ page, browser }) => {
    test.setTimeout(120_000);
    await resumeSignIn(page, "admin");
    const clusterId = await openSecurity(page);
    const oldId = await masterKeyId(page);
    await page.getByRole("button", { name: "Svenska" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Säkerhetsinställningar" })).toBeVisible();
    await page.getByRole("link", { name: "Återställ…" }).click();
    const confirm = page.getByRole("form", { name: "Återställa huvudnyckeln nu?" });
    await expect(confirm).toContainText(`den gamla (${oldId}) raderas från konsolen`);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot(shot(`security-settings-confirm-sv-${width}-no-js`));
    }
    await confirm.getByRole("button", { name: "Ja, återställ huvudnyckeln" }).click();
    const done = page.getByRole("status").filter({ hasText: "Huvudnyckeln återställdes" });
    await expect(done).toBeVisible();
    const newId = await masterKeyId(page, "Huvudnyckel");
    expect(newId).not.toBe(oldId);
    await expect(done).toContainText(`krypterade med huvudnyckel ${newId}`);
    await expect(definitionOf(page, "Var den privata nyckeln finns")).toHaveText(`I konsolens databas, krypterad med huvudnyckel ${newId}`);
    await expect(definitionOf(page, "Återkallningsstatus")).toHaveText(/^(Inte återkallat|Återkallat( · .+)?|Återkallningsstatus okänd)$/);
    await page.screenshot(shot("security-settings-done-sv-390-no-js"));
    await page.getByRole("button", { name: "English" }).click();

    const other = await browser.newContext({ javaScriptEnabled: false });
    const user = await other.newPage();
    await resumeSignIn(user, "user");
    const response = await user.goto(`/clusters/${clusterId}/security`);
    expect(response?.status()).toBe(403);
    await expect(user.getByRole("heading", { level: 1, name: "Access denied" })).toBeVisible();
    await expect(user.getByText(oldId)).toHaveCount(0);
    await other.close();
  });
});
