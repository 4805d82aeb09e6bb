// The expiry monitor driven through 31, 29, 8, 6 and 0 days by an injected clock, with two consoles checking at the
// same moment (two connections to one PostgreSQL; on PGlite, two checks in one process): each of the original
// events 16, 17 and 18 is logged and audited exactly once, and installing a renewed certificate clears the state.
import os from "node:os";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { checkExpiries, listExpiryAlerts } from "@/lib/console/monitor/expiry-events";
import { monitorRound } from "@/lib/console/monitor/expiry-monitor";
import { type DatabaseHandle, openDatabase } from "@/lib/platform/db/client";
import { auditEvents, certificates, clusters, expiryNotices } from "@/lib/platform/db/schema";
import { fixedClock } from "@/lib/platform/time/clock";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

const DAY = 24 * 60 * 60 * 1000;
const EXPIRES = new Date("2031-03-01T12:00:00Z");
const daysBefore = (days: number) => new Date(EXPIRES.getTime() - days * DAY);

async function installCertificate(db: DatabaseHandle["db"], clusterId: string, validUntil: Date, fingerprint: string) {
  await db.update(certificates).set({ active: false }).where(eq(certificates.clusterId, clusterId));
  await db.insert(certificates).values({
    clusterId,
    document: "<XrML/>",
    fingerprint,
    serialNumber: fingerprint.slice(0, 8),
    issuerName: "Contoso Enrollment CA",
    issuerSubject: "CN=Contoso Enrollment CA",
    subjectName: "rms.contoso.com",
    issuedAt: new Date(validUntil.getTime() - 365 * DAY),
    validFrom: new Date(validUntil.getTime() - 365 * DAY),
    validUntil,
    obtainedBy: "online",
    installedBy: "RMS\\alice",
    active: true,
  });
}

describeOnEachDatabase("expiry monitor", ({ kind }) => {
  let second: DatabaseHandle;
  let clusterId: string;

  dbTest.beforeEach(async ({ db: handle }) => {
    // A second console: its own connection pool to the same PostgreSQL schema (PGlite allows one process: the same handle).
    second =
      kind === "postgres"
        ? await openDatabase({ dataDir: os.tmpdir(), databaseUrl: process.env.DATABASE_URL, pgSchema: handle.schema })
        : handle;
    const [cluster] = await handle.db
      .insert(clusters)
      .values({
        guid: "{6F1C2C3E-1111-4222-8333-444455556666}",
        name: "rms.contoso.com",
        serverName: "RMS01",
        clusterUrl: "https://rms.contoso.com/_wmcs",
        configDatabase: "DRMS_Config",
      })
      .returning();
    if (!cluster) throw new Error("no cluster");
    clusterId = cluster.id;
    await installCertificate(handle.db, clusterId, EXPIRES, "a".repeat(64));
  });

  dbTest.afterEach(async ({ db: handle }) => {
    if (second !== handle) await second.close();
  });

  dbTest("gives events 16, 17 and 18 once each across two consoles, then nothing after a renewal", async ({ db: handle }) => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const rounds: Array<{ days: number; events: number[] }> = [];
    for (const days of [31, 29, 8, 6, 0, 0]) {
      const now = daysBefore(days);
      const both = await Promise.all([checkExpiries(handle.db, { now, log }), checkExpiries(second.db, { now, log })]);
      rounds.push({ days, events: both.flatMap((check) => check.events.map((e) => e.eventId)) });
    }
    expect(rounds).toEqual([
      { days: 31, events: [] },
      { days: 29, events: [16] },
      { days: 8, events: [] },
      { days: 6, events: [17] },
      { days: 0, events: [18] },
      { days: 0, events: [] },
    ]);

    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map((l) => [l.eventId, l.event, l.level])).toEqual([
      [16, "LicensorCertExpiresInOneMonthEvent", "warning"],
      [17, "LicensorCertExpiresInOneWeekEvent", "warning"],
      [18, "LicensorCertExpiredEvent", "error"],
    ]);
    expect(logged[0]).toMatchObject({ clusterGuid: "{6F1C2C3E-1111-4222-8333-444455556666}", serverName: "RMS01", daysLeft: 29 });

    const audit = await handle.db.select().from(auditEvents).where(eq(auditEvents.clusterId, clusterId));
    expect(audit.map((row) => [row.action, row.outcome, row.actor, row.details.eventId])).toEqual([
      ["slc_expires_in_one_month", "success", "monitor", 16],
      ["slc_expires_in_one_week", "success", "monitor", 17],
      ["slc_expired", "failure", "monitor", 18],
    ]);
    expect(await listExpiryAlerts(handle.db, daysBefore(0))).toMatchObject([{ clusterId, status: "expired", daysLeft: 0 }]);

    // A renewal installs a new certificate: no alert, no event, and the new one starts its own count.
    await installCertificate(handle.db, clusterId, new Date(EXPIRES.getTime() + 365 * DAY), "b".repeat(64));
    expect(await listExpiryAlerts(handle.db, daysBefore(0))).toEqual([]);
    expect((await checkExpiries(handle.db, { now: daysBefore(0), log })).events).toEqual([]);
    expect(await handle.db.select().from(expiryNotices)).toHaveLength(3);
  });

  dbTest("an SLC first seen a week from expiry gets event 17 only; the alert list says how many days are left", async ({ db: handle }) => {
    const check = await checkExpiries(handle.db, { now: daysBefore(6), log: () => {} });
    expect(check.events.map((e) => e.eventId)).toEqual([17]);
    expect(await listExpiryAlerts(handle.db, daysBefore(6))).toMatchObject([{ status: "expires_in_7", daysLeft: 6 }]);
    expect(await listExpiryAlerts(handle.db, daysBefore(40))).toEqual([]);
  });

  dbTest("a round that cannot reach the database logs the failure and does not throw", async ({ db: handle }) => {
    const lines: string[] = [];
    const clock = fixedClock(daysBefore(29));
    await monitorRound({ db: () => Promise.reject(new Error("connection refused")), clock, intervalMs: 60_000, log: (l) => lines.push(l) });
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ level: "error", source: "rms-monitor" });
    expect(lines[0]).toContain("connection refused");
    await monitorRound({ db: async () => handle.db, clock, intervalMs: 60_000, log: (l) => lines.push(l) });
    expect(lines.map((l) => JSON.parse(l).eventId)).toEqual([undefined, 16]);
  });
});
