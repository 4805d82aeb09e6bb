// Notifications against real receivers started by the test on loopback: an HTTP server for the webhook (signature
// recomputed, retries with backoff on 503/500, none on 400) and a separate SMTP server process (STARTTLS required and
// verified, AUTH); and the monitor's events reaching both exactly once when two consoles check at the same moment.
import { createHmac } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkExpiries } from "@/lib/console/monitor/expiry-events";
import { sendEmail } from "@/lib/console/notifications/email";
import { expiryNotification, type NotificationChannels, sendNotification, testNotification } from "@/lib/console/notifications/notifier";
import { outboundPolicy } from "@/lib/console/notifications/outbound";
import {
  effectiveNotificationChannels,
  notificationSettingsSchema,
  refusedOutboundTarget,
  saveNotificationSettings,
} from "@/lib/console/notifications/settings";
import { deliverWebhook } from "@/lib/console/notifications/webhook";
import { loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { type DatabaseHandle, openDatabase } from "@/lib/platform/db/client";
import { certificates, clusters } from "@/lib/platform/db/schema";
import { createTestDatabase } from "../support/databases";
import { dbTest, describeOnEachDatabase } from "../support/db-test";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp";
import { createTestTlsPki } from "../support/tls";

const SECRET = "webhook-secret-for-the-tests";
const DAY = 24 * 60 * 60 * 1000;

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let smtp: TestSmtpServer;
let receiver: http.Server;
let webhookUrl = "";
const received: Received[] = [];
/** Status codes the receiver answers with, in order; 200 once they run out. */
let script: Array<{ status: number; retryAfter?: string }> = [];

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const next = script.shift() ?? { status: 200 };
      res.writeHead(next.status, next.retryAfter ? { "retry-after": next.retryAfter } : {});
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/rms-hook`;
}, 60_000);

afterAll(async () => {
  await smtp?.stop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  smtp.received.length = 0;
  script = [];
});

function channels(): NotificationChannels {
  return {
    webhook: { url: webhookUrl, secret: SECRET },
    email: {
      host: "127.0.0.1",
      port: smtp.port,
      ca: smtp.caPem,
      user: smtp.user,
      password: smtp.password,
      from: "rms@contoso.test",
      to: ["ops@contoso.test"],
    },
  };
}

/** What a receiver does: recompute the signature over "<timestamp>.<body>" with the shared secret. */
function signatureHolds(request: Received): boolean {
  const timestamp = String(request.headers["x-rms-timestamp"]);
  const expected = `sha256=${createHmac("sha256", SECRET).update(`${timestamp}.${request.body}`).digest("hex")}`;
  return request.headers["x-rms-signature"] === expected;
}

describe("webhook", () => {
  it("signs the JSON body and retries 503 (honouring Retry-After) and 500 with growing waits, then succeeds", async () => {
    script = [{ status: 503, retryAfter: "7" }, { status: 500 }];
    const waits: number[] = [];
    const delivery = await deliverWebhook(
      { url: webhookUrl, secret: SECRET },
      { hello: "world" },
      { sleep: async (ms) => void waits.push(ms) },
    );
    expect(delivery).toMatchObject({ ok: true, attempts: 3, status: 200 });
    expect(waits).toEqual([7_000, 2_000]);
    expect(received).toHaveLength(3);
    expect(received.every(signatureHolds)).toBe(true);
    expect(new Set(received.map((r) => r.headers["x-rms-delivery"])).size).toBe(1);
    expect(JSON.parse(received[0]?.body ?? "")).toEqual({ hello: "world" });
    const forged = { ...received[0], body: '{"hello":"mallory"}' } as Received;
    expect(signatureHolds(forged)).toBe(false);
  });

  it("does not retry a 400, and gives up after the bounded number of attempts", async () => {
    script = [{ status: 400 }];
    expect(await deliverWebhook({ url: webhookUrl, secret: SECRET }, {}, { sleep: async () => {} })).toMatchObject({
      ok: false,
      attempts: 1,
      status: 400,
    });
    script = Array.from({ length: 10 }, () => ({ status: 502 }));
    const waits: number[] = [];
    const gaveUp = await deliverWebhook(
      { url: webhookUrl, secret: SECRET },
      {},
      { maxAttempts: 4, sleep: async (ms) => void waits.push(ms) },
    );
    expect(gaveUp).toMatchObject({ ok: false, attempts: 4, status: 502 });
    expect(waits).toEqual([1_000, 2_000, 4_000]);
  });
});

describe("e-mail", () => {
  it("goes out over STARTTLS with authentication, verified against the configured CA", async () => {
    const sent = await sendNotification(channels(), testNotification("RMS\\alice", new Date("2031-01-01T00:00:00Z")), { log: () => {} });
    expect(sent.map((o) => [o.channel, o.ok])).toEqual([
      ["webhook", true],
      ["email", true],
    ]);
    await expect.poll(() => smtp.received.length).toBe(1);
    expect(smtp.received[0]).toMatchObject({ secure: true, user: smtp.user, from: "rms@contoso.test", to: ["ops@contoso.test"] });
    expect(smtp.received[0]?.raw).toContain("Subject: RMS: test notification");
  });

  it("refuses a server whose certificate does not verify, and says why; nothing is sent", async () => {
    const other = await createTestTlsPki({ label: "Some other CA" });
    const result = await sendEmail(
      { ...(channels().email as NonNullable<NotificationChannels["email"]>), ca: other.rootPem },
      { subject: "x", text: "y" },
    );
    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.error).toMatch(/certificate/i);
    expect(smtp.received).toHaveLength(0);
  });
});

describeOnEachDatabase("expiry events notified once", ({ kind }) => {
  let second: DatabaseHandle;
  const expires = new Date("2031-03-01T12:00:00Z");

  dbTest.beforeEach(async ({ db: handle }) => {
    second =
      kind === "postgres"
        ? await openDatabase({ dataDir: os.tmpdir(), databaseUrl: process.env.DATABASE_URL, pgSchema: handle.schema })
        : handle;
    const [cluster] = await handle.db
      .insert(clusters)
      .values({
        guid: "{0A0B0C0D-1111-4222-8333-444455556666}",
        name: "rms.contoso.com",
        serverName: "RMS01",
        clusterUrl: "https://rms/_wmcs",
        configDatabase: "d",
      })
      .returning();
    if (!cluster) throw new Error("no cluster");
    await handle.db.insert(certificates).values({
      clusterId: cluster.id,
      document: "<XrML/>",
      fingerprint: "AB:CD",
      serialNumber: "01",
      issuerName: "CA",
      issuerSubject: "CN=CA",
      subjectName: "rms.contoso.com",
      issuedAt: new Date(expires.getTime() - 365 * DAY),
      validFrom: new Date(expires.getTime() - 365 * DAY),
      validUntil: expires,
      obtainedBy: "online",
      installedBy: "RMS\\alice",
      active: true,
    });
  });

  dbTest.afterEach(async ({ db: handle }) => {
    if (second !== handle) await second.close();
  });

  dbTest("31, 29, 8, 6 and 0 days: the webhook and the mailbox each get events 16, 17 and 18 once", async ({ db: handle }) => {
    for (const days of [31, 29, 8, 6, 0]) {
      const now = new Date(expires.getTime() - days * DAY);
      const checks = await Promise.all([
        checkExpiries(handle.db, { now, log: () => {} }),
        checkExpiries(second.db, { now, log: () => {} }),
      ]);
      for (const event of checks.flatMap((check) => check.events)) {
        await sendNotification(channels(), expiryNotification(event), { log: () => {} });
      }
    }
    const hooks = received.map((r) => JSON.parse(r.body) as { eventId: number; id: string; details: { daysLeft: number } });
    expect(hooks.map((h) => [h.eventId, h.details.daysLeft])).toEqual([
      [16, 29],
      [17, 6],
      [18, 0],
    ]);
    expect(hooks.map((h) => h.id)).toEqual(["AB:CD/16", "AB:CD/17", "AB:CD/18"]);
    expect(received.every(signatureHolds)).toBe(true);
    // The SMTP server process reports each message on its standard output: read them all before looking.
    await expect.poll(() => smtp.received.length).toBe(3);
    // Long headers are folded onto continuation lines (RFC 5322): unfold before reading the subject.
    const subjects = smtp.received.map((m) => /^Subject: (.*?)\r?$/m.exec(m.raw.replace(/\r?\n[ \t]+/g, " "))?.[1]);
    expect(subjects).toEqual([
      "RMS: the server licensor certificate of rms.contoso.com expires in 29 days",
      "RMS: the server licensor certificate of rms.contoso.com expires in 6 days",
      "RMS: the server licensor certificate of rms.contoso.com has expired",
    ]);
  });
});

// "an administrator can point the webhook at any https host, including 169.254.169.254, or any loopback port
// from the Settings page". Targets from the Settings page are refused for internal addresses, judged after DNS
// resolution at connect time, unless RMS_OUTBOUND_ALLOW_PRIVATE lists them; redirects are not followed.
describe("outbound targets set on the Settings page", () => {
  const NO_ENV = { RMS_SMTP_PORT: 587, RMS_NOTIFY_EMAIL_TO: [] };
  const BY = { actor: "RMS\\alice", remoteAddress: "127.0.0.1", now: new Date("2031-01-01T00:00:00Z") };

  async function settingsChannels(fields: Record<string, string>, allow: string[] = []) {
    const handle = await createTestDatabase("pglite");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-outbound-"));
    try {
      const kek = loadKeyEncryptionKey({ dataDir: dir, createIfMissing: true });
      const saved = await saveNotificationSettings(handle.db, kek, notificationSettingsSchema.parse(fields), BY);
      expect(saved.ok).toBe(true);
      return await effectiveNotificationChannels(handle.db, { ...NO_ENV, RMS_OUTBOUND_ALLOW_PRIVATE: allow }, () => kek);
    } finally {
      await handle.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  const port = () => (receiver.address() as AddressInfo).port;
  const smtpFields = (host: string) => ({
    smtpHost: host,
    smtpPort: String(smtp.port),
    smtpUser: smtp.user,
    smtpPassword: smtp.password,
    smtpCaPem: smtp.caPem,
    emailFrom: "rms@contoso.test",
    emailTo: "ops@contoso.test",
  });

  it("refuses, when saved, a metadata, link-local, loopback or private target with the address and its kind", async () => {
    const policy = outboundPolicy();
    expect(await refusedOutboundTarget({ webhookUrl: "https://169.254.169.254/latest/meta-data/" }, policy)).toMatchObject({
      field: "webhookUrl",
      kind: "metadata",
    });
    expect(await refusedOutboundTarget({ webhookUrl: "https://[fe80::1]/hook" }, policy)).toMatchObject({ kind: "link_local" });
    expect(await refusedOutboundTarget({ webhookUrl: `http://localhost:${port()}/hook` }, policy)).toMatchObject({
      field: "webhookUrl",
      host: "localhost",
      kind: "loopback",
    });
    expect(await refusedOutboundTarget({ smtpHost: "10.1.2.3" }, policy)).toMatchObject({ field: "smtpHost", kind: "private" });
    expect(await refusedOutboundTarget({ smtpHost: "[::ffff:192.168.0.1]" }, policy)).toMatchObject({ kind: "private" });
    expect(await refusedOutboundTarget({ webhookUrl: "https://93.184.215.14/hook", smtpHost: "8.8.8.8" }, policy)).toBeNull();
    expect(await refusedOutboundTarget({ smtpHost: "127.0.0.1" }, outboundPolicy(["127.0.0.0/8"]))).toBeNull();
  });

  it("refuses at connect time a webhook whose name resolves to loopback: nothing reaches the port, nothing is retried", async () => {
    const channels = await settingsChannels({ webhookUrl: `http://localhost:${port()}/hook`, webhookSecret: SECRET });
    const [outcome] = await sendNotification(channels, testNotification("RMS\\alice", new Date()), {
      log: () => {},
      webhook: { sleep: async () => {} },
    });
    expect(outcome).toMatchObject({ channel: "webhook", ok: false });
    expect(outcome?.detail).toContain("Refused to connect: localhost resolves to");
    expect(outcome?.detail).toContain("after 1 attempt(s)");
    expect(received).toHaveLength(0);
  });

  it("refuses at connect time an SMTP server on this machine, by name or address; nothing is sent", async () => {
    for (const host of ["localhost", "127.0.0.1"]) {
      const channels = await settingsChannels(smtpFields(host));
      const [outcome] = await sendNotification(channels, testNotification("RMS\\alice", new Date()), { log: () => {} });
      expect(outcome).toMatchObject({ channel: "email", ok: false });
      expect(outcome?.detail).toMatch(/Refused to connect: .*a loopback address/);
    }
    expect(smtp.received).toHaveLength(0);
  });

  it("delivers to an internal address RMS_OUTBOUND_ALLOW_PRIVATE lists (STARTTLS still verified), and follows no redirect", async () => {
    const channels = await settingsChannels({ webhookUrl: `${webhookUrl}`, webhookSecret: SECRET, ...smtpFields("127.0.0.1") }, [
      "127.0.0.1",
      "::1",
    ]);
    const sent = await sendNotification(channels, testNotification("RMS\\alice", new Date()), { log: () => {} });
    expect(sent.map((o) => [o.channel, o.ok])).toEqual([
      ["webhook", true],
      ["email", true],
    ]);
    await expect.poll(() => smtp.received.length).toBe(1);
    expect(smtp.received[0]).toMatchObject({ secure: true });

    // A redirect towards the metadata service is reported, not followed.
    received.length = 0;
    script = [{ status: 302 }];
    const redirected = await deliverWebhook(
      { url: webhookUrl, secret: SECRET, guard: outboundPolicy(["127.0.0.1"]) },
      {},
      { sleep: async () => {} },
    );
    expect(redirected).toMatchObject({ ok: false, attempts: 1, status: 302, error: "HTTP 302 (a redirect, which is not followed)" });
    expect(received).toHaveLength(1);
  });
});
