import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "@/lib/platform/db/schema";
import { createTestDatabase, testDatabaseKinds } from "./support/databases";

describe.each(testDatabaseKinds())("schema on %s", (kind) => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    handle = await createTestDatabase(kind);
  });
  afterAll(async () => handle.dispose());

  it("refuses to change audit events", async () => {
    await handle.db.insert(auditEvents).values({ action: "test", outcome: "success" });
    await expect(handle.db.update(auditEvents).set({ action: "x" }).where(sql`true`)).rejects.toThrow();
    await expect(handle.db.delete(auditEvents).where(sql`true`)).rejects.toThrow();
  });
});
