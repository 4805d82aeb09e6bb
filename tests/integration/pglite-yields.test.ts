// The embedded database gives the event loop a turn before each statement, so a long chain of awaited statements (a
// renewal, an import's checks and audit) cannot hold up every other request and timer of the console until it ends.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, expect, it } from "vitest";
import { openDatabase } from "@/lib/platform/db/client";
import { seedBlankPglite } from "../support/databases";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-yields-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("lets a timer and an I/O callback run between the statements of a chain, a transaction's included", async () => {
  seedBlankPglite(path.join(dir, "pglite"));
  const handle = await openDatabase({ dataDir: dir });
  try {
    expect(handle.kind).toBe("pglite");
    await handle.db.execute(sql`CREATE TABLE chain (n integer)`);
    let done = 0;
    const seen: Record<string, number> = {};
    setImmediate(() => {
      seen.immediate = done;
    });
    setTimeout(() => {
      seen.timer = done;
    }, 0);
    // Without the yield the whole chain ran before either callback (both would see 20).
    for (let i = 0; i < 10; i++) {
      await handle.db.execute(sql`SELECT ${i}::integer AS n`);
      done++;
    }
    let inTransaction: number | undefined;
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO chain VALUES (1)`);
      setImmediate(() => {
        inTransaction = done;
      });
      for (let i = 0; i < 10; i++) {
        await tx.execute(sql`SELECT count(*) FROM chain`);
        done++;
      }
    });
    expect(seen.immediate).toBeLessThan(10);
    expect(seen.timer).toBeLessThan(10);
    expect(inTransaction).toBeLessThan(20);
  } finally {
    await handle.close();
  }
});
