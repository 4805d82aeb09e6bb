// Reads what the last revocation check stored (./check.ts): a cluster's revocation status for the pages (Global
// Administration, Cluster resources, Security settings) and the metrics, and the revoked serials for the import check.
import { and, eq } from "drizzle-orm";
import { revocationEntryFor } from "@/lib/core/certificates/slc";
import type { Queryable } from "@/lib/platform/db/client";
import { certificates, revocationLists } from "@/lib/platform/db/schema";
import type { CrlEntry } from "./crl";

export type RevocationStatus =
  /** The cluster has no installed SLC. */
  | { state: "no_certificate" }
  /** The installed SLC is on the last verified revocation list. */
  | { state: "revoked"; serialNumber: string; reason: string; revokedAt: Date; checkedAt: Date }
  /** The installed SLC is not on a verified list that is still current. */
  | { state: "good"; serialNumber: string; checkedAt: Date; nextUpdate: Date }
  /** No current verified list: never checked, fetch failed, refused, or stale past nextUpdate. */
  | { state: "unknown"; serialNumber: string; checkedAt: Date | null; detail: string };

interface StoredList {
  state: "current" | "unknown";
  detail: string | null;
  checkedAt: Date;
  nextUpdate: Date | null;
  entries: CrlEntry[];
}

async function storedList(db: Queryable): Promise<StoredList | null> {
  const [row] = await db
    .select({
      state: revocationLists.state,
      detail: revocationLists.detail,
      checkedAt: revocationLists.checkedAt,
      nextUpdate: revocationLists.nextUpdate,
      entries: revocationLists.entries,
    })
    .from(revocationLists)
    .where(eq(revocationLists.id, "enrollment"))
    .limit(1);
  return row ?? null;
}

function statusOf(serialNumber: string | null, list: StoredList | null, now: Date): RevocationStatus {
  if (serialNumber === null) return { state: "no_certificate" };
  const entry = list ? revocationEntryFor(list.entries, serialNumber) : undefined;
  if (list && entry) {
    return { state: "revoked", serialNumber, reason: entry.reason, revokedAt: new Date(entry.revokedAt), checkedAt: list.checkedAt };
  }
  if (!list) return { state: "unknown", serialNumber, checkedAt: null, detail: "The revocation list has not been checked yet." };
  if (list.state !== "current" || list.nextUpdate === null) {
    return {
      state: "unknown",
      serialNumber,
      checkedAt: list.checkedAt,
      detail: list.detail ?? "The revocation list could not be verified.",
    };
  }
  if (list.nextUpdate.getTime() < now.getTime()) {
    return {
      state: "unknown",
      serialNumber,
      checkedAt: list.checkedAt,
      detail: `The last verified revocation list expired at ${list.nextUpdate.toISOString()} and no newer one was obtained.`,
    };
  }
  return { state: "good", serialNumber, checkedAt: list.checkedAt, nextUpdate: list.nextUpdate };
}

/** The next instant at which a status read now would read differently with the same stored list: a "good" one goes stale. */
export function revocationStatusChangesAt(status: RevocationStatus): Date | null {
  return status.state === "good" ? new Date(status.nextUpdate.getTime() + 1) : null;
}

/** The revocation status of one cluster's installed SLC at `now` (for the Security settings page and others). */
export async function clusterRevocationStatus(db: Queryable, clusterId: string, now: Date): Promise<RevocationStatus> {
  const [[installed], list] = await Promise.all([
    db
      .select({ serialNumber: certificates.serialNumber })
      .from(certificates)
      .where(and(eq(certificates.clusterId, clusterId), eq(certificates.active, true)))
      .limit(1),
    storedList(db),
  ]);
  return statusOf(installed?.serialNumber ?? null, list, now);
}

/** Every cluster's status by cluster id (clusters with an installed SLC only), with one read of the list. */
export async function revocationStatuses(db: Queryable, now: Date): Promise<Map<string, RevocationStatus>> {
  const [installed, list] = await Promise.all([
    db
      .select({ clusterId: certificates.clusterId, serialNumber: certificates.serialNumber })
      .from(certificates)
      .where(eq(certificates.active, true)),
    storedList(db),
  ]);
  return new Map(installed.map((row) => [row.clusterId, statusOf(row.serialNumber, list, now)]));
}

/** The last verified revocation list's entries (the import refuses an SLC on it); undefined when none was checked. */
export async function revokedEntries(db: Queryable): Promise<CrlEntry[] | undefined> {
  return (await storedList(db))?.entries;
}
