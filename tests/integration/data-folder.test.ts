// The embedded database's data folder is private at every start: an older or looser folder is tightened to 0700/0600.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { openDatabase } from "@/lib/platform/db/client";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-data-folder-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("makes the data folder 0700 and every file in it 0600 when the database opens", async () => {
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, "trust-anchors.pem"), "x", { mode: 0o644 });
  fs.mkdirSync(path.join(dir, "old"), { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "old", "file"), "y", { mode: 0o664 });
  const first = await openDatabase({ dataDir: dir });
  await first.close();
  // A database folder left readable by an earlier version is tightened too.
  fs.chmodSync(path.join(dir, "pglite"), 0o755);
  const handle = await openDatabase({ dataDir: dir });
  await handle.close();
  const loose: string[] = [];
  const walk = (p: string) => {
    const stat = fs.lstatSync(p);
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) loose.push(`${p} ${(stat.mode & 0o777).toString(8)}`);
      for (const entry of fs.readdirSync(p)) walk(path.join(p, entry));
    } else if (stat.isFile() && (stat.mode & 0o077) !== 0) {
      loose.push(`${p} ${(stat.mode & 0o777).toString(8)}`);
    }
  };
  walk(dir);
  expect(loose).toEqual([]);
});
