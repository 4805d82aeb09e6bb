// The two reaches into PGlite's internals (lib/platform/db/pglite-durable.ts) are checked when a database opens: on the pinned
// version they hold, and a changed shape fails the start with a message that says what changed and what to do.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, describe, expect, it } from "vitest";
import { addFsync, openDurablePglite, PgliteShapeError, yieldBeforeEachStatement } from "@/lib/platform/db/pglite-durable";
import packageJson from "@/package.json";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-pglite-internals-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("PGlite's internals, checked at start", () => {
  it("is pinned to an exact version, the one installed", () => {
    const pinned = packageJson.dependencies["@electric-sql/pglite"];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    const installed = JSON.parse(fs.readFileSync(path.join(process.cwd(), "node_modules/@electric-sql/pglite/package.json"), "utf8"));
    expect(installed.version).toBe(pinned);
  });

  it("opens on the pinned version: NODEFS got its fsync and every statement goes through execProtocolStream", async () => {
    const db = await openDurablePglite(path.join(dir, "ok"));
    try {
      expect((await db.client.query<{ n: number }>("SELECT 2 AS n")).rows).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
    }
  });

  it("refuses an instance whose queries bypass execProtocolStream", async () => {
    const client = new PGlite();
    try {
      // What a PGlite that stopped routing queries through the method would look like: the replacement never runs.
      const query = client.query.bind(client);
      const bypassing = { execProtocolStream: client.execProtocolStream.bind(client), query };
      const check = yieldBeforeEachStatement(bypassing);
      await expect(check).rejects.toBeInstanceOf(PgliteShapeError);
      await expect(check).rejects.toThrow(/did not go through the instance's execProtocolStream.*package\.json pins/);
    } finally {
      await client.close();
    }
  });

  it("refuses an instance without execProtocolStream, and an Emscripten module without the NODEFS it needs", async () => {
    const client = new PGlite();
    try {
      const without = { query: client.query.bind(client) } as unknown as Parameters<typeof yieldBeforeEachStatement>[0];
      await expect(yieldBeforeEachStatement(without)).rejects.toThrow(/has no execProtocolStream method/);
    } finally {
      await client.close();
    }
    expect(() => addFsync({ FS: { filesystems: {} } })).toThrow(PgliteShapeError);
    expect(() => addFsync({ FS: { filesystems: { NODEFS: { stream_ops: {} } } } })).toThrow(
      /NODEFS has no stream_ops, realPath or tryFSOperation/,
    );
  });
});
