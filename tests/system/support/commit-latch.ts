// Latches that hold the console inside a database commit, so a kill -9 lands there and nowhere else:
// on PGlite (in the console's process) its commit's fsync(2) is held by strace (./fsync-latch.ts); on PostgreSQL a
// test connection holds a lock on the table the commit writes, and the console's statement waits for it.
import { Client } from "pg";
import { attachFsyncLatch } from "./fsync-latch";

export interface CommitLatch {
  /** Resolves once the console is held inside the commit (fsync entered, or its statement waiting on the lock). */
  reached(timeoutMs: number): Promise<void>;
  /** Lets go (after the kill): strace detaches, the lock is rolled back. */
  release(): Promise<void>;
}

/** PGlite: the console's n-th fsync after this call (a commit syncs once; n = 2 is the second commit). */
export async function fsyncCommitLatch(pid: number, n = 1): Promise<CommitLatch> {
  const latch = await attachFsyncLatch(pid);
  return { reached: (timeoutMs) => latch.entered(n, timeoutMs), release: () => latch.release() };
}

/** PostgreSQL: the console's next write to `table` (in the database at `url`) waits on a lock this latch holds. */
export async function lockCommitLatch(url: string, table: string): Promise<CommitLatch> {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`not a table name: ${table}`);
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query("BEGIN");
  // SHARE blocks INSERT, UPDATE and DELETE (ROW EXCLUSIVE) and lets reads through.
  await client.query(`LOCK TABLE ${table} IN SHARE MODE`);
  const own = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
  return {
    async reached(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const waiting = await client.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND pid <> $1 AND wait_event_type = 'Lock' AND $2 = ANY(pg_blocking_pids(pid))",
          [own, own],
        );
        if (waiting.rowCount) return;
        if (Date.now() > deadline) throw new Error(`no statement waited on the lock of ${table} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async release() {
      await client.query("ROLLBACK").catch(() => {});
      await client.end();
    },
  };
}
