// Revocation through the pages, on the walkthrough's own cluster (provisioned and enrolled through the pages on a spare
// web site first: a revoked SLC stays revoked, which the demo cluster's other walkthroughs must not see). The stack's
// console is restarted against a second enrollment service (policy `approval`, same CA, its monitor round every 10 s);
// the cluster's online renewal is held, the operator
// approves it on /operator and the console installs it; then the operator revokes that SLC on /operator with a reason.
// The console's monitor fetches the service's CRL, verifies it against its trust anchor, and Cluster resources and
// Global Administration show the SLC revoked, in English and Swedish ("Återkallat"). The console is put back afterwards.
import { expect, type Page, test } from "./support/approval-service";
import { clusterResources, confirmIfAsked, expectAccessible, RENEW_DIALOG } from "./support/console";
import { ownSiteName, provisionOwnCluster } from "./support/own-cluster";
import { resumeSignIn, shot } from "./support/session";
import { restartConsole } from "./support/stack";

async function shootBoth(page: Page, name: string): Promise<void> {
  await page.screenshot(shot(name));
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot(shot(`${name}-390`));
  if (desktop) await page.setViewportSize(desktop);
}

test.describe.configure({ mode: "serial" });

const SITE = ownSiteName("revocation");
let clusterPath = "";

test.beforeAll(async ({ approvalService, browser }) => {
  test.setTimeout(240_000);
  // Enrolled at the stack's service (policy open) before the console moves to the approval service.
  clusterPath = await provisionOwnCluster(browser, "revocation");
  await restartConsole(approvalService.url);
});

test.afterAll(async () => {
  test.setTimeout(240_000);
  await restartConsole(null);
});

test("the operator revokes the installed SLC on /operator; the console shows it revoked (en, sv)", async ({
  page,
  browser,
  approvalService,
}) => {
  test.setTimeout(300_000);
  await resumeSignIn(page, "admin");
  await page.goto(clusterPath);
  await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();

  // An SLC this service issued: Online → Renew is held (or issued at once if it already knows the cluster's SLC).
  let dialog = page.getByRole("dialog", { name: RENEW_DIALOG });
  await clusterResources(page).getByRole("button", { name: "Renew", exact: true }).click();
  await dialog.getByRole("radio", { name: "Online" }).check();
  const replace = dialog.getByRole("checkbox", { name: /Replace the pending offline request/ });
  if (await replace.count()) await replace.check();
  await dialog.getByRole("button", { name: "Renew", exact: true }).click();
  const held = dialog.getByRole("region", { name: "Held for approval" });
  await expect(held.or(dialog.getByRole("status").filter({ hasText: "was renewed" })).first()).toBeVisible({ timeout: 30_000 });

  const operatorContext = await browser.newContext({ locale: "en-GB", timezoneId: "UTC" });
  const operator = await operatorContext.newPage();
  try {
    await operator.goto(`${approvalService.url}/operator/sign-in`);
    await operator.getByLabel("Operator name").fill(approvalService.operator.name);
    await operator.getByLabel("Password").fill(approvalService.operator.password);
    await operator.getByRole("button", { name: "Sign in" }).click();
    if (await held.isVisible()) {
      await operator
        .getByRole("button", { name: /^Approve the request from / })
        .first()
        .click();
      await expect(operator.getByRole("status")).toHaveText("The request was approved and its certificate issued.");
      await held.getByRole("button", { name: "Check for the approved certificate" }).click();
      await confirmIfAsked(dialog);
      await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible({ timeout: 30_000 });
    }
    dialog = page.getByRole("dialog", { name: RENEW_DIALOG });
    await dialog.getByRole("button", { name: "Close" }).click();

    // The installed SLC is the newest this service issued: revoke it with a reason.
    await operator.goto(`${approvalService.url}/operator`);
    const issued = operator.getByRole("region", { name: "Issued certificates" });
    const newest = issued.getByRole("article").first();
    await newest.getByLabel("Reason for revocation").selectOption("keyCompromise");
    await shootBoth(operator, "revocation-operator");
    await expectAccessible(operator);
    await newest.getByRole("button", { name: /^Revoke the certificate of / }).click();
    await expect(operator.getByRole("status")).toContainText("was revoked");
    await expect(issued.getByRole("article").first()).toContainText("Key compromised");
    await expect(
      issued
        .getByRole("article")
        .first()
        .getByRole("button", { name: /^Revoke/ }),
    ).toHaveCount(0);
    await shootBoth(operator, "revocation-operator-revoked");
    await operator.getByRole("button", { name: "Svenska" }).click();
    await expect(operator.getByRole("region", { name: "Utfärdade certifikat" }).getByRole("article").first()).toContainText("återkallat");
    await shootBoth(operator, "revocation-operator-revoked-sv");
  } finally {
    await operatorContext.close();
  }

  // The console's monitor round (every 10 s here) fetches and verifies the CRL: Cluster resources says Revoked.
  const status = clusterResources(page).getByTestId("slc-revocation");
  await expect
    .poll(
      async () => {
        await page.reload();
        return (await status.textContent()) ?? "";
      },
      { timeout: 90_000, intervals: [3_000] },
    )
    .toContain("Revoked");
  await expect(status).toContainText("key compromised");
  await expect(status).toContainText("gets a new certificate only when the service's operator approves");
  // A revoked SLC is not called "Valid": the expiration keeps its date, without the expiry badge.
  await expect(clusterResources(page).getByTestId("slc-expiration").locator("[data-status]")).toHaveCount(0);
  await shootBoth(page, "revocation-cluster-resources");
  await expectAccessible(page);

  await page.goto("/");
  const row = page.getByRole("row", { name: new RegExp(SITE) });
  await expect(row.locator("[data-revocation='revoked']")).toHaveText(/Revoked/);
  await expect(row.locator("[data-status]")).toHaveCount(0);
  await shootBoth(page, "revocation-global-administration");

  await page.getByRole("button", { name: "Svenska" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "sv");
  await expect(page.getByRole("row", { name: new RegExp(SITE) }).locator("[data-revocation='revoked']")).toHaveText(/Återkallat/);
  await shootBoth(page, "revocation-global-administration-sv");
  await openAdministrationSv(page);
  await expect(page.getByRole("region", { name: "Klusterresurser" }).getByTestId("slc-revocation")).toContainText("Återkallat");
  await shootBoth(page, "revocation-cluster-resources-sv");
  await page.getByRole("button", { name: "English" }).click();
});

async function openAdministrationSv(page: Page): Promise<void> {
  await page
    .getByRole("row", { name: new RegExp(SITE) })
    .getByRole("link", { name: "Administrera RMS på den här webbplatsen" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
}
