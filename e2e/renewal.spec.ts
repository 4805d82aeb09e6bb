// The seed procedure (technet-sv 18124863), steps 1–14, between the console and the enrollment service:
// online renewal, the offline round trip through the enrollment service's web site, and the failure paths.
import fs from "node:fs";
import path from "node:path";
import { CHECK_NAMES } from "@/lib/core/certificates/verify-slc";
import { captureAction, replayAction } from "../tests/support/browser-actions";
import {
  clusterResources,
  confirmIfAsked,
  definitionOf,
  expectAccessible,
  expiration,
  openAdministration,
  openRenew,
  pendingRequest,
  RENEW_DIALOG,
  showConfirmDetails,
} from "./support/console";
import { xmlsecVerifiesRequest } from "./support/files";
import { expect, type Page, test } from "./support/fixtures";
import { resumeSignIn, shot, signIn, signOut } from "./support/session";
import { readState, startEnrollment, stopEnrollment } from "./support/stack";

const resources = clusterResources;

async function exportRequest(page: Page, dialog: ReturnType<Page["getByRole"]>, saveAs: string) {
  await dialog.getByRole("radio", { name: "Offline" }).check();
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Export" }).click();
  const file = await download;
  await file.saveAs(saveAs);
  return file.suggestedFilename();
}

/** Online → Renew; a pending offline request must be replaced knowingly (the box), as an administrator would. */
async function renewOnline(dialog: ReturnType<Page["getByRole"]>) {
  await dialog.getByRole("radio", { name: "Online" }).check();
  const replace = dialog.getByRole("checkbox", { name: /Replace the pending offline request/ });
  if (await replace.isVisible()) await replace.check();
  await dialog.getByRole("button", { name: "Renew", exact: true }).click();
  await confirmIfAsked(dialog);
}

const artifacts = path.join("test-results", "renewal");

test.beforeAll(() => {
  fs.mkdirSync(artifacts, { recursive: true });
});

test("online: Renew → Online → Renew installs a later certificate", async ({ page }) => {
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  const before = await expiration(page);

  const dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Online" }).check();
  await page.screenshot(shot("renew-dialog-online"));
  await expectAccessible(page);
  // Keyboard: the dialog traps focus and Escape closes it.
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(resources(page).getByRole("button", { name: "Renew", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await renewOnline(dialog);
  await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible({ timeout: 30_000 });
  await page.screenshot(shot("renew-dialog-online-success"));

  // Step 14 without a manual reload: Cluster resources shows the new date.
  await expect.poll(() => expiration(page)).toBeGreaterThan(before);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  expect((await expiration(page)) - Date.now()).toBeGreaterThan(300 * 86_400_000);
});

test("keyboard: Enter opens, Tab and arrows choose the method, Space consents, Escape closes; online warns before replacing a pending request", async ({
  page,
}) => {
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  // A pending offline request first, so that online renewal has something to warn about. Exported from a dialog the
  // address opened on Online (?renew=online: how Renew opens it without JavaScript, or pressed before the scripts ran):
  // closing it takes ?renew out of the address, and the next opening starts on the path the page suggests now.
  const clusterPath = new URL(page.url()).pathname;
  await page.goto(`${clusterPath}?renew=online`);
  let dialog = page.getByRole("dialog", { name: RENEW_DIALOG });
  await expect(dialog.getByRole("radio", { name: "Online" })).toBeChecked();
  await exportRequest(page, dialog, path.join(artifacts, "request-keyboard.xml"));
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(pendingRequest(page)).toBeVisible();
  await expect(page).toHaveURL(clusterPath);
  const before = await expiration(page);

  const renew = resources(page).getByRole("button", { name: "Renew", exact: true });
  await renew.focus();
  await page.keyboard.press("Enter");
  dialog = page.getByRole("dialog", { name: RENEW_DIALOG });
  await expect(dialog).toBeVisible();
  const online = dialog.getByRole("radio", { name: "Online" });
  const offline = dialog.getByRole("radio", { name: "Offline" });
  await expect(offline).toBeChecked(); // a request is pending: the dialog opens on its path
  await offline.focus();
  await page.keyboard.press("ArrowLeft");
  await expect(online).toBeChecked();
  await expect(online).toBeFocused();
  await page.keyboard.press("Tab");
  const consent = dialog.getByRole("checkbox", { name: /Replace the pending offline request/ });
  await expect(consent).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Renew", exact: true })).toBeFocused();
  // Without the consent the form is not sent (the browser says the box is required); nothing changes.
  await page.keyboard.press("Enter");
  expect(await consent.evaluate((input) => (input as HTMLInputElement).validity.valueMissing)).toBe(true);
  expect(await expiration(page)).toBe(before);
  await page.screenshot(shot("renew-dialog-online-pending-warning"));
  await expectAccessible(page);
  // The browser moves focus to the box it asks for.
  await expect(consent).toBeFocused();
  await page.keyboard.press("Space");
  await expect(consent).toBeChecked();
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  // The certificate was renewed moments ago (the first walkthrough): the new one gains under 30 days, so online renewal
  // asks first — the offline confirmation, its sentence, focus on its question, Yes on screen — and Yes installs it.
  const question = dialog.getByRole("heading", { name: "Install this certificate?" });
  await expect(question).toBeFocused({ timeout: 30_000 });
  await expect(dialog.getByRole("alert")).toHaveText(/^Warning: this certificate extends the current one by less than 30 days\./);
  await expect(dialog).toContainText("online renewal asks first when the current certificate has more than 30 days left");
  await expect(dialog.locator("summary")).toContainText("warning: extends the current certificate by less than 30 days");
  await expect(dialog.getByRole("button", { name: "Yes", exact: true })).toBeInViewport();
  await page.screenshot(shot("renew-dialog-online-confirm"));
  await expectAccessible(page);
  expect(await expiration(page)).toBe(before);
  await page.keyboard.press("Tab"); // No
  await page.keyboard.press("Tab"); // Yes
  await expect(dialog.getByRole("button", { name: "Yes", exact: true })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByRole("heading", { name: "Result" })).toBeFocused();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(renew).toBeFocused();
  await expect(pendingRequest(page)).toBeHidden();
  expect(await expiration(page)).toBeGreaterThan(before);
  // The page was refreshed after the renewal: the router took the address without ?renew and did not write it back.
  await expect(page).toHaveURL(clusterPath);
});

test("a method chosen before the page's scripts ran stays chosen when the dialog becomes modal", async ({ page }) => {
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  const clusterPath = new URL(page.url()).pathname;
  // The page's scripts held back, as on a slow connection: the dialog the address opens is the one in the page.
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const script = (url: URL) => url.pathname.startsWith("/_next/static/") && url.pathname.endsWith(".js");
  await page.route(script, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${clusterPath}?renew=online`, { waitUntil: "commit" });
  const dialog = page.getByRole("dialog", { name: RENEW_DIALOG });
  const offline = dialog.getByRole("radio", { name: "Offline" });
  await offline.check();
  expect(await dialog.evaluate((element) => element.matches(":modal"))).toBe(false);
  // The page-to-modal switch closes the dialog for a moment; its close event comes a task later. Caught here, then
  // two frames for whatever the page does with it to render.
  const closeEvent = await dialog.evaluateHandle((element) => ({
    seen: new Promise<void>((resolve) => element.addEventListener("close", () => resolve(), { once: true })),
  }));
  release();
  await expect.poll(() => dialog.evaluate((element) => element.matches(":modal"))).toBe(true);
  await closeEvent.evaluate((event) => event.seen);
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await expect(offline).toBeChecked();
  await expect(dialog.getByRole("heading", { name: "Offline renewal" })).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(dialog).toBeHidden();
  // Closed for good: the address no longer asks for the dialog, so a reload shows the page without it.
  await expect(page).toHaveURL((url) => url.pathname === clusterPath && !url.searchParams.has("renew"));
  await page.reload();
  await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
  await expect(dialog).toBeHidden();
});

test("offline: Export → enrollment web site → Browse → Import → Yes, and the same file is refused afterwards", async ({
  page,
  context,
}) => {
  // Export, the enrollment web site, Import twice: past the default 60 s on a loaded machine.
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  const before = await expiration(page);
  const serverName =
    (await page
      .getByRole("region", { name: "Cluster information" })
      .getByText(/^[A-Za-z0-9-]+$/)
      .first()
      .textContent()) ?? "";

  // Steps 4–7: Offline → Export downloads <servername>RenewalRequest.xml.
  let dialog = await openRenew(page);
  const requestPath = path.join(artifacts, "request.xml");
  const suggested = await exportRequest(page, dialog, requestPath);
  expect(suggested).toBe(`${serverName}RenewalRequest.xml`);
  expect(xmlsecVerifiesRequest(requestPath)).toBe(true);
  await expect(dialog.getByRole("status").filter({ hasText: "was exported" })).toBeVisible();
  // Focus moves to the next step, Import, and the progress shows it.
  await expect(dialog.getByRole("heading", { name: "Step 3 of 4: Import the certificate" })).toBeFocused();
  // The same step as the pending card: exported, the request is to be signed (the console cannot know it was).
  const steps = dialog.getByRole("navigation", { name: "Offline renewal steps" });
  await expect(steps.locator('[aria-current="step"]')).toContainText("Sign it at the enrollment service");
  await page.screenshot(shot("renew-dialog-exported"));
  await dialog.getByRole("button", { name: "Close" }).click();

  // The request is pending, visible, and survives a reload.
  await page.reload();
  const pending = pendingRequest(page);
  await expect(definitionOf(pending, "By")).toHaveText(/\\alice$/);
  const requestId = (await definitionOf(pending, "Request ID").textContent())?.trim() ?? "";
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

  // Steps 8–10: the enrollment service's web site signs it.
  const { enrollmentUrl } = readState();
  const station = await context.newPage();
  await station.goto(enrollmentUrl);
  await station.getByLabel("Request file").setInputFiles(requestPath);
  await station.getByRole("button", { name: "Submit" }).click();
  // The stack's service is open: a request is signed at once, and the page shows the console's identifiers.
  await expect(station.getByRole("heading", { level: 1, name: "Certificate issued" })).toBeVisible();
  await expect(definitionOf(station, "Server name")).toHaveText(serverName);
  await expect(definitionOf(station, "Request ID")).toHaveText(requestId);
  await station.screenshot(shot("enrollment-submission"));
  const slcDownload = station.waitForEvent("download");
  await station.getByRole("link", { name: "Download certificate" }).click();
  const slcPath = path.join(artifacts, "slc.xml");
  await (await slcDownload).saveAs(slcPath);
  await station.close();

  // Steps 11–13: Renew → Browse → Import → checks listed → Yes.
  dialog = await openRenew(page);
  await expect(dialog.getByRole("radio", { name: "Offline" })).toBeChecked();
  await dialog.getByLabel("Browse").setInputFiles(slcPath);
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("heading", { name: "Install this certificate?" })).toBeFocused();
  await expect(dialog.getByRole("status").filter({ hasText: "Install this certificate?" })).toHaveCount(1);
  // A laptop screen (1280×800): Yes and No without scrolling; the detail folded behind a summary naming the checks.
  await expect(dialog.getByRole("button", { name: "Yes" })).toBeInViewport();
  await expect(dialog.getByRole("button", { name: "No", exact: true })).toBeInViewport();
  await expect(dialog.getByRole("button", { name: "Decide later — keep the request pending" })).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Close" })).toHaveCount(0);
  await expect(dialog.getByRole("term").filter({ hasText: "Request ID" })).toBeHidden();
  await page.screenshot(shot("renew-dialog-confirm-folded"));
  // The summary names the checks, and the short-gain warning when there is one (after an earlier renewal in this run).
  await expect(await showConfirmDetails(dialog)).toHaveText(/^Details: all 13 checks passed(, the request|; warning: extends)/);
  await expect(definitionOf(dialog, "Request ID")).toHaveText(requestId);
  await expect(dialog.getByTestId("expiry-gain")).toHaveText(/^\+\d+ days$/);
  const checks = dialog.getByRole("list", { name: "Checks" }).getByRole("listitem");
  await expect(checks).toHaveCount(CHECK_NAMES.length);
  for (const item of await checks.all()) await expect(item).toContainText("Passed");
  await expect(dialog).toContainText(serverName);
  await page.screenshot(shot("renew-dialog-confirm"));
  await expectAccessible(page);
  await dialog.getByRole("button", { name: "Yes" }).click();
  await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible();
  await expect(dialog.getByRole("heading", { name: "Result" })).toBeFocused();
  // Installed: every step done, nothing new offered — Close, not a new Export.
  await expect(steps.locator('[aria-current="step"]')).toHaveCount(0);
  await expect(steps.getByRole("listitem").filter({ hasText: "✓" })).toHaveCount(4);
  await expect(dialog.getByRole("button", { name: "Export" })).toHaveCount(0);
  await expect(dialog.getByRole("button", { name: "Import" })).toHaveCount(0);
  await page.screenshot(shot("renew-dialog-imported"));

  // Step 14: the new expiration date, and the request is no longer pending.
  await expect.poll(() => expiration(page)).toBeGreaterThan(before);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(pendingRequest(page)).toBeHidden();

  // Importing the same file again is refused, even against a fresh request.
  const installed = await expiration(page);
  dialog = await openRenew(page);
  await exportRequest(page, dialog, path.join(artifacts, "request-2.xml"));
  await dialog.getByLabel("Browse").setInputFiles(slcPath);
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("alert").filter({ hasText: "Answers the open request" })).toBeVisible();
  await page.screenshot(shot("renew-dialog-replay-refused"));
  await dialog.getByRole("button", { name: "Close" }).click();
  expect(await expiration(page)).toBe(installed);

  // Cancel request asks first and says what it means; then withdraws it.
  await pendingRequest(page).getByText("Cancel request", { exact: true }).click();
  await expect(pendingRequest(page)).toContainText("a certificate already signed for this request can no longer be imported");
  await page.screenshot(shot("pending-cancel-confirm"));
  await pendingRequest(page).getByRole("button", { name: "Yes, cancel the request" }).click();
  await expect(resources(page).getByText("was cancelled")).toBeVisible();
  await page.reload();
  await expect(pendingRequest(page)).toBeHidden();

  // The history shows the import, and the audit log each step.
  await page
    .getByRole("region", { name: "Administration links" })
    .getByRole("link", { name: "Server licensor certificate history" })
    .click();
  await expect(page.getByRole("table")).toContainText("Offline import");
  await expectAudited(page, ["request_exported", "import_confirmed", "import_rejected", "request_cancelled"]);
});

test("a tampered certificate is rejected with the failed check named, and nothing changes", async ({ page, context }) => {
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  const before = await expiration(page);
  let dialog = await openRenew(page);
  const requestPath = path.join(artifacts, "request-tamper.xml");
  await exportRequest(page, dialog, requestPath);
  await dialog.getByRole("button", { name: "Close" }).click();

  const station = await context.newPage();
  await station.goto(readState().enrollmentUrl);
  await station.getByLabel("Request file").setInputFiles(requestPath);
  await station.getByRole("button", { name: "Submit" }).click();
  await expect(station.getByRole("heading", { level: 1, name: "Certificate issued" })).toBeVisible();
  const slcDownload = station.waitForEvent("download");
  await station.getByRole("link", { name: "Download certificate" }).click();
  const slcPath = path.join(artifacts, "slc-tamper.xml");
  await (await slcDownload).saveAs(slcPath);
  await station.close();

  // One changed character in the signed validity date.
  const original = fs.readFileSync(slcPath, "utf8");
  const tampered = original.replace(/(<UNTIL>\d{3})(\d)/, (_m, head: string, digit: string) => `${head}${(Number(digit) + 1) % 10}`);
  expect(tampered).not.toBe(original);
  const tamperedPath = path.join(artifacts, "slc-tampered.xml");
  fs.writeFileSync(tamperedPath, tampered);

  dialog = await openRenew(page);
  await dialog.getByLabel("Browse").setInputFiles(tamperedPath);
  await dialog.getByRole("button", { name: "Import" }).click();
  const alert = dialog.getByRole("alert").filter({ hasText: "was rejected" });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText("Signature");
  await expect(dialog.locator('[data-check="signature"]')).toHaveAttribute("data-status", "failed");
  await page.screenshot(shot("renew-dialog-tampered"));
  await dialog.getByRole("button", { name: "Close" }).click();
  expect(await expiration(page)).toBe(before);
  // The request stays pending: the genuine file can still be imported.
  await expect(pendingRequest(page)).toBeVisible();
  // The audit log's sentence names the failed check and the reason in words, not only Raw details.
  await page.goto("/audit");
  await expect(page.locator('tr[data-action="import_rejected"]').first()).toContainText(
    /the check “[^”]+” failed: (the file's content was changed after it was signed|the signature does not match the file)/,
  );
});

test("enrollment service stopped: a clear error suggesting Offline, and the date is unchanged", async ({ page }) => {
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  const before = await expiration(page);
  await stopEnrollment();
  try {
    const dialog = await openRenew(page);
    await renewOnline(dialog);
    const alert = dialog.getByRole("alert").filter({ hasText: "could not be reached" });
    await expect(alert).toBeVisible({ timeout: 30_000 });
    await expect(alert).toContainText("Offline");
    await page.screenshot(shot("renew-dialog-unreachable"));
    // One click to the offline path.
    await dialog.getByRole("button", { name: "Use Offline instead" }).click();
    await expect(dialog.getByRole("radio", { name: "Offline" })).toBeChecked();
    await expect(dialog.getByRole("heading", { name: "Offline renewal" })).toBeFocused();
    await expect(dialog.getByRole("button", { name: "Export" })).toBeVisible();
    await dialog.getByRole("button", { name: "Close" }).click();
    await page.reload();
    expect(await expiration(page)).toBe(before);
  } finally {
    await startEnrollment();
  }
  await expectAudited(page, ["renew_online_failed"]);
});

/** The audit log (as the signed-in administrator) has a row for each of these actions. */
async function expectAudited(page: Page, actions: string[]): Promise<void> {
  await page.goto("/audit");
  await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  for (const action of actions) await expect(page.locator(`tr[data-action="${action}"]`).first()).toBeVisible();
}

test("the SLC history and the audit log record what happened", async ({ page }) => {
  // Its own renewal first, so that the history has at least the first certificate and this one, whatever ran before.
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  const before = await expiration(page);
  const dialog = await openRenew(page);
  await renewOnline(dialog);
  await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible({ timeout: 30_000 });
  await expect.poll(() => expiration(page)).toBeGreaterThan(before);
  await dialog.getByRole("button", { name: "Close" }).click();

  await page
    .getByRole("region", { name: "Administration links" })
    .getByRole("link", { name: "Server licensor certificate history" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Server licensor certificate history" })).toBeVisible();
  const table = page.getByRole("table");
  expect(await table.getByRole("row").count()).toBeGreaterThanOrEqual(3); // header + enrollment + this renewal
  await expect(page.locator('tr[data-active="true"]')).toHaveCount(1);
  await expect(table).toContainText("Enrollment");
  await expect(table).toContainText("Online renewal");
  await page.screenshot(shot("history"));
  await expectAccessible(page);

  // Installed at once (renew_online_succeeded), or — after an earlier renewal in this run, a gain under 30 days —
  // asked first (renew_online_asked closes the started event) and installed by Yes as an online renewal
  // (renew_online_confirmed), as the keyboard walkthrough above did; never an offline import.
  await expectAudited(page, ["renew_online_started", "renew_online_asked", "renew_online_confirmed"]);
  await expect(page.locator('tr[data-action="renew_online_confirmed"]').first()).toContainText(
    "Renewed the server licensor certificate online after confirmation",
  );
  await page.screenshot(shot("audit-log"));
  await expectAccessible(page);
});

test("a non-administrator can neither see nor call any of it", async ({ page, request, playwright }) => {
  // Signs out below, so its own sign-ins: signing out would end the saved session every other walkthrough resumes.
  await signIn(page, "admin");
  const clusterUrl =
    (await page
      .getByRole("row", { name: /Default Web Site/ })
      .getByRole("link", { name: "Administer RMS on this Web site" })
      .getAttribute("href")) ?? "";
  expect(clusterUrl).toMatch(/^\/clusters\/[0-9a-f-]{36}$/);
  // The administrator's own Renew → Online → Renew request, held back from the server, for the user to replay below.
  await page.goto(clusterUrl);
  const dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Online" }).check();
  const renew = await captureAction(page, clusterUrl, () => dialog.getByRole("button", { name: "Renew", exact: true }).click());
  await page.goto("/");
  await signOut(page);

  await signIn(page, "user");
  const response = await page.goto(clusterUrl);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "Access denied" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Renew", exact: true })).toHaveCount(0);

  const origin = readState().consoleUrl;
  const cookies = await page.context().cookies();
  const cookieHeader = cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  const exportAsUser = await request.post(`${clusterUrl}/renewal-request`, { headers: { Origin: origin, Cookie: cookieHeader } });
  expect(exportAsUser.status()).toBe(403);
  const downloadAsUser = await request.get(`${clusterUrl}/renewal-request`, { headers: { Cookie: cookieHeader } });
  expect(downloadAsUser.status()).toBe(403);

  // The server action itself, the browser's request replayed as the user and with no session at all.
  expect((await replayAction(renew, { cookie: cookieHeader })).status).toBe(403);
  // Without a session the action does not run; the browser is sent to sign-in (and back to the page afterwards).
  expect((await replayAction(renew, { cookie: null })).redirect).toMatch(/^\/sign-in\?next=%2Fclusters%2F/);
  const anonymous = await playwright.request.newContext({ baseURL: origin });
  const crossSite = await anonymous.post(`${clusterUrl}/renewal-request`, { headers: { Origin: "http://evil.example" } });
  expect(crossSite.status()).toBe(403);
  await anonymous.dispose();

  // Every denial was audited (checked as the administrator).
  await signOut(page);
  await signIn(page, "admin");
  await page.goto("/audit");
  await expect(page.locator('tr[data-action="access_denied"]').first()).toContainText("bob");
});
