// Hostile certificate files through the real Import in Chromium (Renew → Offline → Browse → Import): each is refused
// with its own message and the installed SLC stays. Also pins the request format the system tests replay
// (tests/system/support/http.ts). Leaves the stack as it found it: nothing installed, the request it exported cancelled.
import { expect, type Page, test } from "@playwright/test";
import { translator } from "@/lib/i18n/messages";
import { enrollmentCa, genuineSlc, type HostileFile, hostileFiles } from "../tests/system/support/hostile-files";
import { signIn } from "./support/session";
import { readState } from "./support/stack";

const t = translator("en");
const DIALOG = "Renew server licensor certificate";

test.describe.configure({ mode: "serial" });

async function openAdministration(page: Page): Promise<void> {
  await page.goto("/");
  await page
    .getByRole("row", { name: /Default Web Site/ })
    .getByRole("link", { name: "Administer RMS on this Web site" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
}

async function expiration(page: Page): Promise<string | null> {
  return page.getByTestId("slc-expiration").locator("time").getAttribute("datetime");
}

async function openRenew(page: Page) {
  await page.getByRole("region", { name: "Cluster resources" }).getByRole("button", { name: "Renew", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: DIALOG });
  await expect(dialog).toBeVisible();
  return dialog;
}

function expectedMessage(file: HostileFile): string {
  return file.expect === "too_large"
    ? t("failure.too_large", { limit: "256 KB" })
    : t("failure.invalid_file", { check: t(`check.${file.expect.check}`), reason: t(`reason.${file.expect.reason}`) });
}

test("every hostile certificate file is refused at Import with its own message; the installed SLC stays", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, "admin");
  await openAdministration(page);
  const installed = await expiration(page);
  expect(installed).not.toBeNull();

  // Offline → Export: the request the hostile files pretend to answer.
  let dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Offline" }).check();
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Export" }).click();
  const requestXml = await (await (await download).createReadStream())
    .toArray()
    .then((chunks) => Buffer.concat(chunks as Buffer[]).toString("utf8"));
  await dialog.getByRole("button", { name: "Close" }).click();

  const ca = await enrollmentCa(readState().dataDir);
  const files = await hostileFiles(ca, requestXml);
  expect(files.length).toBeGreaterThanOrEqual(24);
  const resources = page.getByRole("region", { name: "Cluster resources" });
  try {
    for (const file of files) {
      dialog = await openRenew(page);
      await expect(dialog.getByRole("radio", { name: "Offline" })).toBeChecked();
      await dialog.getByLabel("Browse").setInputFiles({ name: "slc.xml", mimeType: "text/xml", buffer: file.bytes });
      await dialog.getByRole("button", { name: "Import" }).click();
      await expect(dialog.getByRole("alert").filter({ hasText: expectedMessage(file) }), file.name).toBeVisible();
      await dialog.getByRole("button", { name: "Close" }).click();
      await expect(dialog).toBeHidden();
    }

    // The genuine file passes every check; No installs nothing. Its (prevState, FormData) call is the body format
    // the system tests replay (Chromium does not expose uploaded file bytes, so this text-only call is the one pinned).
    let captured = "";
    page.on("request", (request) => {
      if (request.method() === "POST" && request.headers()["next-action"] && !captured) captured = request.postData() ?? "";
    });
    dialog = await openRenew(page);
    await dialog
      .getByLabel("Browse")
      .setInputFiles({ name: "slc.xml", mimeType: "text/xml", buffer: Buffer.from(genuineSlc(ca, requestXml)) });
    await dialog.getByRole("button", { name: "Import" }).click();
    await expect(dialog.getByRole("heading", { name: "Install this certificate?" })).toBeVisible();
    captured = "";
    await dialog.getByRole("button", { name: "No" }).click();
    await expect(dialog.getByText(t("renew.declined"))).toBeVisible();
    await dialog.getByRole("button", { name: "Close" }).click();
    expect(captured).toMatch(/name="_1_clusterId"/);
    expect(captured).toMatch(/name="_1_fingerprint"/);
    expect(captured).toContain('[{},"$K1"]');

    await page.reload();
    expect(await expiration(page)).toBe(installed);
  } finally {
    // Leave no pending request behind for the walkthroughs that follow.
    await page.goto(page.url());
    const cancel = resources.getByRole("button", { name: "Cancel the pending renewal request" });
    if (await cancel.isVisible()) {
      await cancel.click();
      await expect(resources.getByText("was cancelled")).toBeVisible();
    }
  }
  await page.reload();
  await expect(resources.getByTestId("pending-request")).toBeHidden();
  expect(await expiration(page)).toBe(installed);
});
