// RMS proxy settings (technet-sv 18124831), an Administration link: set in Chromium to a real forward proxy (Debian's
// squid, started here, Basic authentication), then Renew → Online → Renew goes through it (squid logs the CONNECT to the
// enrollment service). The passwords must match, the stored one is never shown, a wrong one fails with 407 and changes
// nothing; switched off again without JavaScript. Screenshots at 1280 and 390 px, English and Swedish.
import { expect, type Page, test } from "@playwright/test";
import { type RunningSquid, startSquid } from "../tests/support/squid";
import { clusterResources, expectAccessible, expiration, openAdministration, openRenew } from "./support/console";
import { resumeSignIn, shot } from "./support/session";
import { readState } from "./support/stack";

const USER = "rms-proxy";
const PASSWORD = "correct horse battery";
let squid: RunningSquid;
let servicePort: number;

test.beforeAll(async () => {
  servicePort = Number(new URL(readState().enrollmentUrl).port);
  squid = await startSquid({ hosts: {}, connectPorts: [servicePort], user: USER, password: PASSWORD });
});

test.afterAll(async () => {
  await squid?.stop();
});

async function openProxySettings(page: Page) {
  await openAdministration(page);
  await page.getByRole("region", { name: "Administration links" }).getByRole("link", { name: "RMS proxy settings" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "RMS proxy settings" })).toBeVisible();
}

async function renewOnline(page: Page) {
  await openAdministration(page);
  const dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Online" }).check();
  const replace = dialog.getByRole("checkbox", { name: /Replace the pending offline request/ });
  if (await replace.isVisible()) await replace.check();
  await dialog.getByRole("button", { name: "Renew", exact: true }).click();
  return dialog;
}

test("the proxy is set on the page and online renewal goes through it; a wrong password fails with 407", async ({ page }) => {
  test.setTimeout(120_000);
  await resumeSignIn(page, "admin");
  await openProxySettings(page);
  await expect(page.getByRole("region", { name: "In force" })).toContainText("Direct connection");

  await page.getByRole("checkbox", { name: "The computer connects to the Internet through a proxy server" }).check();
  await page.getByRole("textbox", { name: "Address", exact: true }).fill("127.0.0.1");
  await page.getByRole("spinbutton", { name: "Port" }).fill(String(squid.basicPort));
  await page.getByRole("checkbox", { name: "The proxy server requires authentication" }).check();
  await expect(page.getByRole("combobox", { name: "Authentication type" })).toHaveValue("basic");
  await page.getByRole("textbox", { name: "User name", exact: true }).fill(USER);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill("something else");
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByLabel("Confirm password")).toHaveAccessibleDescription(
    "The passwords do not match. Type the same password in both fields.",
  );
  // What was typed comes back, the passwords never.
  await expect(page.getByRole("textbox", { name: "Address", exact: true })).toHaveValue("127.0.0.1");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");

  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByLabel("Confirm password").fill(PASSWORD);
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The RMS proxy settings were saved." })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("region", { name: "In force" })).toContainText(
    `The proxy server 127.0.0.1:${squid.basicPort}, set on this page`,
  );
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  await expect(page.getByLabel("Password", { exact: true })).toHaveAccessibleDescription(
    "A password is stored: leave both fields blank to keep it.",
  );
  expect(await page.content()).not.toContain(PASSWORD);
  await expectAccessible(page);

  for (const locale of ["en", "sv"] as const) {
    if (locale === "sv") {
      await page.getByRole("button", { name: "Svenska" }).click();
      await expect(page.locator("html")).toHaveAttribute("lang", "sv");
    }
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 900 });
      await page.reload();
      await expect(page.locator("html")).toHaveAttribute("lang", locale);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.screenshot(shot(`proxy-settings-${locale}-${width}`));
    }
  }
  await expect(page.getByRole("heading", { level: 1, name: "RMS-proxyinställningar" })).toBeVisible();
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await page.setViewportSize({ width: 1280, height: 900 });

  const before = squid.accessLog();
  const dialog = await renewOnline(page);
  await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible({ timeout: 30_000 });
  expect(squid.accessLog().slice(before.length)).toContain(`CONNECT 127.0.0.1:${servicePort}`);
  await page.keyboard.press("Escape");

  // A wrong password: squid answers 407, the dialog says so, and the certificate stays.
  await openProxySettings(page);
  await page.getByLabel("Password", { exact: true }).fill("wrong password");
  await page.getByLabel("Confirm password").fill("wrong password");
  await page.getByRole("button", { name: "Submit" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The RMS proxy settings were saved." })).toBeVisible();
  await openAdministration(page);
  const expires = await expiration(page);
  const refused = await renewOnline(page);
  const alert = refused.getByRole("alert").filter({ hasText: "HTTP 407" });
  await expect(alert).toContainText(`The proxy server 127.0.0.1:${squid.basicPort} asked for authentication`);
  await expect(alert).toContainText("Nothing was sent to the enrollment service");
  await page.screenshot(shot("renew-dialog-proxy-407"));
  await page.keyboard.press("Escape");
  await page.reload();
  expect(await expiration(page)).toBe(expires);
  await expect(clusterResources(page)).toBeVisible();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an administrator switches the proxy off again; the change is audited", async ({ page }) => {
    await resumeSignIn(page, "admin");
    await page.goto("/settings/proxy");
    await page.getByRole("checkbox", { name: "The computer connects to the Internet through a proxy server" }).uncheck();
    await page.getByRole("button", { name: "Submit" }).click();
    await expect(page.getByRole("status").filter({ hasText: "The RMS proxy settings were saved." })).toBeVisible();
    await page.goto("/settings/proxy");
    await expect(page.getByRole("region", { name: "In force" })).toContainText("Direct connection");
    await page.goto("/audit");
    await expect(page.locator('tr[data-action="proxy_settings_changed"]').first()).toContainText(
      "Changed the RMS proxy settings (enabled).",
    );
  });
});
