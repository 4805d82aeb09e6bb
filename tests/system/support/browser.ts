// The system tests' browser: Chromium signs in and clicks through the real pages, and the server-action requests it
// sends are captured (tests/support/browser-actions.ts) for the tests to replay — concurrently, under load, at a kill.
import { type Browser, chromium, expect, type Locator, type Page } from "@playwright/test";
import { type CapturedAction, captureAction, replayAction, untilHydrated } from "../../support/browser-actions";
import { CHROMIUM_LAUNCH } from "../../support/chromium";

export function launchBrowser(): Promise<Browser> {
  return chromium.launch(CHROMIUM_LAUNCH);
}

/** A fresh browser context at the console's URL. */
async function newPage(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, locale: "en-GB", timezoneId: "UTC" });
  return context.newPage();
}

async function sessionCookie(page: Page): Promise<string> {
  const session = (await page.context().cookies()).find((c) => c.name === "rms_session");
  if (!session) throw new Error("no session cookie after signing in");
  return `${session.name}=${session.value}`;
}

/** Signs in through the form by its visible labels (User name, Password, Sign in); returns the page and its session cookie. */
export async function signInPage(
  browser: Browser,
  baseURL: string,
  who: { userName: string; password: string },
): Promise<{ page: Page; cookie: string }> {
  const page = await newPage(browser, baseURL);
  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(who.userName);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible({ timeout: 30_000 });
  return { page, cookie: await sessionCookie(page) };
}

export const SIGN_IN_USER = "captured-user-name";
export const SIGN_IN_PASSWORD = "captured-password-value";

/** The sign-in form's request, with SIGN_IN_USER / SIGN_IN_PASSWORD typed in (replace them with withText). */
export async function captureSignIn(browser: Browser, baseURL: string): Promise<CapturedAction> {
  const page = await newPage(browser, baseURL);
  try {
    await page.goto("/sign-in");
    await page.getByLabel("User name").fill(SIGN_IN_USER);
    await page.getByLabel("Password").fill(SIGN_IN_PASSWORD);
    return await captureAction(page, "/sign-in", () => page.getByRole("button", { name: "Sign in" }).click());
  } finally {
    await page.context().close();
  }
}

/**
 * Opens the page and returns `target` once React has hydrated it, so that a click on it runs its handler (before, the
 * dialog's buttons post the form as a page: the no-JavaScript path).
 */
export async function openHydrated(page: Page, pagePath: string, target: (page: Page) => Locator): Promise<Locator> {
  await page.goto(pagePath);
  const element = target(page);
  await untilHydrated(element);
  return element;
}

/** The Renew button in Cluster resources on a cluster's Administration page. */
export function renewButton(page: Page): Locator {
  return page.getByRole("region", { name: "Cluster resources" }).getByRole("button", { name: "Renew", exact: true });
}

/** Renew → Online → Renew on the cluster's Administration page, as the signed-in page's user. */
export async function captureRenewOnline(page: Page, clusterPath: string): Promise<CapturedAction> {
  await (await openHydrated(page, clusterPath, renewButton)).click();
  const dialog = page.getByRole("dialog", { name: "Renew server licensor certificate" });
  await dialog.getByRole("radio", { name: "Online" }).check();
  // With an offline request pending, the form asks for consent to replace it before it can be sent.
  const consent = dialog.getByRole("checkbox");
  if ((await consent.count()) > 0) await consent.check();
  return captureAction(page, clusterPath, () => dialog.getByRole("button", { name: "Renew", exact: true }).click());
}

/**
 * Renew → Browse → Import on the cluster's Administration page (an offline request must be pending), with a file that
 * holds only `placeholder`: replace it in the captured body (withText) to import any content the way the browser does.
 */
export async function captureImport(page: Page, clusterPath: string, placeholder: string): Promise<CapturedAction> {
  await (await openHydrated(page, clusterPath, renewButton)).click();
  const dialog = page.getByRole("dialog", { name: "Renew server licensor certificate" });
  await dialog.getByLabel("Browse").setInputFiles({ name: "certificate.xml", mimeType: "text/xml", buffer: Buffer.from(placeholder) });
  return captureAction(page, clusterPath, () => dialog.getByRole("button", { name: "Import" }).click());
}

/** Cancel request → "Yes, cancel the request" on the pending request in Cluster resources (there must be one). */
export async function captureCancelRequest(page: Page, clusterPath: string): Promise<CapturedAction> {
  const pending = (page: Page) =>
    page.getByRole("region", { name: "Cluster resources" }).getByRole("region", { name: "Pending renewal request" });
  await (await openHydrated(page, clusterPath, (page) => pending(page).getByText("Cancel request", { exact: true }))).click();
  const confirm = pending(page).getByRole("button", { name: "Yes, cancel the request" });
  return captureAction(page, clusterPath, () => confirm.click());
}

/** A session for `who`, by replaying the captured sign-in with their credentials. */
export async function signInByReplay(
  signIn: CapturedAction,
  baseUrl: string,
  who: { userName: string; password: string },
): Promise<string> {
  const body = Buffer.from(
    signIn.body.toString("utf8").split(SIGN_IN_USER).join(who.userName).split(SIGN_IN_PASSWORD).join(who.password),
    "utf8",
  );
  const reply = await replayAction(signIn, { cookie: null, baseUrl, body });
  if (!reply.cookie) throw new Error(`sign-in as ${who.userName} failed: HTTP ${reply.status}`);
  return reply.cookie;
}
