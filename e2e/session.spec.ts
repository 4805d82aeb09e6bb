// Session end, understood: an ended session sends the user to sign-in with "Your session has
// ended" and back to the page afterwards, the pending offline request untouched; a stale setup link says so up front.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { clusterResources, definitionOf, expectAccessible, openAdministration, openRenew, pendingRequest } from "./support/console";
import { shot, signIn } from "./support/session";
import { readState } from "./support/stack";

const artifacts = path.join("test-results", "session");

/** Ends the session as a timeout or a sign-out elsewhere would: the browser keeps a cookie the server no longer knows. */
async function endSession(context: BrowserContext): Promise<void> {
  const cookies = await context.cookies();
  const session = cookies.find((cookie) => /rms_session$/.test(cookie.name));
  expect(session, "the session cookie").toBeDefined();
  if (!session) return;
  await context.addCookies([{ ...session, value: randomBytes(32).toString("base64url") }]);
}

async function signInAgain(page: Page): Promise<void> {
  const { admin } = readState();
  await page.getByLabel("User name").fill(admin.userName);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test.beforeAll(() => {
  fs.mkdirSync(artifacts, { recursive: true });
});

test("an ended session: Import → sign-in says so → back on the page, the pending request still there", async ({ page, context }) => {
  await signIn(page, "admin");
  await openAdministration(page);
  await page.waitForURL(/\/clusters\/[0-9a-f-]{36}$/);
  const clusterPath = new URL(page.url()).pathname;

  // Steps 4–7: Offline → Export leaves a pending request.
  let dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Offline" }).check();
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Export" }).click();
  const requestPath = path.join(artifacts, "request.xml");
  await (await download).saveAs(requestPath);
  await expect(pendingRequest(page)).toBeVisible();
  const fingerprint = await definitionOf(pendingRequest(page), "Request fingerprint (SHA-256)").textContent();

  // The session ends while the dialog is open; Import (a server action) goes to sign-in.
  await endSession(context);
  await dialog.getByLabel("Browse").setInputFiles(requestPath);
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.get("next") === clusterPath);
  await expect(page.getByRole("status").filter({ hasText: "Your session has ended" })).toBeVisible();
  // Nobody is named as signed in on the sign-in page.
  await expect(page.getByRole("button", { name: "Sign out" })).toHaveCount(0);
  await expect(page.getByTestId("signed-in-user")).toHaveCount(0);
  await page.screenshot(shot("sign-in-session-ended"));
  await expectAccessible(page);

  // Signing in again returns to the page, and the pending request is still there.
  await signInAgain(page);
  await expect(page).toHaveURL((url) => url.pathname === clusterPath);
  await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
  await expect(pendingRequest(page)).toBeVisible();
  await expect(pendingRequest(page).getByText(fingerprint ?? "")).toBeVisible();

  // A reload with an ended session does the same.
  await endSession(context);
  await page.reload();
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.get("next") === clusterPath);
  await expect(page.getByText("Your session has ended")).toBeVisible();
  await signInAgain(page);
  await expect(pendingRequest(page)).toBeVisible();

  // Export again with an ended session (fetched by the dialog): sign-in, then back.
  await endSession(context);
  dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Offline" }).check();
  await dialog.getByRole("button", { name: "Export" }).click();
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.get("next") === clusterPath);
  await expect(page.getByText("Your session has ended")).toBeVisible();
  await signInAgain(page);
  await expect(pendingRequest(page)).toBeVisible();

  // Clean up: cancel the request this walkthrough exported.
  await pendingRequest(page).getByText("Cancel request", { exact: true }).click();
  await pendingRequest(page).getByRole("button", { name: "Yes, cancel the request" }).click();
  await expect(pendingRequest(page)).toBeHidden();
  await expect(clusterResources(page)).toBeVisible();
});

test("a pending request: the card says when the session ends (no JavaScript, Swedish, 390 px); with JavaScript a warning in time, and Stay signed in", async ({
  page,
  browser,
}) => {
  // The browser's clock is Playwright's, so the warning 25 minutes on is reached without waiting for it.
  await page.clock.install();
  await signIn(page, "admin");
  await openAdministration(page);
  await page.waitForURL(/\/clusters\/[0-9a-f-]{36}$/);
  const clusterUrl = page.url();
  const dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Offline" }).check();
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Export" }).click();
  await download;
  await dialog.getByRole("button", { name: "Close" }).click();
  const card = pendingRequest(page);
  await expect(card.getByTestId("session-ends")).toHaveText(
    /^Your session ends at .+ UTC after 30 minutes without activity\. The pending request is kept/,
  );
  const warning = card.getByRole("alert").filter({ hasText: "Your session ends in less than 5 minutes" });
  await expect(warning).toHaveCount(0);
  await page.clock.fastForward("25:30");
  await expect(warning).toBeVisible();
  await page.screenshot(shot("pending-session-warning"));
  await expectAccessible(page);
  await warning.getByRole("button", { name: "Stay signed in" }).click();
  await expect(warning).toBeHidden();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  // Without JavaScript, in Swedish on a phone: the card says it; there is no timer to warn.
  const noScript = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  try {
    const other = await noScript.newPage();
    await signIn(other, "admin");
    await other.getByRole("button", { name: "Svenska" }).click();
    await other.goto(clusterUrl);
    const kort = other.getByRole("region", { name: "Väntande förnyelsebegäran" });
    await expect(kort.getByTestId("session-ends")).toHaveText(/^Din session avslutas .+ efter 30 minuter utan aktivitet\./);
    await other.screenshot(shot("no-js-sv-390-pending-session-ends"));
  } finally {
    await noScript.close();
  }

  // Clean up: cancel the request this walkthrough exported.
  await card.getByText("Cancel request", { exact: true }).click();
  await card.getByRole("button", { name: "Yes, cancel the request" }).click();
  await expect(card).toBeHidden();
});

test("never signed in: sign-in without the message; a download link goes to sign-in too", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByText("Your session has ended")).toHaveCount(0);

  const clusterId = "00000000-0000-4000-8000-000000000000";
  const response = await page.goto(`/clusters/${clusterId}/renewal-request`);
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL((url) => url.pathname === "/sign-in" && url.searchParams.get("next") === `/clusters/${clusterId}`);
});

test("a setup link that cannot be used says so before the form, and how to get a new one", async ({ page }) => {
  await page.goto(`/setup?token=${randomBytes(32).toString("base64url")}`);
  const alert = page.getByRole("alert").filter({ hasText: "This setup link is not valid" });
  await expect(alert).toContainText("npm run rms -- setup-link");
  await expect(page.getByLabel("User name")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Create administrator" })).toHaveCount(0);
  await page.screenshot(shot("setup-link-invalid"));
  await expectAccessible(page);
});
