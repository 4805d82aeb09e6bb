// A walkthrough's own cluster: provisioned on one of the stack's spare web sites and enrolled online at the stack's
// enrollment service (policy open), through the pages as an administrator would, so walkthroughs that change a cluster
// for good (re-key, revocation) leave the demo cluster the others renew alone. Idempotent: a worker restarted after a
// failure finds the cluster already there.
import type { Browser } from "@playwright/test";
import { E2E_OWN_CLUSTER_WEB_SITES } from "../../tests/support/e2e-state";
import { expect } from "./fixtures";
import { resumeSignIn } from "./session";

export type OwnClusterSite = keyof typeof E2E_OWN_CLUSTER_WEB_SITES;

export function ownSiteName(site: OwnClusterSite): string {
  return E2E_OWN_CLUSTER_WEB_SITES[site];
}

/** Provisions and enrolls the site's cluster unless it is there already; returns its Administration page's path. */
export async function provisionOwnCluster(browser: Browser, site: OwnClusterSite): Promise<string> {
  const name = ownSiteName(site);
  const context = await browser.newContext({ locale: "en-GB", timezoneId: "UTC" });
  try {
    const page = await context.newPage();
    await resumeSignIn(page, "admin");
    const row = page.getByRole("row", { name: new RegExp(name) });
    const administer = row.getByRole("link", { name: "Administer RMS on this Web site" });
    if ((await administer.count()) === 0) {
      await row.getByRole("link", { name: "Provision RMS on this Web site" }).click();
      await page.getByLabel("Cluster name").fill(`${site} cluster`);
      await page.getByLabel("Cluster URL").fill(`https://${site}.fabrikam.example/_wmcs`);
      await page.getByLabel("Configuration database name").fill(`DRMS_Config_${site}`);
      await page.getByRole("button", { name: "Provision", exact: true }).click();
      await expect(page).toHaveURL(/\/clusters\/[0-9a-f-]{36}\?provisioned=1$/);
    } else {
      await administer.click();
    }
    await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
    const resources = page.getByRole("region", { name: "Cluster resources" });
    const enroll = resources.getByRole("button", { name: "Enroll", exact: true });
    if (await enroll.isVisible()) {
      await enroll.click();
      const dialog = page.getByRole("dialog", { name: "Enroll this cluster" });
      await dialog.getByRole("radio", { name: "Online" }).check();
      await dialog.getByRole("button", { name: "Enroll", exact: true }).click();
      await expect(dialog.getByText(/^The cluster is enrolled\. /)).toBeVisible({ timeout: 30_000 });
      await dialog.getByRole("button", { name: "Close" }).click();
    }
    await expect(resources.getByRole("button", { name: "Renew", exact: true })).toBeVisible();
    return new URL(page.url()).pathname;
  } finally {
    await context.close();
  }
}
