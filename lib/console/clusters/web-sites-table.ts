// Global Administration's table of web sites, rendered once per version of its data: the database replaces the version
// (data_versions) in the same transaction as every write the table shows, whichever console, CLI or monitor writes,
// so one tiny read per request says whether the table kept from an earlier request still holds.

import { type RevocationStatus, revocationStatusChangesAt, revocationStatuses } from "@/lib/console/revocation/status";
import type { Queryable } from "@/lib/platform/db/client";
import { expiryChangesAt } from "./expiry";
import { getWebSitesOverview, getWebSitesVersion, type WebSitesPage } from "./queries";
import type { VersionedCache } from "./versioned-cache";

/** What Global Administration's table shows: a page of web sites and their SLCs' revocation status, at `now`. */
export interface WebSitesTableSource {
  sites: WebSitesPage["sites"];
  revocation: Map<string, RevocationStatus>;
  now: Date;
}

/** The table as its page made it, with what the pagination needs. */
export interface KeptWebSitesTable<T> {
  table: T;
  total: number;
  page: number;
}

/**
 * Global Administration's table of web sites as `render` makes it, taken from `kept` while the database's version of
 * its data stands and nothing in it has changed with time (days left, a revocation list going stale). The version is
 * read first, so the data read after it is at least that new: never an older table kept under a newer version.
 * `variant` names whatever else the rendering depends on (the language).
 */
export async function keptWebSitesTable<T>(
  db: Queryable,
  kept: VersionedCache<KeptWebSitesTable<T>>,
  opts: { page: number; pageSize: number; variant: string; now: Date },
  render: (source: WebSitesTableSource) => T,
): Promise<KeptWebSitesTable<T>> {
  const { now } = opts;
  const version = await getWebSitesVersion(db);
  const key = `${opts.variant}\n${opts.page}\n${opts.pageSize}`;
  const hit = version === null ? undefined : kept.get(version, key, now);
  if (hit) return hit;
  const [{ sites, total, page }, revocation] = await Promise.all([
    getWebSitesOverview(db, { page: opts.page, pageSize: opts.pageSize }),
    revocationStatuses(db, now),
  ]);
  const shown = { sites, revocation, now };
  const made = { table: render(shown), total, page };
  if (version !== null) kept.set(version, key, made, changesAt(shown));
  return made;
}

/** The first instant at which the table would read differently from the same data (null: never). */
function changesAt({ sites, revocation, now }: WebSitesTableSource): Date | null {
  let first: number = Number.POSITIVE_INFINITY;
  for (const { cluster } of sites) {
    if (!cluster) continue;
    const status = revocation.get(cluster.id);
    const times = [
      cluster.slcValidUntil ? expiryChangesAt(cluster.slcValidUntil, now) : null,
      status ? revocationStatusChangesAt(status) : null,
    ];
    for (const time of times) if (time) first = Math.min(first, time.getTime());
  }
  return Number.isFinite(first) ? new Date(first) : null;
}
