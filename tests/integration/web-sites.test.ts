// The Global Administration read model: pages of web sites in name order, each with its cluster and active SLC.
import { beforeAll, expect } from "vitest";
import { getWebSitesOverview } from "@/lib/console/clusters/queries";
import { clusters, webSites } from "@/lib/platform/db/schema";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

describeOnEachDatabase("web sites overview", ({ sharedDatabase }) => {
  beforeAll(async () => {
    const handle = await sharedDatabase();
    const [cluster] = await handle.db
      .insert(clusters)
      .values({
        guid: "{00000000-0000-4000-8000-000000000001}",
        name: "c",
        serverName: "RMS01",
        clusterUrl: "http://rms01/_wmcs",
        configDatabase: "db",
      })
      .returning();
    await handle.db
      .insert(webSites)
      .values([
        ...Array.from({ length: 120 }, (_, i) => ({ name: `Site ${String(i).padStart(3, "0")}` })),
        { name: "Default Web Site", clusterId: cluster?.id },
      ]);
  });

  dbTest("pages through the sites by name and reports the total", async ({ sharedDb: handle }) => {
    const first = await getWebSitesOverview(handle.db, { page: 1, pageSize: 50 });
    expect(first.total).toBe(121);
    expect(first.sites).toHaveLength(50);
    expect(first.sites[0]?.name).toBe("Default Web Site");
    expect(first.sites[0]?.cluster?.clusterUrl).toBe("http://rms01/_wmcs");
    expect(first.sites[0]?.cluster?.slcValidUntil).toBeNull();
    expect(first.sites[1]?.cluster).toBeNull();
    const last = await getWebSitesOverview(handle.db, { page: 3, pageSize: 50 });
    expect(last.sites.map((s) => s.name).at(-1)).toBe("Site 119");
    expect(last.sites).toHaveLength(21);
  });

  dbTest("clamps a page past the end to the last page", async ({ sharedDb: handle }) => {
    const beyond = await getWebSitesOverview(handle.db, { page: 99, pageSize: 50 });
    expect(beyond.page).toBe(3);
    expect(beyond.sites).toHaveLength(21);
  });
});
