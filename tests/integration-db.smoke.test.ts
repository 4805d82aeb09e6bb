import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { auditEvents } from "@/lib/platform/db/schema";
import { dbTest, describeOnEachDatabase } from "./support/db-test";

describeOnEachDatabase("schema", () => {
  dbTest("refuses to change audit events", async ({ db: handle }) => {
    await handle.db.insert(auditEvents).values({ action: "test", outcome: "success" });
    await expect(handle.db.update(auditEvents).set({ action: "x" }).where(sql`true`)).rejects.toThrow();
    await expect(handle.db.delete(auditEvents).where(sql`true`)).rejects.toThrow();
  });
});
