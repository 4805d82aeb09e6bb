// While a renewal holds its cluster's lease, the Administration page's query says who started it and when (so a reload
// or another tab shows it running); once it ends, nothing is shown.
import { expect } from "vitest";
import { getClusterOverview } from "@/lib/console/clusters/queries";
import { withRenewalLock } from "@/lib/console/renewal/lock";
import { clusters } from "@/lib/platform/db/schema";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

describeOnEachDatabase("a renewal in progress", () => {
  let clusterId: string;

  dbTest.beforeEach(async ({ db: handle }) => {
    const [cluster] = await handle.db
      .insert(clusters)
      .values({
        guid: "{1A2B3C4D-1111-4222-8333-444455556666}",
        name: "rms.contoso.com",
        serverName: "RMS01",
        clusterUrl: "https://rms.contoso.com/_wmcs",
        configDatabase: "DRMS_Config",
      })
      .returning();
    if (!cluster) throw new Error("no cluster");
    clusterId = cluster.id;
  });

  dbTest("is shown with its actor and start while the lease is held, and gone after", async ({ db: handle }) => {
    expect((await getClusterOverview(handle.db, clusterId))?.renewalInProgress).toBeNull();
    const before = Date.now();
    const seen = await withRenewalLock(
      handle.db,
      clusterId,
      30_000,
      async () => ({
        now: (await getClusterOverview(handle.db, clusterId))?.renewalInProgress,
        // A lease past its time (its process stalled or gone elsewhere) is not shown as running.
        lapsed: (await getClusterOverview(handle.db, clusterId, new Date(Date.now() + 3_600_000)))?.renewalInProgress,
      }),
      "RMS\\alice",
    );
    expect(seen).toMatchObject({ acquired: true, value: { now: { by: "RMS\\alice" }, lapsed: null } });
    const since = seen.acquired ? seen.value.now?.since.getTime() : undefined;
    // The database's clock, within a generous margin of this process's.
    expect(Math.abs((since ?? 0) - before)).toBeLessThan(60_000);
    expect((await getClusterOverview(handle.db, clusterId))?.renewalInProgress).toBeNull();
  });
});
