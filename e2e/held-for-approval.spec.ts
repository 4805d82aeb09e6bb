// A request the enrollment service holds for its operator's approval is a state of its own. The
// stack's console is restarted against a second enrollment service under policy `approval` (same CA; the demo
// cluster is new there, so its request is held); Online → Renew then says "Held for approval" in an informational
// tone (no red error, no Renew → Offline advice, no Replace checkbox), the pending request says it was sent online
// and waits for the operator, with a link to look it up on the service's web site; "Check for the approved
// certificate" says it still waits, then — after the operator approved it — offers the confirmation, and Yes installs
// it without a file. Without JavaScript first (plain forms), then with it; the console is put back afterwards.

import { expect, type Page, test } from "./support/approval-service";
import {
  clusterResources,
  confirmIfAsked,
  definitionOf,
  expectAccessible,
  expiration,
  openAdministration,
  pendingRequest,
  RENEW_DIALOG,
  showConfirmDetails,
} from "./support/console";
import { resumeSignIn, shot } from "./support/session";
import { readState, restartConsole } from "./support/stack";

const HELD = "holds this request for its operator's approval";

async function shootBoth(page: Page, name: string): Promise<void> {
  await page.screenshot(shot(name));
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot(shot(`${name}-390`));
  if (desktop) await page.setViewportSize(desktop);
}

async function openRenew(page: Page) {
  await clusterResources(page).getByRole("button", { name: "Renew", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: RENEW_DIALOG });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** Renew → Online → Renew (consenting to replace a pending request if asked); the dialog as the answer shows it. */
async function renewOnline(page: Page) {
  const dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Online" }).check();
  const replace = dialog.getByRole("checkbox", { name: /Replace the pending offline request/ });
  if (await replace.count()) await replace.check();
  await dialog.getByRole("button", { name: "Renew", exact: true }).click();
  return page.getByRole("dialog", { name: RENEW_DIALOG });
}

/** The beforeAll's renewal, confirmed if the small-gain rule asks (the installed SLC may be fresh). */
async function renewOnlineAndConfirm(page: Page) {
  const dialog = await renewOnline(page);
  await confirmIfAsked(dialog);
  return dialog;
}

test.describe.configure({ mode: "serial" });

test.beforeAll(async ({ approvalService, browser }) => {
  test.setTimeout(240_000);
  // The approval service shares Playwright's worker with e2e/enrollment-approval.spec.ts, which may leave the demo
  // cluster holding an SLC that service issued (a renewal of it would be issued at once). One online renewal against the
  // stack's own service first makes the installed SLC one the approval service did not issue, so its request is held.
  const page = await browser.newPage({ baseURL: readState().consoleUrl });
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  const dialog = await renewOnlineAndConfirm(page);
  await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible({ timeout: 30_000 });
  await page.close();
  await restartConsole(approvalService.url);
});

test.afterAll(async () => {
  test.setTimeout(240_000);
  await restartConsole(null);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("Online → Renew is held for approval: its own state, the pending request sent online, no Replace checkbox", async ({
    page,
    approvalService,
  }) => {
    test.setTimeout(180_000);
    await resumeSignIn(page, "admin");
    await openAdministration(page);
    let dialog = await renewOnline(page);
    await expect(dialog.getByRole("status").filter({ hasText: HELD })).toBeVisible({ timeout: 30_000 });
    // Not an error, and no advice to take the offline path.
    await expect(dialog.getByRole("alert")).toHaveCount(0);
    await expect(dialog).not.toContainText("Renew → Offline → Browse → Import");
    const outcome = (await dialog.getByRole("status").filter({ hasText: HELD }).textContent()) ?? "";
    const requestId = /request ID ([0-9a-f-]{36})/.exec(outcome)?.[1] ?? "";
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const held = dialog.getByRole("region", { name: "Held for approval" });
    await expect(held).toContainText(requestId);
    await expect(held.getByRole("link", { name: "Look up the request on the enrollment web site" })).toHaveAttribute(
      "href",
      `${approvalService.url}/requests?requestId=${requestId}`,
    );
    await expect(dialog.getByRole("checkbox")).toHaveCount(0);
    await shootBoth(page, "held-dialog-nojs");

    // Asking before the operator decided: still waiting, nothing installed.
    await held.getByRole("button", { name: "Check for the approved certificate" }).click();
    dialog = page.getByRole("dialog", { name: RENEW_DIALOG });
    await expect(dialog.getByRole("status").filter({ hasText: "is still waiting for the operator's approval" })).toBeVisible();
    await expect(dialog.getByRole("alert")).toHaveCount(0);

    // The pending request in Cluster resources: sent online, waiting for the operator; not "Exported … Next: submit".
    await page.goto(page.url().split("?")[0] ?? "/");
    const card = pendingRequest(page);
    await expect(card).toContainText("Sent online, waiting for the operator's approval");
    await expect(card.getByRole("term").filter({ hasText: /^Sent online$/ })).toHaveCount(1);
    await expect(card).not.toContainText("Exported");
    await expect(card).not.toContainText("Next: submit the request");
    await expect(card.getByRole("link", { name: "Look up the request on the enrollment web site" })).toBeVisible();
    await shootBoth(page, "held-pending-nojs");

    // In Swedish: the same states in the page's language.
    await page.getByRole("button", { name: "Svenska" }).click();
    await expect(page.locator("html")).toHaveAttribute("lang", "sv");
    const kort = page.getByRole("region", { name: "Klusterresurser" }).getByRole("region", { name: "Väntande förnyelsebegäran" });
    await expect(kort).toContainText("Skickad online, väntar på operatörens godkännande");
    await expect(kort.getByRole("term").filter({ hasText: /^Skickad online$/ })).toHaveCount(1);
    await expect(kort.getByRole("link", { name: "Slå upp begäran på registreringstjänstens webbplats" })).toBeVisible();
    await page.getByRole("region", { name: "Klusterresurser" }).getByRole("button", { name: "Förnya", exact: true }).click();
    const dialogSv = page.getByRole("dialog", { name: "Förnya serverlicensieringscertifikat" });
    const heldSv = dialogSv.getByRole("region", { name: "Väntar på godkännande" });
    await expect(heldSv).toContainText(`begärans ID ${requestId}`);
    await expect(heldSv.getByRole("button", { name: "Sök efter det godkända certifikatet" })).toBeVisible();
    await expect(dialogSv.getByRole("checkbox")).toHaveCount(0);
    await shootBoth(page, "held-dialog-nojs-sv");
  });
});

test.describe("with JavaScript", () => {
  test("the operator approves; Check for the approved certificate → Yes installs it without a file", async ({
    page,
    browser,
    approvalService,
  }) => {
    test.setTimeout(180_000);
    await resumeSignIn(page, "admin");
    await openAdministration(page);
    const before = await expiration(page);
    const card = pendingRequest(page);
    await expect(card).toContainText("Sent online, waiting for the operator's approval");
    const requestId = (await definitionOf(card, "Request ID").textContent())?.trim() ?? "";
    const serverName =
      (
        await page
          .getByRole("term")
          .filter({ hasText: /^Server name$/ })
          .locator("xpath=following-sibling::dd[1]")
          .textContent()
      )?.trim() ?? "";
    await shootBoth(page, "held-pending-js");
    await expectAccessible(page);

    let dialog = await openRenew(page);
    const held = dialog.getByRole("region", { name: "Held for approval" });
    await expect(held).toContainText("Do not export a new request while this one waits");
    await expect(dialog.getByRole("checkbox")).toHaveCount(0);
    // Offline → Export says what it would do to the held request before it is pressed.
    await dialog.getByRole("radio", { name: "Offline" }).check();
    await expect(dialog).toContainText(`Request ${requestId} waits for the operator's approval. Exporting a new request voids it`);
    await dialog.getByRole("radio", { name: "Online" }).check();
    await expect(dialog.getByRole("button", { name: "Renew", exact: true })).toHaveCount(0);
    await shootBoth(page, "held-dialog-js");
    await expectAccessible(page);

    // The operator approves it on the service's web site.
    const operatorContext = await browser.newContext({ locale: "en-GB", timezoneId: "UTC" });
    try {
      const operator = await operatorContext.newPage();
      await operator.goto(`${approvalService.url}/operator/sign-in`);
      await operator.getByLabel("Operator name").fill(approvalService.operator.name);
      await operator.getByLabel("Password").fill(approvalService.operator.password);
      await operator.getByRole("button", { name: "Sign in" }).click();
      const request = operator.getByRole("article", { name: serverName });
      await expect(definitionOf(request, "Request ID")).toHaveText(requestId);
      await request.getByRole("button", { name: `Approve the request from ${serverName}` }).click();
      await expect(operator.getByRole("status")).toHaveText("The request was approved and its certificate issued.");
    } finally {
      await operatorContext.close();
    }

    // The monitor's round (every 10 s for this console) asks the service too: the card says the certificate is ready.
    await page.keyboard.press("Escape");
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await card.getByTestId("held-status").textContent()) ?? "";
        },
        { timeout: 60_000, intervals: [2_000] },
      )
      .toMatch(/^Approved by the operator \(the console found it at .+\): the certificate is ready\./);
    await shootBoth(page, "held-approved-card-js");
    dialog = await openRenew(page);

    // Check for the approved certificate → the confirmation → Yes: installed without a file.
    await held.getByRole("button", { name: "Check for the approved certificate" }).click();
    await expect(dialog.getByRole("heading", { name: "Install this certificate?" })).toBeVisible({ timeout: 30_000 });
    await showConfirmDetails(dialog);
    await expect(definitionOf(dialog, "Request ID").first()).toHaveText(requestId);
    await expect(dialog).toContainText("The enrollment service issued this certificate for the request its operator approved");
    await shootBoth(page, "held-approved-confirm-js");
    await dialog.getByRole("button", { name: "Yes" }).click();
    await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible({ timeout: 30_000 });
    await expect.poll(() => expiration(page)).toBeGreaterThan(before);
    dialog = page.getByRole("dialog", { name: RENEW_DIALOG });
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(pendingRequest(page)).toHaveCount(0);
  });
});
