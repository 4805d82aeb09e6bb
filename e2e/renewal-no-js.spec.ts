// The renewal with JavaScript disabled (hardened browsers): sign-in, sign-out and every step of the seed procedure
// (technet-sv 18124863) as plain forms — online, export (the file downloads), the enrollment service's web site,
// import, No, Yes, Cancel request — with focus on each new step and the same identifiers on every screen.
import fs from "node:fs";
import path from "node:path";
import {
  clusterResources,
  confirmIfAsked,
  definitionOf,
  expiration,
  openAdministration,
  pendingRequest,
  showConfirmDetails,
} from "./support/console";
import { xmlsecVerifiesRequest } from "./support/files";
import { expect, type Page, test } from "./support/fixtures";
import { resumeSignIn, shot, signIn, signOut } from "./support/session";
import { readState } from "./support/stack";

// axe-core needs script in the page, so the accessibility scans run in renewal.spec.ts on the same markup.
test.use({ javaScriptEnabled: false });

const artifacts = path.join("test-results", "renewal-no-js");
test.beforeAll(() => fs.mkdirSync(artifacts, { recursive: true }));

const LABELS = {
  en: {
    renew: "Renew",
    dialog: "Renew server licensor certificate",
    resources: "Cluster resources",
    online: "Online",
    offline: "Offline",
    export: "Export",
    browse: "Browse",
    import: "Import",
    yes: "Yes",
    no: "No",
    confirm: "Install this certificate?",
    renewed: "was renewed",
    pending: "Pending renewal request",
    requestId: "Request ID",
    keyFingerprint: "Public key fingerprint (SHA-256)",
    cancelRequest: "Cancel request",
    cancelConfirm: "Yes, cancel the request",
    cancelled: "was cancelled",
    declined: "Nothing was installed",
  },
  sv: {
    renew: "Förnya",
    dialog: "Förnya serverlicensieringscertifikat",
    resources: "Klusterresurser",
    online: "Online",
    offline: "Offline",
    export: "Exportera",
    browse: "Bläddra",
    import: "Importera",
    yes: "Ja",
    no: "Nej",
    confirm: "Installera det här certifikatet?",
    renewed: "förnyades",
    pending: "Väntande förnyelsebegäran",
    requestId: "Begärans ID",
    keyFingerprint: "Fingeravtryck för offentlig nyckel (SHA-256)",
    cancelRequest: "Avbryt begäran",
    cancelConfirm: "Ja, avbryt begäran",
    cancelled: "avbröts",
    declined: "Inget installerades",
  },
} as const;
type Labels = (typeof LABELS)[keyof typeof LABELS];

/** Renew in Cluster resources: without JavaScript a GET form that opens the dialog in the page. */
async function openRenew(page: Page, l: Labels) {
  await page.getByRole("region", { name: l.resources }).getByRole("button", { name: l.renew, exact: true }).click();
  const dialog = page.getByRole("dialog", { name: l.dialog });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("heading", { level: 2, name: l.dialog })).toBeFocused();
  return dialog;
}

async function switchToSwedish(page: Page) {
  await page.getByRole("button", { name: "Svenska" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "sv");
}

test("sign-in and sign-out work as plain forms", async ({ page }) => {
  await signIn(page, "admin");
  await signOut(page);
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("online renewal without JavaScript, in Swedish", async ({ page }) => {
  const l = LABELS.sv;
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  await switchToSwedish(page);
  const before = await expiration(page);
  const dialog = await openRenew(page, l);
  await dialog.getByRole("radio", { name: l.online }).check();
  await page.screenshot(shot("no-js-sv-renew-dialog"));
  await dialog.getByRole("button", { name: l.renew, exact: true }).click();
  await confirmIfAsked(dialog, l);
  await expect(dialog.getByRole("status").filter({ hasText: l.renewed })).toBeVisible({ timeout: 30_000 });
  // Focus is on the outcome's heading, and Cluster resources already shows the new date (rendered by the server).
  await expect(page.locator("#renew-online-result")).toBeFocused();
  expect(await expiration(page)).toBeGreaterThan(before);
  await page.screenshot(shot("no-js-sv-renew-dialog-renewed"));
});

test("offline renewal without JavaScript: Export → enrollment web site → Import → No, Import → Yes, then Cancel request", async ({
  page,
  context,
}) => {
  const l = LABELS.en;
  await page.setViewportSize({ width: 1280, height: 800 });
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  await page.waitForURL(/\/clusters\/[0-9a-f-]{36}$/);
  const clusterPage = page.url();
  const before = await expiration(page);

  // Export: a plain POST to the renewal-request route; the browser downloads the file and stays on the page.
  let dialog = await openRenew(page, l);
  await dialog.getByRole("radio", { name: l.offline }).check();
  await expect(dialog.getByRole("navigation", { name: "Offline renewal steps" }).locator('[aria-current="step"]')).toContainText("Export");
  await page.screenshot(shot("no-js-renew-dialog-offline"));
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: l.export }).click();
  const requestPath = path.join(artifacts, "request.xml");
  await (await download).saveAs(requestPath);
  expect(xmlsecVerifiesRequest(requestPath)).toBe(true);

  // The pending card: identifiers, and where the administrator is (step 2, the enrollment service's address).
  await page.goto(clusterPage);
  const pending = pendingRequest(page);
  await expect(pending).toBeVisible();
  const requestId = (await definitionOf(pending, l.requestId).textContent())?.trim() ?? "";
  const keyFingerprint = (await definitionOf(pending, l.keyFingerprint).textContent())?.trim() ?? "";
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(keyFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await expect(pending.locator('[aria-current="step"]')).toContainText("Sign it at the enrollment service");
  await expect(pending).toContainText(readState().enrollmentUrl);
  await page.screenshot(shot("no-js-pending-card"));

  // The enrollment service's web site shows the same identifiers with the same labels.
  const station = await context.newPage();
  await station.goto(readState().enrollmentUrl);
  await station.getByLabel("Request file").setInputFiles(requestPath);
  await station.getByRole("button", { name: "Submit" }).click();
  await expect(station.getByRole("heading", { level: 1, name: "Certificate issued" })).toBeVisible();
  await expect(definitionOf(station, l.requestId)).toHaveText(requestId);
  await expect(definitionOf(station, l.keyFingerprint)).toHaveText(keyFingerprint);
  const slcSerial = (await definitionOf(station, "SLC serial number").textContent())?.trim() ?? "";
  const slcFingerprint = (await definitionOf(station, "SLC fingerprint (SHA-256)").textContent())?.trim() ?? "";
  const slcDownload = station.waitForEvent("download");
  await station.getByRole("link", { name: "Download certificate" }).click();
  const slcPath = path.join(artifacts, "slc.xml");
  await (await slcDownload).saveAs(slcPath);
  await station.close();

  // Import (multipart form post): the confirmation, focused, shows the same identifiers, the current and new expiry.
  dialog = await openRenew(page, l);
  await expect(dialog.getByRole("radio", { name: l.offline })).toBeChecked();
  await dialog.getByLabel(l.browse).setInputFiles(slcPath);
  await dialog.getByRole("button", { name: l.import }).click();
  const heading = dialog.getByRole("heading", { name: l.confirm });
  await expect(heading).toBeFocused();
  // Yes and No come before the folded detail, on screen once the confirmation has focus; the third exit says what it does.
  await expect(dialog.getByRole("button", { name: l.yes, exact: true })).toBeInViewport();
  await expect(dialog.getByRole("button", { name: "Decide later — keep the request pending" })).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Close" })).toHaveCount(0);
  await expect(dialog).toContainText("the current certificate stays active until the new one is installed");
  await showConfirmDetails(dialog);
  await expect(definitionOf(dialog, l.requestId)).toHaveText(requestId);
  await expect(definitionOf(dialog, l.keyFingerprint)).toHaveText(keyFingerprint);
  await expect(definitionOf(dialog, "SLC serial number")).toHaveText(slcSerial);
  await expect(definitionOf(dialog, "SLC fingerprint (SHA-256)").last()).toHaveText(slcFingerprint);
  await expect(dialog.getByTestId("expiry-gain")).toHaveText(/^\+\d+ days$/);
  await expect(dialog.getByTestId("current-certificate")).toContainText("Expires");
  await page.screenshot(shot("no-js-renew-dialog-confirm"));

  // No: nothing installed, the request stays pending.
  await dialog.getByRole("button", { name: l.no, exact: true }).click();
  await expect(dialog.getByRole("status").filter({ hasText: l.declined })).toBeVisible();
  await expect(page.locator("#renew-offline-result")).toBeFocused();
  expect(await expiration(page)).toBe(before);

  // Import again, in Swedish on a 390 px phone → Ja installs it; Ja is on screen without scrolling there too.
  await switchToSwedish(page);
  await page.setViewportSize({ width: 390, height: 844 });
  const sv = LABELS.sv;
  dialog = await openRenew(page, sv);
  await dialog.getByLabel(sv.browse).setInputFiles(slcPath);
  await dialog.getByRole("button", { name: sv.import }).click();
  await expect(dialog.getByRole("heading", { name: sv.confirm })).toBeFocused();
  await expect(dialog.getByRole("button", { name: sv.yes, exact: true })).toBeInViewport();
  await expect(dialog.getByRole("button", { name: "Bestäm senare – behåll begäran som väntande" })).toBeVisible();
  await expect(dialog.locator("summary")).toHaveText(/^Detaljer: alla 13 kontroller godkända(, begäran|; varning: förlänger)/);
  await page.screenshot(shot("no-js-sv-390-renew-dialog-confirm"));
  await dialog.getByRole("button", { name: sv.yes, exact: true }).click();
  await expect(dialog.getByRole("status").filter({ hasText: sv.renewed })).toBeVisible();
  await expect(page.locator("#renew-offline-result")).toBeFocused();
  expect(await expiration(page)).toBeGreaterThan(before);
  await expect(pendingRequest(page)).toBeHidden();
  // Installed: every step done; Stäng (Close), not a new Exportera.
  const steps = dialog.getByRole("navigation", { name: "Steg för offlineförnyelse" });
  await expect(steps.locator('[aria-current="step"]')).toHaveCount(0);
  await expect(steps.getByRole("listitem").filter({ hasText: "✓" })).toHaveCount(4);
  await expect(dialog.getByRole("button", { name: sv.export })).toHaveCount(0);
  await expect(dialog.getByRole("button", { name: "Stäng" })).toBeVisible();
  await page.screenshot(shot("no-js-sv-390-renew-dialog-imported"));
  await page.getByRole("button", { name: "English" }).click();
  await page.setViewportSize({ width: 1280, height: 800 });

  // Cancel request: a new export, then the disclosure says what cancelling means and asks before doing it.
  await page.goto(clusterPage);
  dialog = await openRenew(page, l);
  await dialog.getByRole("radio", { name: l.offline }).check();
  const second = page.waitForEvent("download");
  await dialog.getByRole("button", { name: l.export }).click();
  await second;
  await page.goto(clusterPage);
  await pendingRequest(page).getByText(l.cancelRequest, { exact: true }).click();
  await expect(pendingRequest(page)).toContainText("can no longer be imported");
  await page.screenshot(shot("no-js-pending-cancel"));
  await pendingRequest(page).getByRole("button", { name: l.cancelConfirm }).click();
  await expect(clusterResources(page).getByText(l.cancelled)).toBeVisible();
  await expect(pendingRequest(page)).toBeHidden();
});
