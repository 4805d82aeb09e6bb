// One renewal at a time per cluster: a lease row in the database (across processes) plus an in-process guard
// (PGlite does not serialise row locks between callers in one process). A lease left by a process that died on
// this host is taken over at once; otherwise it lapses after its time.
import { randomUUID } from "node:crypto";
import os from "node:os";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Queryable } from "@/lib/platform/db/client";
import { clusters } from "@/lib/platform/db/schema";

const heldHere = new Set<string>();

export type Locked<T> = { acquired: true; value: T } | { acquired: false };

/** Owner ids look like "<host>/<pid>/<uuid>", so a lease of a dead local process can be recognised. */
function ownerId(): string {
  return `${os.hostname()}/${process.pid}/${randomUUID()}`;
}

function isDeadLocalOwner(owner: string): boolean {
  const [host, pidText] = owner.split("/");
  const pid = Number(pidText);
  if (host !== os.hostname() || !Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

async function lease(db: Queryable, clusterId: string, owner: string, leaseMs: number, startedBy: string | null): Promise<boolean> {
  const until = sql`now() + make_interval(secs => ${Math.ceil(leaseMs / 1000)})`;
  const held = { renewalLockedBy: owner, renewalLockedUntil: until, renewalStartedBy: startedBy, renewalStartedAt: sql`now()` };
  const free = await db
    .update(clusters)
    .set(held)
    .where(and(eq(clusters.id, clusterId), or(isNull(clusters.renewalLockedUntil), lt(clusters.renewalLockedUntil, sql`now()`))))
    .returning({ id: clusters.id });
  if (free.length > 0) return true;
  const [current] = await db.select({ owner: clusters.renewalLockedBy }).from(clusters).where(eq(clusters.id, clusterId));
  if (!current?.owner || !isDeadLocalOwner(current.owner)) return false;
  // Take over from the dead owner only if nobody else did meanwhile.
  const taken = await db
    .update(clusters)
    .set(held)
    .where(and(eq(clusters.id, clusterId), eq(clusters.renewalLockedBy, current.owner)))
    .returning({ id: clusters.id });
  return taken.length > 0;
}

/** The held lease, for an operation whose last step is a transaction: it may end the lease in that same commit. */
export interface Lease {
  /** Ends the lease inside `tx` (it ends only if `tx` commits). */
  releaseWithin(tx: Queryable): Promise<void>;
  /** `tx` committed: nothing is left to release. */
  released(): void;
}

function release(db: Queryable, clusterId: string, owner: string) {
  return db
    .update(clusters)
    .set({ renewalLockedBy: null, renewalLockedUntil: null, renewalStartedBy: null, renewalStartedAt: null })
    .where(and(eq(clusters.id, clusterId), eq(clusters.renewalLockedBy, owner)));
}

export async function withRenewalLock<T, A = undefined>(
  db: Queryable,
  clusterId: string,
  leaseMs: number,
  work: (lease: Lease, acquiredWith: A | undefined) => Promise<T>,
  /** The actor shown while the lease is held ("a renewal is in progress, started by …"). */
  startedBy: string | null = null,
  /**
   * Runs inside the lease's own transaction once the lease is taken (the operation's first reads and its start event),
   * so taking the lease and starting cost one commit; its result goes to `work`. If it throws, no lease was taken.
   */
  within?: (tx: Queryable) => Promise<A>,
): Promise<Locked<T>> {
  if (heldHere.has(clusterId)) return { acquired: false };
  heldHere.add(clusterId);
  const owner = ownerId();
  try {
    let acquiredWith: A | undefined;
    const acquired = within
      ? await db.transaction(async (tx) => {
          if (!(await lease(tx, clusterId, owner, leaseMs, startedBy))) return false;
          acquiredWith = await within(tx);
          return true;
        })
      : await lease(db, clusterId, owner, leaseMs, startedBy);
    if (!acquired) return { acquired: false };
    let open = true;
    try {
      return {
        acquired: true,
        value: await work(
          {
            releaseWithin: async (tx) => {
              await release(tx, clusterId, owner);
            },
            released: () => {
              open = false;
            },
          },
          acquiredWith,
        ),
      };
    } finally {
      if (open) await release(db, clusterId, owner);
    }
  } finally {
    heldHere.delete(clusterId);
  }
}
