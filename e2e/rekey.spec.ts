// Re-key through the pages: the administrator gives the walkthrough's own cluster a new key pair (Online), the e2e stack's
// enrollment service holds the request for its operator whatever its policy, the operator approves it on the service's
// web site (shown as a re-key naming the certificate it replaces), the console installs the certificate for the new
// key and the old key is gone; then an offline re-key without JavaScript (download the request, cancel), Swedish, and a
// non-administrator refused. The cluster is its own (provisioned and enrolled through the pages on a spare web site):
// a re-key replaces the key and certificate for good, which the demo cluster's other walkthroughs must not see.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { program, ROOT } from "../tests/support/processes";
import { definitionOf, expectAccessible, openAdministration } from "./support/console";
import { expect, type Page, test } from "./support/fixtures";
import { provisionOwnCluster } from "./support/own-cluster";
import { resumeSignIn, shot, signIn, signOut } from "./support/session";
import { readState, startEnrollment, stopEnrollment } from "./support/stack";

const REKEY = "Re-key the cluster";

async function shootBoth(page: Page, name: string): Promise<void> {
  await page.screenshot(shot(name));
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot(shot(`${name}-390`));
  if (desktop) await page.setViewportSize(desktop);
}

/** An operator account on the stack's running enrollment service (through its admin socket). */
function addOperator(): { name: string; password: string } {
  const operator = { name: `rekey-${randomBytes(3).toString("hex")}`, password: `0per-${randomBytes(8).toString("hex")}-ator` };
  const result = spawnSync(process.execPath, program("enrollment", "operators", "add", operator.name, "--password-stdin"), {
    cwd: ROOT,
    env: { ...process.env, RMS_ENROLLMENT_DATA_DIR: path.join(readState().dataDir, "enrollment") },
    input: `${operator.password}\n`,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`adding the operator failed: ${result.stdout}${result.stderr}`);
  return operator;
}

let clusterPath = "";

test.beforeAll(async ({ browser }) => {
  test.setTimeout(120_000);
  clusterPath = await provisionOwnCluster(browser, "rekey");
});

/** The own cluster's re-key page, reached as the security page's "Re-key…" link would (by its address). */
async function openRekey(page: Page): Promise<void> {
  await page.goto(`${clusterPath}/security/rekey`);
  await expect(page.getByRole("heading", { level: 1, name: REKEY })).toBeVisible();
}

function currentKey(page: Page) {
  return definitionOf(page.getByRole("region", { name: "Current key" }), "Public-key fingerprint (SHA-256)");
}

test("re-key online: held for the operator, approved on the enrollment web site, installed; the old key is gone", async ({
  page,
  browser,
}) => {
  test.setTimeout(180_000);
  const operatorAccount = addOperator();
  await resumeSignIn(page, "admin");
  await openRekey(page);
  const oldKey = (await currentKey(page).textContent())?.trim() ?? "";
  expect(oldKey).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const serial = (await definitionOf(page, "SLC serial number").textContent())?.trim() ?? "";
  await shootBoth(page, "rekey-start");
  await expectAccessible(page);

  // Online → Generate a new key pair: the request goes to the service, which holds it for its operator.
  const start = page.getByRole("region", { name: "Start a re-key" });
  await start.getByRole("radio", { name: "Online" }).check();
  await start.getByRole("button", { name: "Generate a new key pair" }).click();
  await expect(page.getByRole("status").filter({ hasText: "holds the re-key request for its operator's approval" })).toBeVisible();
  const pending = page.getByRole("region", { name: "Pending re-key" });
  await expect(definitionOf(pending, "Status")).toContainText("Sent online");
  await expect(definitionOf(pending, "Replaces SLC serial number")).toHaveText(serial);
  const newKey = (await definitionOf(pending, "New public-key fingerprint (SHA-256)").textContent())?.trim() ?? "";
  expect(newKey).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  expect(newKey).not.toBe(oldKey);
  // The current key stays the key until the new certificate is installed.
  await expect(currentKey(page)).toHaveText(oldKey);
  await shootBoth(page, "rekey-held");
  await expectAccessible(page);
  // Checking before the operator decided: still held, nothing installed.
  await pending.getByRole("button", { name: "Check for the approved certificate" }).click();
  await expect(page.getByRole("status").filter({ hasText: "holds the re-key request" })).toBeVisible();
  await expect(currentKey(page)).toHaveText(oldKey);

  // The operator, on the enrollment service's web site: a re-key, naming the certificate it replaces; Approve.
  const operatorContext = await browser.newContext({ locale: "en-GB", timezoneId: "UTC" });
  try {
    const operator = await operatorContext.newPage();
    await operator.goto(`${readState().enrollmentUrl}/operator/sign-in`);
    await operator.getByLabel("Operator name").fill(operatorAccount.name);
    await operator.getByLabel("Password").fill(operatorAccount.password);
    await operator.getByRole("button", { name: "Sign in" }).click();
    await expect(operator.getByRole("heading", { level: 1, name: "Requests awaiting approval" })).toBeVisible();
    const request = operator.getByRole("article").filter({ hasText: "Re-key: a registered cluster asks to replace its key." });
    await expect(request).toHaveCount(1);
    await expect(definitionOf(request, "Replaces SLC serial number")).toHaveText(serial);
    await expect(definitionOf(request, "New public-key fingerprint (SHA-256)")).toHaveText(newKey);
    await shootBoth(operator, "rekey-operator");
    await expectAccessible(operator);
    await operator.getByRole("banner").getByRole("button", { name: "Svenska" }).click();
    await expect(operator.getByRole("article").filter({ hasText: "Nyckelbyte: ett registrerat kluster vill byta nyckel." })).toHaveCount(1);
    await expect(definitionOf(operator.getByRole("article"), "Ersätter SLC-serienummer")).toHaveText(serial);
    await shootBoth(operator, "rekey-operator-sv");
    await operator.getByRole("button", { name: "English" }).click();
    await request.getByRole("button", { name: /^Approve the request from / }).click();
    await expect(operator.getByRole("status")).toHaveText("The request was approved and its certificate issued.");
    await expect(operator.getByRole("listitem").filter({ hasText: "(re-key)" }).first()).toBeVisible();
  } finally {
    await operatorContext.close();
  }

  // Back in the console: the approved certificate is checked against the new key and installed.
  await pending.getByRole("button", { name: "Check for the approved certificate" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The cluster was re-keyed" })).toBeVisible();
  await expect(currentKey(page)).toHaveText(newKey);
  await expect(page.getByRole("region", { name: "Pending re-key" })).toHaveCount(0);
  await expect(definitionOf(page, "SLC serial number")).not.toHaveText(serial);
  await shootBoth(page, "rekey-installed");
  await expectAccessible(page);

  // The audit log tells it, old key destroyed.
  await page.goto("/audit?action=rekey_installed");
  await expect(
    page.getByText(`the new key (public-key fingerprint ${newKey}) is now the cluster’s key and the old key was destroyed`),
  ).toBeVisible();
});

test("an online re-key the service does not take: the page says so, Send gives the reason, cancel discards the key", async ({ page }) => {
  test.setTimeout(120_000);
  await resumeSignIn(page, "admin");
  await openRekey(page);
  const key = (await currentKey(page).textContent())?.trim() ?? "";
  await stopEnrollment();
  try {
    await page.getByRole("radio", { name: "Online" }).check();
    await page.getByRole("button", { name: "Generate a new key pair" }).click();
    // The start form gives way to the pending re-key: the page itself says the request was not taken.
    await expect(page.getByRole("alert").filter({ hasText: "the enrollment service did not take its request" })).toBeVisible();
    const pending = page.getByRole("region", { name: "Pending re-key" });
    await expect(definitionOf(pending, "Status")).toHaveText("Not sent yet. Send it online, or download the request file.");
    await shootBoth(page, "rekey-unsent");
    await expectAccessible(page);
    await pending.getByRole("button", { name: "Send to the enrollment service" }).click();
    await expect(pending.getByRole("alert").filter({ hasText: "could not be reached. Nothing was changed." })).toBeVisible({
      timeout: 30_000,
    });
    await page.getByText("Cancel the re-key", { exact: true }).click();
    await pending.getByRole("button", { name: "Yes, cancel the re-key" }).click();
    await expect(page.getByRole("status").filter({ hasText: "The re-key was cancelled" })).toBeVisible();
    await expect(currentKey(page)).toHaveText(key);
  } finally {
    await startEnrollment();
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("an offline re-key: the request file downloads, Swedish wording, cancel discards the new key", async ({ page }) => {
    await resumeSignIn(page, "admin");
    await openRekey(page);
    const key = (await currentKey(page).textContent())?.trim() ?? "";
    await page.getByRole("radio", { name: "Offline" }).check();
    await page.getByRole("button", { name: "Generate a new key pair" }).click();
    await expect(page.getByRole("status").filter({ hasText: "A new key pair was generated" })).toBeVisible();
    const pending = page.getByRole("region", { name: "Pending re-key" });
    await expect(definitionOf(pending, "Status")).toHaveText("Not sent yet. Send it online, or download the request file.");
    const download = page.waitForEvent("download");
    await pending.getByRole("button", { name: "Download the re-key request" }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/RekeyRequest\.xml$/);
    await page.goto(page.url());
    await expect(definitionOf(pending, "Status")).toContainText("The request file was downloaded");

    // Importing without a file says so and changes nothing.
    await pending.getByRole("button", { name: "Import and install" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Choose the certificate file first" })).toBeVisible();

    // Swedish, in TechNet's words.
    await page.getByRole("button", { name: "Svenska" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Byt klusternyckel" })).toBeVisible();
    const väntande = page.getByRole("region", { name: "Väntande nyckelbyte" });
    await expect(väntande.getByRole("button", { name: "Hämta begäran om nyckelbyte" })).toBeVisible();
    await page.getByText("Avbryt nyckelbytet", { exact: true }).click();
    await shootBoth(page, "rekey-pending-sv");
    await väntande.getByRole("button", { name: "Ja, avbryt nyckelbytet" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Nyckelbytet avbröts" })).toBeVisible();
    await expect(page.getByRole("region", { name: "Väntande nyckelbyte" })).toHaveCount(0);
    await expect(
      definitionOf(page.getByRole("region", { name: "Nuvarande nyckel" }), "Den offentliga nyckelns fingeravtryck (SHA-256)"),
    ).toHaveText(key);
    await shootBoth(page, "rekey-cancelled-sv");
    await page.getByRole("button", { name: "English" }).click();
    await expect(page.getByRole("heading", { level: 1, name: REKEY })).toBeVisible();
  });
});

test("a non-administrator is refused the re-key page", async ({ page }) => {
  // Signs out below, so its own sign-ins: signing out would end the saved session every other walkthrough resumes.
  await signIn(page, "admin");
  await openAdministration(page);
  const clusterPath = new URL(page.url()).pathname;
  await signOut(page);
  await signIn(page, "user");
  const response = await page.goto(`${clusterPath}/security/rekey`);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1, name: REKEY })).toHaveCount(0);
});
