// `npx tsx bench/durability.ts [count]`: what durable commits cost on the embedded database — commit latency of small
// write transactions with durability on (the product's openDatabase) and off (PGlite as it was: -F, no fsync), one run.
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { openDatabase } from "@/lib/platform/db/client";
import { removeTempDir, tempDir } from "./lib/processes";
import { median, percentile, round, timeMs } from "./lib/stats";

interface Target {
  name: string;
  transact: () => Promise<unknown>;
  samples: number[];
}

const count = Number.parseInt(process.argv[2] ?? "200", 10);
const CREATE = "CREATE TABLE IF NOT EXISTS bench_commits (id serial PRIMARY KEY, note text NOT NULL)";
const INSERT = "INSERT INTO bench_commits (note) VALUES ('renewed')";

const onDir = tempDir("rms-bench-durable-on-");
const offDir = tempDir("rms-bench-durable-off-");
try {
  let handle: Awaited<ReturnType<typeof openDatabase>> | undefined;
  const openOn = await timeMs(async () => {
    handle = await openDatabase({ dataDir: onDir });
  });
  let plain: PGlite | undefined;
  const openOff = await timeMs(async () => {
    plain = await PGlite.create(offDir);
  });
  if (!handle || !plain) throw new Error("a database did not open");
  const on = handle.db;
  const off = drizzle(plain);
  await on.execute(CREATE);
  await off.execute(CREATE);
  const targets: Target[] = [
    { name: "durable (fsync on)", transact: () => on.transaction((tx) => tx.execute(INSERT)), samples: [] },
    { name: "fsync off (before)", transact: () => off.transaction((tx) => tx.execute(INSERT)), samples: [] },
  ];
  for (const target of targets) for (let i = 0; i < 20; i++) await target.transact(); // warm-up
  // Alternating batches, so that load from other processes on the shared machine falls on both alike.
  for (let done = 0; done < count; done += 25) {
    for (const target of targets) {
      for (let i = 0; i < Math.min(25, count - done); i++) target.samples.push(await timeMs(target.transact));
    }
  }
  console.log(
    `${count} write transactions (one INSERT each) per variant; first open (creates the database): durable ${round(openOn, 0)} ms, off ${round(openOff, 0)} ms`,
  );
  for (const { name, samples } of targets) {
    console.log(
      `${name.padEnd(20)} p50 ${round(median(samples), 2)} ms  p95 ${round(percentile(samples, 95), 2)} ms  p99 ${round(percentile(samples, 99), 2)} ms`,
    );
  }
  await handle.close();
  await plain.close();
  // Reopening an existing folder: the durable open also syncs the whole data folder once.
  const reopenOn = await timeMs(async () => (await openDatabase({ dataDir: onDir })).close());
  const reopenOff = await timeMs(async () => (await PGlite.create(offDir)).close());
  console.log(`reopen + close: durable ${round(reopenOn, 0)} ms, off ${round(reopenOff, 0)} ms`);
} finally {
  removeTempDir(onDir);
  removeTempDir(offDir);
}
