// A commit acknowledged by the embedded database has reached the disk: Postgres syncs, and its syncs are real fsync(2) calls.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { openDatabase } from "@/lib/platform/db/client";

const root = path.resolve(__dirname, "..", "..");
// On a disk whatever TMPDIR the run uses (the other tests' folders may be in memory: tests/support/scratch.ts):
// /var/tmp, which the FHS keeps on persistent storage.
const dir = fs.mkdtempSync(path.join(fs.existsSync("/var/tmp") ? "/var/tmp" : os.tmpdir(), "rms-durable-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const strace = spawnSync("strace", ["-V"]).status === 0;

it("runs the embedded database with fsync and synchronous commits on", async () => {
  const handle = await openDatabase({ dataDir: path.join(dir, "settings") });
  try {
    const show = async (name: string) => {
      const result = z.object({ rows: z.array(z.record(z.string(), z.string())) }).parse(await handle.db.execute(`SHOW ${name}`));
      return result.rows[0]?.[name];
    };
    expect(handle.kind).toBe("pglite");
    expect(await show("fsync")).toBe("on");
    expect(await show("synchronous_commit")).toBe("on");
    // fdatasync is a no-op in PGlite's WASM build; fsync is the call that reaches the disk.
    expect(await show("wal_sync_method")).toBe("fsync");
    expect(await show("full_page_writes")).toBe("on");
  } finally {
    await handle.close();
  }
});

/**
 * Opens the product's database (a new one), commits one write and runs one read, closes it and opens it again, marking each
 * step on stderr.
 */
const CHILD = `
import fs from "node:fs";
import { migrateDatabase, openDatabase } from ${JSON.stringify(path.join(root, "lib", "platform", "db", "client.ts"))};
const mark = (step) => fs.writeSync(2, "rms-durability: " + step + "\\n");
mark("open");
const handle = await openDatabase({ dataDir: process.argv[2] });
mark("opened");
await migrateDatabase(handle);
await handle.db.execute("CREATE TABLE IF NOT EXISTS durability_probe (id serial PRIMARY KEY, note text NOT NULL)");
mark("write");
await handle.db.transaction(async (tx) => {
  await tx.execute("INSERT INTO durability_probe (note) VALUES ('renewed')");
});
mark("committed");
await handle.db.transaction(async (tx) => {
  await tx.execute("SELECT count(*) FROM durability_probe");
});
mark("read");
await handle.close();
mark("reopen");
const again = await openDatabase({ dataDir: process.argv[2] });
mark("reopened");
await again.close();
`;

interface SyncCall {
  call: string;
  file: string;
}

/** The sync calls strace saw between two marks, in order. */
function syncsBetween(trace: string[], from: string, to: string): SyncCall[] {
  const start = trace.findIndex((line) => line.includes(`"rms-durability: ${from}\\n"`));
  const end = trace.findIndex((line) => line.includes(`"rms-durability: ${to}\\n"`));
  expect(start, `mark ${from}`).toBeGreaterThanOrEqual(0);
  expect(end, `mark ${to}`).toBeGreaterThan(start);
  return trace.slice(start + 1, end).flatMap((line) => {
    const match = /^\d+\s+(fsync|fdatasync|sync_file_range|msync)\(\d+<([^>]*)>/.exec(line);
    return match?.[1] && match[2] !== undefined ? [{ call: match[1], file: match[2] }] : [];
  });
}

describe.skipIf(!strace)("under strace (skipped: strace is not installed; apt-get install strace)", () => {
  it("fsyncs the WAL before a write transaction's COMMIT returns, syncs nothing for a read, and syncs a new data folder once", () => {
    const dataDir = path.join(dir, "traced");
    const script = path.join(dir, "commit-once.mjs");
    const traceFile = path.join(dir, "strace.txt");
    fs.writeFileSync(script, CHILD);
    const result = spawnSync(
      "strace",
      [
        "-f",
        "-y",
        "-e",
        "trace=fsync,fdatasync,sync_file_range,msync,write",
        "-o",
        traceFile,
        process.execPath,
        "--import",
        "tsx",
        script,
        dataDir,
      ],
      { cwd: root, encoding: "utf8", timeout: 150_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const trace = fs.readFileSync(traceFile, "utf8").split("\n");
    const wal = `${path.join(dataDir, "pglite", "pg_wal")}/`;

    const commit = syncsBetween(trace, "write", "committed");
    expect(commit.filter((sync) => sync.call === "fsync" && sync.file.startsWith(wal)).length).toBeGreaterThan(0);
    expect(syncsBetween(trace, "committed", "read")).toEqual([]);

    // Files Postgres never syncs itself (PGlite unpacks them at creation) are synced when a new database opens, and not
    // again when one that closed cleanly reopens.
    const unpacked = path.join(dataDir, "pglite", "PG_VERSION");
    expect(syncsBetween(trace, "open", "opened").map((sync) => sync.file)).toContain(unpacked);
    expect(syncsBetween(trace, "reopen", "reopened").map((sync) => sync.file)).not.toContain(unpacked);
  }, 180_000);
});
