// Monitoring and notifications: the console's monitor told the webhook about the demo SLC expiring within a month
// (event 16) when it started, signed; Settings shows the channels without secrets, and "Send test notification"
// delivers a signed test message and shows the outcome. The e-mail channel is set on the page (also without
// JavaScript): a bad recipient is refused at its field, the secret is never shown back, and clearing turns it off.
import { createHmac } from "node:crypto";
import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { localServerName } from "@/lib/platform/server-identity";
import { WEBHOOK_FILE, WEBHOOK_SECRET } from "../tests/support/e2e-state";
import { resumeSignIn, shot } from "./support/session";

// alice is a local account: shown as Windows shows one, MACHINE\\alice (this host's name, not RMS_DOMAIN).
const ALICE = `${localServerName()}\\alice`;

interface Delivery {
  signature: string;
  timestamp: string;
  body: string;
}

function deliveries(): Array<Delivery & { payload: { type: string; eventId: number | null; details: Record<string, unknown> } }> {
  return fs
    .readFileSync(WEBHOOK_FILE, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Delivery)
    .map((d) => ({ ...d, payload: JSON.parse(d.body) }));
}

const signed = (d: Delivery) =>
  d.signature === `sha256=${createHmac("sha256", WEBHOOK_SECRET).update(`${d.timestamp}.${d.body}`).digest("hex")}`;

test("the monitor notified event 16 at start; Settings sends a signed test notification and shows the outcome", async ({ page }) => {
  await expect
    .poll(() =>
      deliveries()
        .filter((d) => d.payload.type === "slc_expiry")
        .map((d) => d.payload.eventId),
    )
    .toEqual([16]);

  await resumeSignIn(page, "admin");
  await page.goto("/");
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Monitoring and notifications" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Monitoring and notifications" })).toBeVisible();
  const notifications = page.getByRole("region", { name: "Notifications" });
  await expect(notifications.getByText(/^http:\/\/127\.0\.0\.1:\d+\/rms-hook$/)).toBeVisible();
  await expect(notifications.getByText(/Not configured\. Set it below, or with RMS_SMTP_HOST/)).toBeVisible();
  await expect(page.getByText(WEBHOOK_SECRET)).toHaveCount(0);

  await notifications.getByRole("button", { name: "Send test notification" }).click();
  await expect(notifications.getByRole("status")).toContainText(
    new RegExp(`Last test on .* by ${ALICE.replace("\\", "\\\\")}: Webhook: delivered: HTTP 204 after 1 attempt`),
  );
  const test = deliveries().filter((d) => d.payload.type === "test");
  expect(test).toHaveLength(1);
  expect(deliveries().every(signed)).toBe(true);
  await page.screenshot(shot("settings"));
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
});

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? "with JavaScript" : "without JavaScript", () => {
    test.use({ javaScriptEnabled });

    test("the e-mail channel is set, corrected and turned off on Settings", async ({ page }) => {
      await resumeSignIn(page, "admin");
      await page.goto("/settings");
      const form = page.getByRole("form", { name: "Set notification channels here" });
      await expect(form.getByText("The console's environment configures this channel")).toBeVisible();
      await form.getByLabel("SMTP server", { exact: true }).fill("smtp.contoso.test");
      await form.getByLabel("SMTP user name (optional)").fill("rms-notifier");
      await form.getByLabel("SMTP password", { exact: true }).fill("smtp-password-never-shown");
      await form.getByLabel("From address").fill("rms@contoso.test");
      await form.getByLabel("Recipients (comma-separated)").fill("ops@contoso.test, not-an-address");
      await form.getByRole("button", { name: "Save notification settings" }).click();
      const recipients = form.getByLabel("Recipients (comma-separated)");
      await expect(form.getByRole("alert")).toHaveText("Nothing was saved. Correct the fields marked below.");
      await expect(recipients).toHaveAccessibleDescription("Enter at least one recipient; separate e-mail addresses with commas.");
      // What was typed comes back, except the password.
      await expect(form.getByLabel("From address")).toHaveValue("rms@contoso.test");
      await expect(recipients).toHaveValue("ops@contoso.test, not-an-address");
      await expect(form.getByLabel("SMTP password", { exact: true })).toHaveValue("");
      await expect(page.getByRole("region", { name: "Notifications" }).getByText(/Not configured\. Set it below/)).toBeVisible();

      await recipients.fill("ops@contoso.test");
      // The cloud metadata service (or this machine, a private network) is no target for the form.
      await form.getByLabel("SMTP server", { exact: true }).fill("169.254.169.254");
      await form.getByLabel("SMTP password", { exact: true }).fill("smtp-password-never-shown");
      await form.getByRole("button", { name: "Save notification settings" }).click();
      await expect(form.getByRole("alert")).toHaveText("Nothing was saved. Correct the fields marked below.");
      await expect(form.getByLabel("SMTP server", { exact: true })).toHaveAccessibleDescription(
        /^169\.254\.169\.254 is a cloud metadata service\. Notifications set here may not reach this machine/,
      );
      if (javaScriptEnabled) await page.screenshot(shot("settings-outbound-refused"));
      await form.getByLabel("SMTP server", { exact: true }).fill("smtp.contoso.test");
      // The password field is never filled back; the first save was refused, so it is needed again.
      await form.getByLabel("SMTP password", { exact: true }).fill("smtp-password-never-shown");
      await form.getByRole("button", { name: "Save notification settings" }).click();
      await expect(form.getByRole("status")).toHaveText("Notification settings saved. Use Send test notification to check them.");
      const notifications = page.getByRole("region", { name: "Notifications" });
      await expect(
        notifications.getByText(/to ops@contoso\.test, from rms@contoso\.test, through smtp\.contoso\.test:587 with STARTTLS/),
      ).toBeVisible();
      await expect(notifications.getByText(`set on this page by ${ALICE}`)).toBeVisible();
      await expect(form.getByLabel("SMTP password (one is stored; leave blank to keep it)")).toHaveValue("");
      await expect(page.getByText("smtp-password-never-shown")).toHaveCount(0);
      if (javaScriptEnabled) {
        await page.screenshot(shot("settings-form"));
        expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
      }

      await page.goto("/settings");
      await form.getByLabel("SMTP server", { exact: true }).fill("");
      await form.getByRole("button", { name: "Save notification settings" }).click();
      await expect(form.getByRole("status")).toBeVisible();
      await expect(page.getByRole("region", { name: "Notifications" }).getByText(/Not configured\. Set it below/)).toBeVisible();
    });
  });
}
