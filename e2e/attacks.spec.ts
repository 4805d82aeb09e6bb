// Hostile certificate files through the real Import in Chromium (Renew → Offline → Browse → Import): each is refused
// with its own message; and through Yes, after the browser was told (by a replayed genuine answer) that the file had
// validated: the server checks again and refuses. The installed SLC stays. Leaves the stack as it found it: nothing
// installed, the request it exported cancelled.
import { expect, type Page, test } from "@playwright/test";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { enrollmentCa, genuineSlc, type HostileFile, hostileFiles } from "../tests/system/support/hostile-files";
import { clusterResources, openAdministration, openRenew, pendingRequest } from "./support/console";
import { signIn } from "./support/session";
import { readState } from "./support/stack";

const t = translatorFor("en");

/** The installed SLC's expiration date as the page states it (compared as is: nothing may change it here). */
async function expiration(page: Page): Promise<string | null> {
  return page.getByTestId("slc-expiration").locator("time").getAttribute("datetime");
}

function expectedMessage(file: HostileFile): string {
  return file.expect === "too_large"
    ? t("failure.too_large", { limit: "256 KB" })
    : t("failure.invalid_file", { check: t(`check.${file.expect.check}`), reason: t(`reason.${file.expect.reason}`) });
}

test("every hostile certificate file is refused at Import and at Yes with its own message; the installed SLC stays", async ({ page }) => {
  test.setTimeout(360_000);
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
  const resources = clusterResources(page);
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

    // The genuine file passes every check; No installs nothing.
    const genuineBytes = Buffer.from(genuineSlc(ca, requestXml));
    dialog = await openRenew(page);
    await dialog.getByLabel("Browse").setInputFiles({ name: "slc.xml", mimeType: "text/xml", buffer: genuineBytes });
    await dialog.getByRole("button", { name: "Import" }).click();
    await expect(dialog.getByRole("heading", { name: "Install this certificate?" })).toBeVisible();
    await dialog.getByRole("button", { name: "No" }).click();
    await expect(dialog.getByText(t("renew.declined"))).toBeVisible();
    await dialog.getByRole("button", { name: "Close" }).click();

    // Each hostile file again, as a tampered client would send it: the genuine file passes Import, then the page's
    // copy of the checked document (the hidden field Yes sends) is swapped for the hostile file. The server checks the
    // document itself.
    for (const file of files) {
      if (file.expect === "too_large") continue; // the dialog refuses it before sending; the action body limit is a system test
      dialog = await openRenew(page);
      await dialog.getByLabel("Browse").setInputFiles({ name: "slc.xml", mimeType: "text/xml", buffer: genuineBytes });
      await dialog.getByRole("button", { name: "Import" }).click();
      await expect(dialog.getByRole("heading", { name: "Install this certificate?" })).toBeVisible();
      await dialog.locator('input[name="document"]').evaluate((input, value) => {
        (input as HTMLInputElement).value = value;
      }, Buffer.from(file.bytes).toString("base64"));
      await dialog.getByRole("button", { name: "Yes" }).click();
      await expect(dialog.getByRole("alert").filter({ hasText: expectedMessage(file) }), `${file.name} (Yes)`).toBeVisible();
      await dialog.getByRole("button", { name: "Close" }).click();
      await expect(dialog).toBeHidden();
    }

    await page.reload();
    expect(await expiration(page)).toBe(installed);
  } finally {
    // Leave no pending request behind for the walkthroughs that follow.
    await page.goto(page.url());
    const cancel = pendingRequest(page).getByText("Cancel request", { exact: true });
    if (await cancel.isVisible()) {
      await cancel.click();
      await pendingRequest(page).getByRole("button", { name: "Yes, cancel the request" }).click();
      await expect(resources.getByText("was cancelled")).toBeVisible();
    }
  }
  await page.reload();
  await expect(pendingRequest(page)).toBeHidden();
  expect(await expiration(page)).toBe(installed);
});
