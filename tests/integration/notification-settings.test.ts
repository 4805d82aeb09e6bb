// Notification channels saved from the Settings page: validated with the field named, secrets encrypted at rest and
// kept when left blank, every save audited by field name only, and the environment's channels taking precedence.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  effectiveNotificationChannels,
  getStoredNotificationSettings,
  notificationSettingsSchema,
  saveNotificationSettings,
} from "@/lib/console/notifications/settings";
import { type KeyEncryptionKey, loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { auditEvents, notificationSettings } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { dbTest, describeOnEachDatabase } from "../support/db-test";
import { createTestTlsPki } from "../support/tls";

const NO_ENV = { RMS_SMTP_PORT: 587, RMS_NOTIFY_EMAIL_TO: [] };
const BY = { actor: "RMS\\alice", remoteAddress: "127.0.0.1", now: new Date("2026-12-03T10:00:00Z") };
const WEBHOOK_SECRET = "a-webhook-secret-of-some-length";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return Object.fromEntries(data.entries());
};

describe("the Settings form's schema", () => {
  it.each([
    ["webhookUrl", "ftp://hooks.contoso.com/rms"],
    ["webhookUrl", "http://hooks.contoso.com/rms"],
    ["webhookUrl", "not a url"],
    ["webhookSecret", "too-short"],
    ["smtpHost", "smtp.contoso.com; rm -rf /"],
    ["smtpPort", "70000"],
    ["smtpPort", "25x"],
    ["emailFrom", "not-an-address"],
    ["emailTo", "ops@contoso.com, nobody"],
    ["smtpCaPem", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"],
    ["smtpCaPem", "just text"],
  ])("refuses %s = %j, naming the field", (field, value) => {
    const parsed = notificationSettingsSchema.safeParse(form({ [field]: value }));
    expect(parsed.success).toBe(false);
    expect(new Set(parsed.error?.issues.map((issue) => issue.path[0]))).toEqual(new Set([field]));
  });

  it("reads blanks as unset, the port as a number, recipients as a list", () => {
    expect(
      notificationSettingsSchema.parse(
        form({ webhookUrl: " ", smtpHost: "smtp.contoso.com", smtpPort: "", emailTo: "a@contoso.com,  b@contoso.com" }),
      ),
    ).toEqual({ smtpHost: "smtp.contoso.com", smtpPort: 587, emailTo: ["a@contoso.com", "b@contoso.com"] });
  });
});

describeOnEachDatabase("notification settings", () => {
  // This test's `db`, for the helper below.
  let handle: TestDatabase;
  let kek: KeyEncryptionKey;
  let tmp: string;

  dbTest.beforeEach(async ({ db }) => {
    handle = db;
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-notify-settings-"));
    kek = loadKeyEncryptionKey({ dataDir: tmp, createIfMissing: true });
  });

  afterEach(async () => {
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const save = (fields: Record<string, string>) =>
    saveNotificationSettings(handle.db, kek, notificationSettingsSchema.parse(form(fields)), BY);

  dbTest("stores secrets only encrypted, keeps them when left blank, and audits the changed fields", async () => {
    const pki = await createTestTlsPki({ label: "Settings SMTP" });
    expect(
      await save({
        webhookUrl: "https://hooks.contoso.com/rms",
        webhookSecret: WEBHOOK_SECRET,
        smtpHost: "smtp.contoso.com",
        smtpUser: "rms",
        smtpPassword: "smtp-password-1",
        smtpCaPem: pki.rootPem,
        emailFrom: "rms@contoso.com",
        emailTo: "ops@contoso.com",
      }),
    ).toMatchObject({ ok: true });
    const [row] = await handle.db.select().from(notificationSettings);
    expect(JSON.stringify(row)).not.toContain(WEBHOOK_SECRET);
    expect(JSON.stringify(row)).not.toContain("smtp-password-1");

    const channels = await effectiveNotificationChannels(handle.db, NO_ENV, () => kek);
    expect(channels.source).toEqual({ webhook: "settings", email: "settings" });
    expect(channels.webhook).toMatchObject({ url: "https://hooks.contoso.com/rms", secret: WEBHOOK_SECRET });
    // What the Settings page sets goes out through the outbound policy; the environment's targets are the operator's own.
    expect(channels.webhook?.guard).toBeDefined();
    expect(channels.email?.guard).toBeDefined();
    expect(channels.email).toMatchObject({
      host: "smtp.contoso.com",
      port: 587,
      user: "rms",
      password: "smtp-password-1",
      ca: pki.rootPem,
    });

    // Saved again with the secrets left blank: they stay; only the recipients changed.
    expect(
      await save({
        webhookUrl: "https://hooks.contoso.com/rms",
        smtpHost: "smtp.contoso.com",
        smtpUser: "rms",
        smtpCaPem: pki.rootPem,
        emailFrom: "rms@contoso.com",
        emailTo: "ops@contoso.com, oncall@contoso.com",
      }),
    ).toEqual({ ok: true, changed: ["emailTo"] });
    const again = await effectiveNotificationChannels(handle.db, NO_ENV, () => kek);
    expect(again.webhook?.secret).toBe(WEBHOOK_SECRET);
    expect(again.email?.password).toBe("smtp-password-1");

    const audit = await handle.db.select().from(auditEvents);
    expect(audit.map((event) => [event.action, event.actor, event.details.changed])).toEqual([
      [
        "notification_settings_changed",
        "RMS\\alice",
        "webhookUrl, webhookSecret, smtpHost, smtpUser, smtpPassword, smtpCaPem, emailFrom, emailTo",
      ],
      ["notification_settings_changed", "RMS\\alice", "emailTo"],
    ]);
    expect(JSON.stringify(audit)).not.toContain(WEBHOOK_SECRET);
  });

  dbTest("refuses an incomplete channel with the field to fix and changes nothing", async () => {
    expect(await save({ webhookUrl: "https://hooks.contoso.com/rms" })).toEqual({
      ok: false,
      field: "webhookSecret",
      problem: "webhook_secret_required",
    });
    expect(
      await save({ smtpHost: "smtp.contoso.com", smtpUser: "rms", emailFrom: "rms@contoso.com", emailTo: "ops@contoso.com" }),
    ).toMatchObject({
      ok: false,
      field: "smtpPassword",
    });
    expect(await save({ smtpHost: "smtp.contoso.com", emailTo: "ops@contoso.com" })).toMatchObject({ ok: false, field: "emailFrom" });
    expect(await save({ smtpHost: "smtp.contoso.com", emailFrom: "rms@contoso.com" })).toMatchObject({ ok: false, field: "emailTo" });
    expect(await getStoredNotificationSettings(handle.db)).toBeNull();
    expect(await handle.db.select().from(auditEvents)).toEqual([]);
  });

  dbTest("turns a channel off when its URL or server is cleared, forgetting its secret", async () => {
    await save({ webhookUrl: "https://hooks.contoso.com/rms", webhookSecret: WEBHOOK_SECRET });
    expect(await save({})).toEqual({ ok: true, changed: ["webhookUrl", "webhookSecret"] });
    const [row] = await handle.db.select().from(notificationSettings);
    expect(row).toMatchObject({ webhookUrl: null, encryptedWebhookSecret: null });
    expect((await effectiveNotificationChannels(handle.db, NO_ENV, () => kek)).webhook).toBeNull();
  });

  dbTest("uses the environment's channel where it configures one", async () => {
    await save({ webhookUrl: "https://hooks.contoso.com/rms", webhookSecret: WEBHOOK_SECRET });
    const channels = await effectiveNotificationChannels(
      handle.db,
      { ...NO_ENV, RMS_NOTIFY_WEBHOOK_URL: "https://env.contoso.com/hook", RMS_NOTIFY_WEBHOOK_SECRET: "environment-secret-123" },
      () => kek,
    );
    expect(channels.webhook).toEqual({ url: "https://env.contoso.com/hook", secret: "environment-secret-123" });
    expect(channels.source).toEqual({ webhook: "environment", email: null });
  });

  dbTest("a different master key cannot read the stored secrets", async () => {
    await save({ webhookUrl: "https://hooks.contoso.com/rms", webhookSecret: WEBHOOK_SECRET });
    const other = loadKeyEncryptionKey({ dataDir: fs.mkdtempSync(path.join(tmp, "other-")), createIfMissing: true });
    await expect(effectiveNotificationChannels(handle.db, NO_ENV, () => other)).rejects.toThrow(/master key/);
  });
});
