// Two console processes on one PostgreSQL, each running its own expiry monitor every 2 s, while the installed SLC's
// expiry is moved to 31, 29, 8, 6 and 0 days ahead (the data moves, not the processes' clocks): each of events 16, 17
// and 18 is logged once across both consoles' output, audited once, and reaches the webhook receiver and the SMTP
// server once, whichever console's round sees it first. (PGlite is one process's database: one console only.)
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, certificates, expiryNotices } from "@/lib/platform/db/schema";
import { freePort, startConsole } from "../support/processes";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp";
import { createStack, pause, type SystemStack } from "./support/stack";

const DAY = 24 * 60 * 60 * 1000;
// Short rounds so that many of them run (each a chance for a second console to repeat an event) in little time.
const ROUND_MS = 2_000;
const SECRET = "two-consoles-webhook-secret";

describe.skipIf(!process.env.DATABASE_URL)("expiry monitor in two console processes on PostgreSQL", () => {
  let stack: SystemStack;
  let receiver: http.Server;
  let smtp: TestSmtpServer;
  const logFiles: string[] = [];
  let caDir = "";
  const received: Array<{ eventId: number | null; id: string }> = [];

  beforeAll(async () => {
    receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as { eventId: number | null; id: string });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const webhook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/rms-hook`;
    smtp = await startTestSmtpServer();
    caDir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-smtp-ca-"));
    const caFile = path.join(caDir, "ca.pem");
    fs.writeFileSync(caFile, smtp.caPem);
    stack = await createStack({
      kind: "postgres",
      start: false,
      consoleEnv: {
        RMS_MONITOR_INTERVAL: `${ROUND_MS / 1_000}s`,
        RMS_NOTIFY_WEBHOOK_URL: webhook,
        RMS_NOTIFY_WEBHOOK_SECRET: SECRET,
        RMS_SMTP_HOST: "127.0.0.1",
        RMS_SMTP_PORT: String(smtp.port),
        RMS_SMTP_USER: smtp.user,
        RMS_SMTP_PASSWORD: smtp.password,
        RMS_SMTP_CA_FILE: caFile,
        RMS_NOTIFY_EMAIL_FROM: "rms@contoso.test",
        RMS_NOTIFY_EMAIL_TO: "ops@contoso.test",
      },
    });
    // Far from expiry while the consoles start, so their first rounds find nothing to say.
    await moveExpiry(400);
    const ports = [await freePort(), await freePort()];
    await Promise.all(
      ports.map((port, i) => {
        logFiles.push(`${stack.consoleOptions.dataDir}/console-${i}.log`);
        return startConsole({ ...stack.consoleOptions, port, logName: `console-${i}.log` });
      }),
    );
  }, 240_000);

  afterAll(async () => {
    await stack?.dispose();
    await smtp?.stop();
    if (caDir) fs.rmSync(caDir, { recursive: true, force: true });
    await new Promise((resolve) => receiver?.close(resolve));
  });

  async function moveExpiry(days: number): Promise<void> {
    const validUntil = new Date(Date.now() + days * DAY + 60 * 60 * 1000);
    await stack.withDb((db) =>
      db
        .update(certificates)
        .set({ validUntil })
        .where(and(eq(certificates.clusterId, stack.clusterId), eq(certificates.active, true))),
    );
  }

  /** Waits until `count` notices exist (a console's round recorded them), then two more rounds and a margin, so
   * the other console's rounds also ran after the change. A wait for something that must not happen, not a latch. */
  async function afterRounds(count: number): Promise<void> {
    const deadline = Date.now() + 30 * ROUND_MS;
    while ((await stack.withDb((db) => db.select().from(expiryNotices))).length < count && Date.now() < deadline) await pause(100);
    await pause(2 * ROUND_MS + 1_000);
  }

  it("gives events 16, 17 and 18 once each: logged, audited, posted and mailed once across both consoles", async () => {
    const seen: Array<{ days: number; events: number[] }> = [];
    let notices = 0;
    for (const [days, expected] of [
      [31, 0],
      [29, 1],
      [8, 0],
      [6, 1],
      [-1, 1], // expired a day (less the hour added) ago
    ] as const) {
      const before = received.length;
      await moveExpiry(days);
      notices += expected;
      await afterRounds(notices);
      seen.push({ days, events: received.slice(before).map((n) => n.eventId ?? 0) });
    }
    expect(seen).toEqual([
      { days: 31, events: [] },
      { days: 29, events: [16] },
      { days: 8, events: [] },
      { days: 6, events: [17] },
      { days: -1, events: [18] },
    ]);
    const logged = logFiles
      .flatMap((file) => fs.readFileSync(file, "utf8").split("\n"))
      .filter((line) => line.includes('"source":"rms-monitor"') && line.includes('"eventId"'))
      .map((line) => (JSON.parse(line) as { eventId: number }).eventId)
      .sort();
    expect(logged).toEqual([16, 17, 18]);
    await expect.poll(() => smtp.received.length).toBe(3);
    expect(smtp.received.map((mail) => /event (\d+),/.exec(mail.raw.replace(/=\r?\n/g, ""))?.[1])).toEqual(["16", "17", "18"]);
    const audit = await stack.withDb((db) =>
      db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.clusterId, stack.clusterId)),
    );
    expect(audit.map((row) => row.action).filter((action) => action.startsWith("slc_expire"))).toEqual([
      "slc_expires_in_one_month",
      "slc_expires_in_one_week",
      "slc_expired",
    ]);
  }, 300_000);
});
