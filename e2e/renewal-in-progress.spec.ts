// A renewal in progress, as a second window sees it: while one administrator's online renewal waits on a slow enrollment
// service, the cluster's lease says who started it and when — Cluster resources shows it (1280 and 390 px, English and
// Swedish), and an Export posted without JavaScript is refused and comes back to the page saying why
// (?exportFailed=in_progress). The slow service is a loopback listener on the service's port that accepts connections
// and never answers, so the console's renewal holds its lease until its own timeout (RMS_ENROLLMENT_TIMEOUT_MS, 5 s in
// the e2e stack) ends it with a clear failure; the real service is back afterwards.
import net from "node:net";
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { localServerName } from "@/lib/platform/server-identity";
import { clusterResources, openAdministration, openRenew } from "./support/console";
import { resumeSignIn, shot } from "./support/session";
import { readState, startEnrollment, stopEnrollment } from "./support/stack";

// alice is a local account: shown as Windows shows one, MACHINE\\alice (this host's name, not RMS_DOMAIN).
const ALICE = `${localServerName()}\\alice`;

/** Accepts TCP connections on `port` and holds them unanswered (a service that hangs mid-handshake). */
async function hangingService(port: number): Promise<{ connections: () => number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function language(context: BrowserContext, value: "en" | "sv"): Promise<void> {
  await context.addCookies([{ name: "rms_locale", value, domain: new URL(readState().consoleUrl).hostname, path: "/" }]);
}

/**
 * Starts an online renewal in `page` (its dialog's Renew) and resolves once the console is waiting on the service: the
 * lease is held from then until the console's timeout.
 */
async function startHeldRenewal(page: Page, service: { connections: () => number }): Promise<void> {
  const before = service.connections();
  const dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Online" }).check();
  const replace = dialog.getByRole("checkbox", { name: /Replace the pending offline request/ });
  if (await replace.isVisible()) await replace.check();
  await dialog.getByRole("button", { name: "Renew", exact: true }).click();
  await expect.poll(() => service.connections(), { timeout: 5_000 }).toBeGreaterThan(before);
}

/** The renewal ends with the timeout's message in its dialog (the lease goes with it). */
async function expectTimedOut(page: Page): Promise<void> {
  const alert = page.getByRole("dialog").getByRole("alert").filter({ hasText: "did not answer in time" });
  await expect(alert).toBeVisible({ timeout: 20_000 });
}

test("a renewal in progress is shown to a second window, and a no-JavaScript Export meanwhile says why it was refused", async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  await resumeSignIn(page, "admin");
  await openAdministration(page);
  await page.waitForURL(/\/clusters\/[0-9a-f-]{36}$/);
  const clusterUrl = page.url();
  // The second window, and a third without JavaScript, signed in before the service is made slow.
  const second = await page.context().newPage();
  const noJsContext = await browser.newContext({ javaScriptEnabled: false });
  const noJs = await noJsContext.newPage();
  await resumeSignIn(noJs, "admin");
  const { enrollmentUrl } = readState();

  await stopEnrollment();
  const service = await hangingService(Number(new URL(enrollmentUrl).port));
  try {
    // English, 1280 and 390 px.
    await startHeldRenewal(page, service);
    await second.goto(clusterUrl);
    const banner = clusterResources(second).getByRole("status").filter({ hasText: "A renewal of this cluster is in progress" });
    await expect(banner).toBeVisible();
    await expect(banner).toContainText(
      new RegExp(`started by ${ALICE.replace("\\", "\\\\")} on \\d{1,2} \\w+ \\d{4} at \\d{2}:\\d{2} UTC`),
    );
    await second.screenshot(shot("renewal-in-progress-en-1280"));
    await second.setViewportSize({ width: 390, height: 844 });
    await banner.scrollIntoViewIfNeeded();
    await second.screenshot(shot("renewal-in-progress-en-390"));
    await expectTimedOut(page);
    await page.screenshot(shot("renew-dialog-timeout"));
    // Once it has ended the banner is gone.
    await second.reload();
    await expect(clusterResources(second).getByText("A renewal of this cluster is in progress")).toHaveCount(0);

    // Swedish, 390 and 1280 px.
    await page.reload();
    await startHeldRenewal(page, service);
    await language(second.context(), "sv");
    await second.reload();
    const svBanner = second
      .getByRole("region", { name: "Klusterresurser" })
      .getByRole("status")
      .filter({ hasText: "En förnyelse av klustret pågår" });
    await expect(svBanner).toContainText(`startad av ${ALICE}`);
    await svBanner.scrollIntoViewIfNeeded();
    await second.screenshot(shot("renewal-in-progress-sv-390"));
    await second.setViewportSize({ width: 1280, height: 900 });
    await second.screenshot(shot("renewal-in-progress-sv-1280"));
    await expectTimedOut(page);
    await language(page.context(), "en");

    // Without JavaScript, at 390 px: Export while the lease is held is refused, and the page comes back with the reason
    // where focus lands (no raw JSON), Renew right below it.
    await noJs.setViewportSize({ width: 390, height: 844 });
    await noJs.goto(`${clusterUrl}?renew=offline`);
    const dialog = noJs.getByRole("dialog", { name: "Renew server licensor certificate" });
    await expect(dialog.getByRole("button", { name: "Export" })).toBeVisible();
    await page.reload();
    await startHeldRenewal(page, service);
    await dialog.getByRole("button", { name: "Export" }).click();
    await expect(noJs).toHaveURL(/[?&]exportFailed=in_progress#export-failed$/);
    const refusal = clusterResources(noJs).getByRole("alert");
    await expect(refusal).toContainText("A renewal of this cluster is already in progress");
    await expect(noJs.locator("#export-failed")).toBeFocused();
    await expect(refusal).toBeInViewport();
    await expect(noJs.locator("body")).not.toContainText('{"message"');
    await noJs.screenshot({ path: "artifacts/screenshots/no-js-export-refused-390-viewport.png" });
    await noJs.screenshot(shot("no-js-export-refused-390"));
    await noJs.setViewportSize({ width: 1280, height: 900 });
    await noJs.screenshot(shot("no-js-export-refused-1280"));
    await expectTimedOut(page);
  } finally {
    await service.close();
    await startEnrollment();
    await noJsContext.close();
  }
});
