import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listAuditEvents, recordAudit, sanitizeText } from "@/lib/audit/audit";
import { auditEvents } from "@/lib/db/schema";
import { createTestDatabase, testDatabaseKinds } from "../support/databases";

const T0 = new Date("2030-08-01T00:00:00Z");
const CLUSTER = "11111111-2222-4333-8444-555555555555";

describe("audit text sanitising", () => {
  it("strips control characters and line separators", () => {
    expect(sanitizeText("ok\r\n2030-01-01 admin sign_in success")).toBe("ok2030-01-01 admin sign_in success");
    expect(sanitizeText("a\u0000b\u001bc\u0085d\u2028e\u202ef")).toBe("abcdef");
  });
});

describe.each(testDatabaseKinds())("audit log on %s", (kind) => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  // A fresh database for every test: each reads "the newest audit rows", so none may see another's.
  beforeEach(async () => {
    handle = await createTestDatabase(kind);
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
  afterEach(async () => handle.dispose());

  it("lists newest first with pagination and a total", async () => {
    const first = await listAuditEvents(handle.db, { page: 1, pageSize: 10 });
    expect(first.total).toBe(25);
    expect(first.events.map((e) => e.details.n)).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    const last = await listAuditEvents(handle.db, { page: 3, pageSize: 10 });
    expect(last.events.map((e) => e.details.n)).toEqual([4, 3, 2, 1, 0]);
    expect((await listAuditEvents(handle.db, { page: 4, pageSize: 10 })).events).toEqual([]);
  });

  it("filters by cluster", async () => {
    const page = await listAuditEvents(handle.db, { page: 1, pageSize: 10, clusterId: CLUSTER });
    expect(page.total).toBe(5);
    expect(page.events.map((e) => e.details.n)).toEqual([20, 15, 10, 5, 0]);
  });

  it("is append-only: updates and deletes are refused", async () => {
    await expect(handle.db.update(auditEvents).set({ outcome: "failure" }).where(sql`true`)).rejects.toThrow();
    await expect(handle.db.delete(auditEvents).where(sql`true`)).rejects.toThrow();
    expect((await listAuditEvents(handle.db, { page: 1, pageSize: 1 })).total).toBe(25);
  });

  it("sanitises details, actor and address, and redacts secret-looking fields", async () => {
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

  it("commits and rolls back with the caller's transaction", async () => {
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
});
