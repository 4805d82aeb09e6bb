// Narrow screens: at 390 px (a phone) every page fits without horizontal scrolling, in English and Swedish; tables
// become stacked rows; the only action of Global Administration is on screen. Also records the audit log's height.
import fs from "node:fs";
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { resumeSignIn } from "./support/session";

const WIDTH = 390;

async function setLanguage(context: BrowserContext, page: Page, language: "en" | "sv"): Promise<void> {
  const { hostname } = new URL(page.url());
  await context.addCookies([{ name: "rms_locale", value: language, domain: hostname, path: "/" }]);
}

/** No horizontal overflow: the document is no wider than the viewport. */
async function expectFits(page: Page, what: string): Promise<void> {
  const { scrollWidth, clientWidth, culprits } = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    // The innermost elements that stick out, to name in the failure message.
    const culprits = [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 0.5 && el.children.length === 0)
      .slice(0, 5)
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">${(el.textContent ?? "").slice(0, 40)}`);
    return { scrollWidth: document.documentElement.scrollWidth, clientWidth: width, culprits };
  });
  expect(scrollWidth, `${what}: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}: ${culprits.join(" | ")}`).toBeLessThanOrEqual(
    clientWidth,
  );
}

test.use({ viewport: { width: WIDTH, height: 844 } });

for (const language of ["en", "sv"] as const) {
  test(`every page fits at ${WIDTH} px in ${language === "en" ? "English" : "Swedish"}`, async ({ page, context, browser }) => {
    await page.goto("/sign-in");
    await setLanguage(context, page, language);
    await page.goto("/sign-in");
    await expectFits(page, "sign-in");
    await page.goto("/setup?token=not-a-real-token");
    await expectFits(page, "setup link");

    // The saved session is checked by the English header; the pages after it are seen in the language under test.
    await setLanguage(context, page, "en");
    await resumeSignIn(page, "admin");
    await setLanguage(context, page, language);
    await page.goto("/");
    await expectFits(page, "Global Administration");
    // The only action, Administer RMS on this Web site, is reached without scrolling sideways (rows above it may push it
    // down the page: scrolling vertically is fine).
    const administer = page.getByRole("link", { name: language === "en" ? "Administer RMS on this Web site" : /Administrera RMS/ }).first();
    await administer.scrollIntoViewIfNeeded();
    await expect(administer).toBeInViewport();
    const box = await administer.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(WIDTH);

    await openAdministrationIn(page, language);
    const clusterPath = new URL(page.url()).pathname;
    await expectFits(page, "Administration");
    await page.goto(`${clusterPath}/history`);
    await expectFits(page, "History");
    const certificate = page.locator('tr[data-active="true"] a').first();
    await certificate.click();
    await expect(page).toHaveURL(/\/certificates\/[0-9a-f-]{36}$/);
    await expectFits(page, "certificate");
    for (const path of [
      "/audit",
      "/audit?action=sign_in&outcome=success",
      `/audit?cluster=${clusterPath.split("/").at(-1)}`,
      "/settings",
    ]) {
      await page.goto(path);
      await expectFits(page, path);
    }
    await page.goto("/no-such-page");
    await expectFits(page, "not found");

    const strangerContext = await browser.newContext({ viewport: { width: WIDTH, height: 844 } });
    const stranger = await strangerContext.newPage();
    await stranger.goto("/sign-in");
    await setLanguage(strangerContext, stranger, "en");
    await resumeSignIn(stranger, "user");
    await setLanguage(strangerContext, stranger, language);
    await stranger.goto("/");
    await expectFits(stranger, "access denied");
    await strangerContext.close();
  });
}

/** Straight to the cluster's Administration page (the link's address, so no click races the page's hydration). */
async function openAdministrationIn(page: Page, language: "en" | "sv"): Promise<void> {
  await page.goto("/");
  const name = language === "en" ? "Administer RMS on this Web site" : /Administrera RMS/;
  const href = await page.getByRole("link", { name }).first().getAttribute("href");
  await page.goto(href ?? "/");
  await expect(page).toHaveURL(/\/clusters\/[0-9a-f-]{36}$/);
}

test("the audit log at 390 px: stacked rows, and how tall it is", async ({ page }) => {
  await resumeSignIn(page, "admin");
  await page.goto("/audit");
  const firstRow = page.locator("tbody tr").first();
  // Stacked: each cell shows its column's title, and the header row is out of sight.
  await expect(firstRow.locator("td").first()).toHaveAttribute("data-label", "Time");
  await expect(page.locator("thead")).not.toBeInViewport();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const rows = await page.locator("tbody tr").count();
  test.info().annotations.push({ type: "audit-height-390", description: `${height} px for ${rows} rows` });
  fs.mkdirSync("test-results", { recursive: true });
  fs.writeFileSync("test-results/audit-height-390.txt", `${height} px for ${rows} rows\n`);
});
