// The approval flow end to end in the browser, against a second enrollment service under policy `approval` (same
// CA as the stack's, a store of its own: the demo cluster is a new cluster there): the console exports a request, the
// service's web site holds it, its operator approves it, the submitter comes back by request ID for the certificate,
// and the console imports it. The same file uploaded again gets the answer it already had.
import fs from "node:fs";
import path from "node:path";
import { CHECK_NAMES } from "@/lib/core/certificates/verify-slc";
import { type ApprovalService, expect, type Page, test } from "./support/approval-service";
import {
  definitionOf,
  expectAccessible,
  expiration,
  openAdministration,
  openRenew,
  pendingRequest,
  showConfirmDetails,
} from "./support/console";
import { resumeSignIn, shot } from "./support/session";

const artifacts = path.join("test-results", "enrollment-approval");

/** The text of the first capture group of `pattern` in a downloaded file, or a clear failure. */
function fromFile(xml: string, pattern: RegExp, what: string): string {
  const value = pattern.exec(xml)?.[1];
  if (!value) throw new Error(`the file has no ${what}`);
  return value;
}

/** Full-page screenshots at the configured desktop width and at a 390 px phone width. */
async function shootBoth(page: Page, name: string): Promise<void> {
  await page.screenshot(shot(name));
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot(shot(`${name}-390`));
  if (desktop) await page.setViewportSize(desktop);
}

/** The station's start page: "Come back for a certificate" with a request ID. */
async function comeBack(station: Page, service: ApprovalService, requestId: string): Promise<void> {
  await station.goto(service.url);
  const lookup = station.getByRole("region", { name: "Come back for a certificate" });
  await lookup.getByLabel("Request ID").fill(requestId);
  await lookup.getByRole("button", { name: "Look up" }).click();
}

async function upload(station: Page, service: ApprovalService, file: string): Promise<void> {
  await station.goto(service.url);
  await station.getByLabel("Request file").setInputFiles(file);
  await station.getByRole("button", { name: "Submit" }).click();
}

test.beforeAll(() => {
  fs.mkdirSync(artifacts, { recursive: true });
});

test("the station's pages are styled: its Content-Security-Policy allows their stylesheet", async ({ page, approvalService }) => {
  const refusals: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && message.text().includes("Content Security Policy")) refusals.push(message.text());
  });
  for (const address of ["/", "/operator/sign-in"]) {
    await page.goto(`${approvalService.url}${address}`);
    // Unstyled, the header has no background of its own.
    await expect(page.getByRole("banner"), address).not.toHaveCSS("background-color", "rgba(0, 0, 0, 0)");
  }
  // Chromium reports what the policy blocks ("Applying inline style violates … Content Security Policy …") as a console error.
  expect(refusals).toEqual([]);
});

test("approval: the request waits for the operator, the submitter comes back for the certificate, the console installs it", async ({
  page,
  context,
  browser,
  approvalService,
}) => {
  test.setTimeout(180_000);

  // The console: Renew → Offline → Export.
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  const before = await expiration(page);
  let dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Offline" }).check();
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Export" }).click();
  const exported = await download;
  const requestPath = path.join(artifacts, "request.xml");
  await exported.saveAs(requestPath);
  const requestXml = fs.readFileSync(requestPath, "utf8");
  const serverName = fromFile(requestXml, /<ServerName>([^<]+)<\/ServerName>/, "server name");
  const requestId = fromFile(requestXml, /<RequestId>([0-9a-f-]{36})<\/RequestId>/, "request ID");
  const clusterName = fromFile(requestXml, /<Name>([^<]+)<\/Name>/, "cluster name");
  const guid = fromFile(requestXml, /<GUID>([^<]+)<\/GUID>/, "cluster GUID");
  expect(exported.suggestedFilename()).toBe(`${serverName}RenewalRequest.xml`);
  await dialog.getByRole("button", { name: "Close" }).click();
  // The page afresh, by its path.
  await page.goto(new URL(page.url()).pathname);
  await expect(definitionOf(pendingRequest(page), "Request ID")).toHaveText(requestId);

  // The signing station's web site: the upload is held for approval, with the request ID to come back with.
  const station = await context.newPage();
  await station.goto(approvalService.url);
  await expect(station.getByRole("heading", { level: 1, name: "Submit a renewal request" })).toBeVisible();
  await shootBoth(station, "enrollment-start");
  await expectAccessible(station);
  await upload(station, approvalService, requestPath);
  await expect(station.getByRole("heading", { level: 1, name: "Request awaiting approval" })).toBeVisible();
  const held = station.getByRole("status").filter({ hasText: "Awaiting approval" });
  await expect(held).toContainText(requestId);
  await expect(definitionOf(station, "Request ID")).toHaveText(requestId);
  await expect(definitionOf(station, "Server name")).toHaveText(serverName);
  await expect(station.getByRole("link", { name: "Download certificate" })).toHaveCount(0);
  await shootBoth(station, "enrollment-awaiting-approval");
  await expectAccessible(station);
  // The same file again while it is held: simply still held (nothing was answered yet).
  await upload(station, approvalService, requestPath);
  await expect(station.getByRole("heading", { level: 1, name: "Request awaiting approval" })).toBeVisible();
  await expect(station.getByRole("status").filter({ hasText: "This request was already answered" })).toHaveCount(0);
  // Coming back before the operator decided: still held, still no certificate.
  await comeBack(station, approvalService, requestId);
  await expect(station.getByRole("heading", { level: 1, name: "Request awaiting approval" })).toBeVisible();
  await expect(station.getByRole("link", { name: "Download certificate" })).toHaveCount(0);

  // The operator, in a browser of their own: sign in at /operator, see the one held request, Approve it.
  const operatorContext = await browser.newContext({ locale: "en-GB", timezoneId: "UTC" });
  try {
    const operator = await operatorContext.newPage();
    await operator.goto(`${approvalService.url}/operator`);
    await expect(operator).toHaveURL(/\/operator\/sign-in$/);
    await expect(operator.getByRole("heading", { level: 1, name: "Operator sign-in" })).toBeVisible();
    await shootBoth(operator, "enrollment-operator-sign-in");
    await expectAccessible(operator);
    await operator.getByLabel("Operator name").fill(approvalService.operator.name);
    await operator.getByLabel("Password").fill("not the password");
    await operator.getByRole("button", { name: "Sign in" }).click();
    await expect(operator.getByRole("alert").filter({ hasText: "The operator name or password is wrong." })).toBeVisible();
    await expect(operator.getByLabel("Operator name")).toHaveValue(approvalService.operator.name);
    await operator.getByLabel("Password").fill(approvalService.operator.password);
    await operator.getByRole("button", { name: "Sign in" }).click();

    await expect(operator.getByRole("heading", { level: 1, name: "Requests awaiting approval" })).toBeVisible();
    await expect(operator.getByRole("heading", { name: "Awaiting approval (1)" })).toBeVisible();
    // Held requests (each with Approve); the Issued certificates section below lists SLCs as articles too.
    const requests = operator.getByRole("article").filter({ has: operator.getByRole("button", { name: /^Approve the request from / }) });
    await expect(requests).toHaveCount(1);
    const request = operator.getByRole("article", { name: serverName });
    await expect(request).toContainText("A cluster this service has not enrolled before.");
    await expect(definitionOf(request, "Request ID")).toHaveText(requestId);
    await shootBoth(operator, "enrollment-operator-requests");
    await expectAccessible(operator);
    await request.getByRole("button", { name: `Approve the request from ${serverName}` }).click();
    await expect(operator.getByRole("status")).toHaveText("The request was approved and its certificate issued.");
    // The notice is shown once (post/redirect/get, a consumed cookie): the address carries none, a reload drops it.
    await expect(operator).toHaveURL(new RegExp(`^${approvalService.url}/operator$`));
    await shootBoth(operator, "enrollment-operator-approved");
    await operator.reload();
    await expect(operator.getByRole("heading", { level: 1, name: "Requests awaiting approval" })).toBeVisible();
    await expect(operator.getByRole("status")).toHaveCount(0);
    await expect(operator.getByRole("heading", { name: "Awaiting approval (0)" })).toBeVisible();
    await expect(requests).toHaveCount(0);
    const decision = operator.getByRole("listitem").filter({ hasText: requestId });
    await expect(decision).toContainText(`issued (${approvalService.operator.name})`);
    // Named by cluster, server and GUID: after re-provisioning two clusters may share a server name.
    await expect(decision.getByRole("link")).toHaveText(`${clusterName} (${serverName})`);
    await expect(decision).toContainText(`Cluster GUID ${guid}`);
    await expect(definitionOf(operator, "Cluster name")).toHaveCount(0); // nothing pending now
    // The language switch, as in the console: the operator's page in Swedish, then back.
    await operator.getByRole("banner").getByRole("button", { name: "Svenska" }).click();
    await expect(operator.locator("html")).toHaveAttribute("lang", "sv");
    await expect(operator.getByRole("heading", { level: 1, name: "Begäranden som väntar på godkännande" })).toBeVisible();
    await expect(operator.getByRole("heading", { name: "Senaste besluten" })).toBeVisible();
    // The switch goes back to the same address: the approval is not announced again, in either language.
    await expect(operator.getByRole("status")).toHaveCount(0);
    await expect(operator.getByText("Begäran godkändes")).toHaveCount(0);
    await expect(operator.getByRole("listitem").filter({ hasText: requestId })).toContainText(`Klustrets GUID ${guid}`);
    await expect(operator.getByRole("button", { name: "Svenska" })).toHaveAttribute("aria-pressed", "true");
    await shootBoth(operator, "enrollment-operator-decisions-sv");
    await expectAccessible(operator);
    await operator.getByRole("button", { name: "English" }).click();
    await expect(operator.locator("html")).toHaveAttribute("lang", "en");
    await operator.getByRole("button", { name: "Sign out" }).click();
    await expect(operator).toHaveURL(/\/operator\/sign-in$/);
    await operator.goto(`${approvalService.url}/operator`);
    await expect(operator).toHaveURL(/\/operator\/sign-in$/);
  } finally {
    await operatorContext.close();
  }

  // The station's start page in Swedish: Bläddra, not the browser's own "Choose File", and no file name until one is chosen.
  await station.goto(approvalService.url);
  await station.getByRole("banner").getByRole("button", { name: "Svenska" }).click();
  await expect(station.getByRole("heading", { level: 1, name: "Skicka en förnyelsebegäran" })).toBeVisible();
  await expect(station.getByText("Bläddra", { exact: true })).toBeVisible();
  await expect(station.getByLabel("Begäransfil")).toHaveCSS("color", "rgba(0, 0, 0, 0)");
  await shootBoth(station, "enrollment-start-sv");
  await expectAccessible(station);
  await station.getByRole("button", { name: "English" }).click();
  await expect(station.getByRole("heading", { level: 1, name: "Submit a renewal request" })).toBeVisible();

  // The submitter comes back with the request ID and downloads the certificate.
  await comeBack(station, approvalService, requestId);
  await expect(station.getByRole("heading", { level: 1, name: "Certificate issued" })).toBeVisible();
  await expect(definitionOf(station, "Request ID")).toHaveText(requestId);
  const serial = (await definitionOf(station, "SLC serial number").textContent())?.trim() ?? "";
  const fingerprint = (await definitionOf(station, "SLC fingerprint (SHA-256)").textContent())?.trim() ?? "";
  expect(serial).toMatch(/^[0-9A-F]{16,}$/);
  expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  await shootBoth(station, "enrollment-issued");
  await expectAccessible(station);
  const slcDownload = station.waitForEvent("download");
  await station.getByRole("link", { name: "Download certificate" }).click();
  const slcPath = path.join(artifacts, "slc.xml");
  await (await slcDownload).saveAs(slcPath);
  const slcXml = fs.readFileSync(slcPath, "utf8");
  expect(fromFile(slcXml, /<ID type="serial-number">([0-9A-F]+)<\/ID>/, "serial number")).toBe(serial);
  expect(fromFile(slcXml, /<ID type="request-id">([0-9a-f-]{36})<\/ID>/, "request ID")).toBe(requestId);

  // The same file again: the answer it already had, no new certificate.
  await upload(station, approvalService, requestPath);
  await expect(station.getByRole("status").filter({ hasText: "This request was already answered" })).toBeVisible();
  await expect(station.getByRole("heading", { level: 1, name: "Certificate issued" })).toBeVisible();
  await expect(definitionOf(station, "SLC serial number")).toHaveText(serial);
  await shootBoth(station, "enrollment-already-answered");
  await station.close();

  // The console: Renew → Browse → Import → every check passed → Yes; the new SLC is installed.
  dialog = await openRenew(page);
  await expect(dialog.getByRole("radio", { name: "Offline" })).toBeChecked();
  await dialog.getByLabel("Browse").setInputFiles(slcPath);
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("heading", { name: "Install this certificate?" })).toBeVisible();
  await showConfirmDetails(dialog);
  const checks = dialog.getByRole("list", { name: "Checks" }).getByRole("listitem");
  await expect(checks).toHaveCount(CHECK_NAMES.length);
  for (const item of await checks.all()) await expect(item).toContainText("Passed");
  await expect(definitionOf(dialog, "Issued to (server name)")).toHaveText(serverName);
  // The last: the installed certificate's fingerprint is shown first, beside it.
  await expect(definitionOf(dialog, "SLC fingerprint (SHA-256)").last()).toHaveText(fingerprint);
  await dialog.getByRole("button", { name: "Yes" }).click();
  await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible();
  await expect.poll(() => expiration(page)).toBeGreaterThan(before);
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect(pendingRequest(page)).toHaveCount(0);

  await page
    .getByRole("region", { name: "Administration links" })
    .getByRole("link", { name: "Server licensor certificate history" })
    .click();
  const installed = page.getByRole("row").filter({ hasText: fingerprint });
  await expect(installed).toContainText("Active");
  await expect(installed).toContainText("Offline import");
});
