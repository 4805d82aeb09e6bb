// Opt-in automatic renewal against a real enrollment service (in-process, HTTPS verified with its root), driven by an
// injected clock: off until switched on (audited); planned inside the service's suggested window (GET
// /api/renewal-info); renews exactly once when due, even with two consoles in the same round; backs off 1 h doubling
// to 24 h while the service is unreachable.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import {
  autoRenewalRound,
  backoffMs,
  defaultWindow,
  getAutoRenewal,
  planAutoRenewals,
  setAutoRenewal,
} from "@/lib/console/renewal/auto-renewal";
import type { RenewalContext } from "@/lib/console/renewal/context";
import type { EnrollmentService } from "@/lib/enrollment/server";
import { type DatabaseHandle, openDatabase } from "@/lib/platform/db/client";
import { certificates, clusters } from "@/lib/platform/db/schema";
import { fixedClock } from "@/lib/platform/time/clock";
import type { TestDatabase } from "../support/databases";
import { describeOnEachDatabase } from "../support/db-test";
import { startTestEnrollment, testRenewalContext } from "../support/enrollment";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-auto-renewal-"));
let enrollment: EnrollmentService;
let root: string;
/** World time for the consoles and the service alike (the service refuses requests dated in its future). */
const clock = fixedClock(new Date());

beforeAll(async () => {
  ({ service: enrollment, root } = await startTestEnrollment(path.join(tmp, "enrollment"), { clock: () => clock.now() }));
}, 60_000);

afterAll(async () => {
  await enrollment.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("renewal window and back-off", () => {
  it("starts at two thirds of the validity or 30 days before expiry, whichever is first, and lasts a week", () => {
    const from = new Date("2030-01-01T00:00:00Z");
    const year = defaultWindow(from, new Date(from.getTime() + 365 * DAY));
    expect(year.start.toISOString()).toBe(new Date(from.getTime() + Math.floor((365 * DAY * 2) / 3)).toISOString());
    expect(year.end.getTime() - year.start.getTime()).toBe(7 * DAY);
    // 45 days: 30 days before expiry (day 15) comes before two thirds (day 30).
    const short = defaultWindow(from, new Date(from.getTime() + 45 * DAY));
    expect(short.start.toISOString()).toBe(new Date(from.getTime() + 15 * DAY).toISOString());
  });

  it("backs off 1 h, doubling to 24 h, and honours a longer Retry-After", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 12].map((n) => backoffMs(n) / HOUR)).toEqual([1, 2, 4, 8, 16, 24, 24, 24]);
    expect(backoffMs(1, 3 * 3600) / HOUR).toBe(3);
  });
});

describeOnEachDatabase("automatic renewal", ({ kind, sharedDatabase }) => {
  let handle: TestDatabase;
  let second: DatabaseHandle;
  let clusterId: string;
  const admin = { name: "RMS\\alice", remoteAddress: "127.0.0.1" };

  function context(db: DatabaseHandle["db"], enrollmentUrl = enrollment.url): RenewalContext {
    return testRenewalContext(db, {
      consoleDir: path.join(tmp, `console-${kind}`),
      trustAnchors: [root],
      enrollmentUrl,
      now: () => clock.now(),
    });
  }

  async function installed() {
    const rows = await handle.db.select().from(certificates).where(eq(certificates.clusterId, clusterId));
    return { count: rows.length, active: rows.find((r) => r.active) };
  }

  beforeAll(async () => {
    handle = await sharedDatabase();
    second =
      kind === "postgres"
        ? await openDatabase({ dataDir: os.tmpdir(), databaseUrl: process.env.DATABASE_URL, pgSchema: handle.schema })
        : handle;
    const provisioned = await provisionFirstRun(context(handle.db), { serverName: `AUTO-${kind}`, validityDays: DEMO_SLC_VALIDITY_DAYS });
    if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
    const [cluster] = await handle.db.select().from(clusters);
    if (!cluster) throw new Error("no cluster");
    clusterId = cluster.id;
  }, 60_000);

  afterAll(async () => {
    if (second !== handle) await second.close();
  });

  it("is off by default and renews nothing; switching it on is audited", async () => {
    expect(await autoRenewalRound(context(handle.db), { now: clock.now() })).toEqual([]);
    expect((await getAutoRenewal(handle.db, clusterId)).enabled).toBe(false);
    await setAutoRenewal(handle.db, { clusterId, enabled: true, actor: admin, now: clock.now() });
    const audit = await listAuditEvents(handle.db, { page: 1, pageSize: 50, clusterId });
    expect(audit.events.filter((e) => e.action === "auto_renewal_enabled").map((e) => e.actor)).toEqual([admin.name]);
  });

  it("plans inside the service's suggested window, and renews exactly once when due, with two consoles in the round", async () => {
    const before = await installed();
    // Switching it on plans at once (the page can say when); the round keeps that plan.
    const [planned] = await planAutoRenewals(context(handle.db), { clusterId, random: () => 0.5 });
    expect(await autoRenewalRound(context(handle.db), { now: clock.now(), random: () => 0.9 })).toEqual([]);
    const plan = await getAutoRenewal(handle.db, clusterId);
    expect(plan.nextAttemptAt).toEqual(planned?.nextAttemptAt);
    expect(plan.windowSource).toBe("service");
    const validFrom = before.active?.validFrom.getTime() ?? 0;
    const validUntil = before.active?.validUntil.getTime() ?? 0;
    // The service's window: from two thirds of the 20-day validity, ending a day before expiry; the plan in its middle.
    const start = validFrom + ((validUntil - validFrom) * 2) / 3;
    expect(plan.nextAttemptAt?.getTime()).toBeGreaterThan(start);
    expect(plan.nextAttemptAt?.getTime()).toBeLessThan(validUntil - DAY);

    clock.set(new Date((plan.nextAttemptAt?.getTime() ?? 0) + 60_000));
    const rounds = await Promise.all([
      autoRenewalRound(context(handle.db), { now: clock.now() }),
      autoRenewalRound(context(second.db), { now: clock.now() }),
    ]);
    const attempts = rounds.flat();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ ok: true, failures: 0 });
    const after = await installed();
    expect(after.count).toBe(before.count + 1);
    expect(after.active?.validUntil.getTime()).toBeGreaterThan(validUntil);
    expect(after.active?.installedBy).toBe("auto-renewal");

    // The next round plans for the new certificate, months ahead: nothing more happens now.
    expect(await autoRenewalRound(context(handle.db), { now: clock.now(), random: () => 0 })).toEqual([]);
    expect((await installed()).count).toBe(after.count);
    const replanned = await getAutoRenewal(handle.db, clusterId);
    expect(replanned.nextAttemptAt?.getTime()).toBeGreaterThan(clock.now().getTime() + 200 * DAY);
    expect(replanned).toMatchObject({ lastOutcome: "success", failures: 0 });
  });

  it("backs off 1 h, 2 h, 4 h … 24 h while the service is unreachable, and attempts nothing in between", async () => {
    const plan = await getAutoRenewal(handle.db, clusterId);
    let now = new Date((plan.nextAttemptAt?.getTime() ?? 0) + 1000);
    // A closed port: every attempt fails at once, as "unreachable".
    const down = context(handle.db, "https://127.0.0.1:9");
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      clock.set(now);
      const [failed, ...more] = await autoRenewalRound(down, { now });
      expect(more).toEqual([]);
      expect(failed).toMatchObject({ ok: false, failures: i + 1, detail: expect.stringContaining("could not be reached") });
      const next = failed?.nextAttemptAt?.getTime() ?? 0;
      waits.push((next - now.getTime()) / HOUR);
      // Just before the next attempt is due: nothing.
      expect(await autoRenewalRound(down, { now: new Date(next - 60_000) })).toEqual([]);
      now = new Date(next);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 24, 24]);
    const audit = await listAuditEvents(handle.db, { page: 1, pageSize: 100, clusterId });
    expect(audit.events.filter((e) => e.action === "renew_online_failed" && e.actor === "auto-renewal")).toHaveLength(7);

    // Switched off: no attempt, however late.
    await setAutoRenewal(handle.db, { clusterId, enabled: false, actor: admin, now });
    expect(await autoRenewalRound(down, { now: new Date(now.getTime() + 30 * DAY) })).toEqual([]);
  });
});
