import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { shownActor, wordingFrom } from "@/lib/console/audit/actor";
import { auditLogPage, formatAuditCursor, listAuditEvents, parseAuditCursor, recordAudit, sanitizeText } from "@/lib/console/audit/audit";
import { auditEvents } from "@/lib/platform/db/schema";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

const T0 = new Date("2030-08-01T00:00:00Z");
const CLUSTER = "11111111-2222-4333-8444-555555555555";

describe("audit text sanitising", () => {
  it("strips control characters and line separators", () => {
    expect(sanitizeText("ok\r\n2030-01-01 admin sign_in success")).toBe("ok2030-01-01 admin sign_in success");
    expect(sanitizeText("a\u0000b\u001bc\u0085d\u2028e\u202ef")).toBe("abcdef");
  });
});

describeOnEachDatabase("audit log", () => {
  // A fresh database for every test (`db`): each reads "the newest audit rows", so none may see another's.
  dbTest.beforeEach(async ({ db: handle }) => {
    for (let i = 0; i < 25; i++) {
      await recordAudit(handle.db, {
        actor: `user${i}`,
        remoteAddress: "127.0.0.1",
        action: "request_exported",
        outcome: "success",
        clusterId: i % 5 === 0 ? CLUSTER : null,
        occurredAt: new Date(T0.getTime() + i * 1000),
        details: { n: i },
      });
    }
  });

  dbTest("lists newest first with pagination and a total", async ({ db: handle }) => {
    const first = await listAuditEvents(handle.db, { page: 1, pageSize: 10 });
    expect(first.total).toBe(25);
    expect(first.events.map((e) => e.details.n)).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    const last = await listAuditEvents(handle.db, { page: 3, pageSize: 10 });
    expect(last.events.map((e) => e.details.n)).toEqual([4, 3, 2, 1, 0]);
    expect((await listAuditEvents(handle.db, { page: 4, pageSize: 10 })).events).toEqual([]);
  });

  dbTest("pages by keyset: older and newer pages, stable while events arrive, the top page always full", async ({ db: handle }) => {
    const ns = (page: { events: Array<{ details: Record<string, unknown> }> }) => page.events.map((e) => e.details.n);
    const first = await auditLogPage(handle.db, {}, null, 10);
    expect(ns(first)).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    expect(first).toMatchObject({ total: 25, newer: 0, newerCursor: null });
    // A cursor survives the URL (microseconds included).
    const olderCursor = parseAuditCursor(formatAuditCursor(first.olderCursor ?? { at: "", id: 0 }));
    expect(olderCursor).toEqual(first.olderCursor);
    // New events meanwhile do not shift the next page.
    await recordAudit(handle.db, {
      actor: "late",
      remoteAddress: null,
      action: "sign_in",
      outcome: "success",
      occurredAt: new Date(T0.getTime() + 100_000),
      details: { n: 99 },
    });
    const second = await auditLogPage(handle.db, {}, { before: olderCursor ?? { at: "", id: 0 } }, 10);
    expect(ns(second)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);
    expect(second).toMatchObject({ total: 26, newer: 11 });
    const last = await auditLogPage(handle.db, {}, { before: second.olderCursor ?? { at: "", id: 0 } }, 10);
    expect(ns(last)).toEqual([4, 3, 2, 1, 0]);
    expect(last).toMatchObject({ newer: 21, olderCursor: null });
    const back = await auditLogPage(handle.db, {}, { after: last.newerCursor ?? { at: "", id: 0 } }, 10);
    expect(ns(back)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);
    expect(back.newer).toBe(11);
    // The ten events just newer, then — with one event left above them — the first page, full, rather than a page of one.
    const up = await auditLogPage(handle.db, {}, { after: back.newerCursor ?? { at: "", id: 0 } }, 10);
    expect(ns(up)).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    expect(up.newer).toBe(1);
    const top = await auditLogPage(handle.db, {}, { after: up.newerCursor ?? { at: "", id: 0 } }, 10);
    expect(ns(top)).toEqual([99, 24, 23, 22, 21, 20, 19, 18, 17, 16]);
    expect(top).toMatchObject({ newer: 0, newerCursor: null });
    // Filters narrow every page; forged cursors are no cursor.
    const scoped = await auditLogPage(handle.db, { clusterId: CLUSTER }, null, 2);
    expect(ns(scoped)).toEqual([20, 15]);
    expect(ns(await auditLogPage(handle.db, { clusterId: CLUSTER }, { before: scoped.olderCursor ?? { at: "", id: 0 } }, 2))).toEqual([
      10, 5,
    ]);
    for (const forged of ["x", "2030-08-01 00:00:00+00", "2030-08-01 00:00:00+00~1; DROP TABLE audit_events", "~1", undefined]) {
      expect(parseAuditCursor(forged)).toBeNull();
    }
  });

  dbTest("filters by cluster", async ({ db: handle }) => {
    const page = await listAuditEvents(handle.db, { page: 1, pageSize: 10, clusterId: CLUSTER });
    expect(page.total).toBe(5);
    expect(page.events.map((e) => e.details.n)).toEqual([20, 15, 10, 5, 0]);
  });

  dbTest("is append-only: updates and deletes are refused", async ({ db: handle }) => {
    await expect(handle.db.update(auditEvents).set({ outcome: "failure" }).where(sql`true`)).rejects.toThrow();
    await expect(handle.db.delete(auditEvents).where(sql`true`)).rejects.toThrow();
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 1 })).total).toBe(25);
  });

  dbTest("sanitises details, actor and address, and redacts secret-looking fields", async ({ db: handle }) => {
    await recordAudit(handle.db, {
      actor: "eve\r\nINFO admin sign_in success",
      remoteAddress: "10.0.0.1\n",
      action: "sign_in",
      outcome: "failure",
      occurredAt: new Date(T0.getTime() + 3_600_000),
      details: { note: "line1\nline2\u0007", nested: { deep: ["a\rb"] }, password: "hunter22", "key\n": 1 },
    });
    const [event] = (await listAuditEvents(handle.db, { page: 1, pageSize: 1 })).events;
    expect(event).toMatchObject({
      actor: "eveINFO admin sign_in success",
      remoteAddress: "10.0.0.1",
      details: { note: "line1line2", nested: { deep: ["ab"] }, password: "[redacted]", key: 1 },
    });
  });

  dbTest("commits and rolls back with the caller's transaction", async ({ db: handle }) => {
    const before = (await listAuditEvents(handle.db, { page: 1, pageSize: 1 })).total;
    await expect(
      handle.db.transaction(async (tx) => {
        await recordAudit(tx, { actor: "x", remoteAddress: null, action: "import_confirmed", outcome: "success" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 1 })).total).toBe(before);
    await expect(
      handle.db.transaction(async (tx) => {
        await recordAudit(tx, { actor: "x", remoteAddress: null, action: "import_confirmed", outcome: "success", clusterId: "not-a-uuid" });
      }),
    ).rejects.toThrow();
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 1 })).total).toBe(before);
  });

  dbTest("finds an actor by what the page shows, whichever way the row stored it, in each language", async ({ db: handle }) => {
    // Old sign-ins stored "alice", other rows "RMS\\alice"; the CLI "cli:root"; the console itself "monitor".
    const stored = [
      "alice",
      "RMS\\bob",
      "CONTOSO\\carol",
      "cli:root",
      "cli:CONTOSO\\dave",
      "monitor",
      "auto-renewal",
      "setup",
      null,
      "contoso\\Erin",
    ];
    for (const [i, actor] of stored.entries()) {
      await recordAudit(handle.db, {
        actor,
        remoteAddress: null,
        action: "sign_in",
        outcome: "success",
        occurredAt: new Date(T0.getTime() + 7_200_000 + i * 1000),
        details: { i },
      });
    }
    const found = async (actor: string, wording: ReturnType<typeof wordingFrom>) =>
      (
        await listAuditEvents(handle.db, { page: 1, pageSize: 100, filter: { action: "sign_in", actor, actorWording: wording } })
      ).events.map((event) => event.actor);
    for (const locale of ["en", "sv"] as const) {
      const wording = wordingFrom(translatorFor(locale), "RMS");
      for (const actor of stored) {
        // The whole of what the page shows, and any part of it in any case, finds the row.
        const shown = shownActor(actor, wording);
        expect(await found(shown, wording), `${locale}: ${shown}`).toContain(actor);
        expect(await found(shown.slice(1, -1).toUpperCase(), wording), `${locale}: part of ${shown}`).toContain(actor);
      }
    }
    const en = wordingFrom(translatorFor("en"), "RMS");
    expect(await found("RMS\\alice", en)).toEqual(["alice"]);
    expect(await found("rms\\", en)).toEqual(["cli:root", "RMS\\bob", "alice"]);
    expect(await found("(command line)", en)).toEqual(["cli:CONTOSO\\dave", "cli:root"]);
    // The page shows an old row's lower-case domain in capitals; the filter matches what the page shows.
    expect(shownActor("contoso\\Erin", en)).toBe("CONTOSO\\Erin");
    expect(await found("CONTOSO\\Erin", en)).toEqual(["contoso\\Erin"]);
    expect(await found("System (", en)).toEqual(["setup", "auto-renewal", "monitor"]);
    // Only what is shown: the stored prefix is not, and LIKE's wildcards are literal.
    expect(await found("cli:", en)).toEqual([]);
    expect(await found("%", en)).toEqual([]);
    // Without a wording (older callers) the stored text is matched, as before.
    expect(
      (await listAuditEvents(handle.db, { page: 1, pageSize: 100, filter: { actor: "cli:root" } })).events.map((e) => e.actor),
    ).toEqual(["cli:root"]);
  });
});
