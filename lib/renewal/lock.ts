// One renewal at a time per cluster: a lease row in the database (across processes) plus an in-process guard
// (PGlite does not serialise row locks between callers in one process).
import { randomUUID } from "node:crypto";
import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import type { Queryable } from "@/lib/db/client";
import { clusters } from "@/lib/db/schema";

const heldHere = new Set<string>();

export type Locked<T> = { acquired: true; value: T } | { acquired: false };

export async function withRenewalLock<T>(
  db: Queryable,
  clusterId: string,
  leaseMs: number,
  work: () => Promise<T>,
): Promise<Locked<T>> {
  if (heldHere.has(clusterId)) return { acquired: false };
  heldHere.add(clusterId);
  const owner = `${process.pid}:${randomUUID()}`;
  try {
    const leased = await db
      .update(clusters)
      .set({
        renewalLockedBy: owner,
        renewalLockedUntil: sql`now() + make_interval(secs => ${Math.ceil(leaseMs / 1000)})`,
      })
      .where(
        and(
          eq(clusters.id, clusterId),
          or(isNull(clusters.renewalLockedUntil), lt(clusters.renewalLockedUntil, sql`now()`)),
        ),
      )
      .returning({ id: clusters.id });
    if (leased.length === 0) return { acquired: false };
    try {
      return { acquired: true, value: await work() };
    } finally {
      await db
        .update(clusters)
        .set({ renewalLockedBy: null, renewalLockedUntil: null })
        .where(and(eq(clusters.id, clusterId), eq(clusters.renewalLockedBy, owner)));
    }
  } finally {
    heldHere.delete(clusterId);
  }
}
