// Monitoring and notifications: the console's monitor told the webhook about the demo SLC expiring within a month
// (event 16) when it started, signed; Settings shows the channels without secrets, and "Send test notification"
// delivers a signed test message and shows the outcome.
import { createHmac } from "node:crypto";
import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { expect, test } from "@playwright/test";
import { WEBHOOK_FILE, WEBHOOK_SECRET } from "../tests/support/e2e-state";
import { shot, signIn } from "./support/session";

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

  await signIn(page, "admin");
  await page.goto("/");
  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Monitoring and notifications" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Monitoring and notifications" })).toBeVisible();
  const notifications = page.getByRole("region", { name: "Notifications" });
  await expect(notifications.getByText(/^http:\/\/127\.0\.0\.1:\d+\/rms-hook$/)).toBeVisible();
  await expect(notifications.getByText(/Not configured\. Set RMS_SMTP_HOST/)).toBeVisible();
  await expect(page.getByText(WEBHOOK_SECRET)).toHaveCount(0);

  await notifications.getByRole("button", { name: "Send test notification" }).click();
  await expect(notifications.getByRole("status")).toContainText(
    /Last test on .* by RMS\\alice: Webhook: delivered: HTTP 204 after 1 attempt/,
  );
  const test = deliveries().filter((d) => d.payload.type === "test");
  expect(test).toHaveLength(1);
  expect(deliveries().every(signed)).toBe(true);
  await page.screenshot(shot("settings"));
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
});
