// Global Administration's kept table on real databases: reused while nothing it shows changes, and the next read after
// a renewal (a new SLC installed), a provisioning, a removal or a new revocation list shows it — also when the write
// came from another console on the same PostgreSQL (its own pool) or as plain SQL (the CLI, the monitor, a restore).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, expect } from "vitest";
import { webSitesTableHtml } from "@/components/web-sites-table";
import { VersionedCache } from "@/lib/console/clusters/versioned-cache";
import { type KeptWebSitesTable, keptWebSitesTable } from "@/lib/console/clusters/web-sites-table";
import { provisionWebSite, removeRmsFromWebSite } from "@/lib/console/provisioning/web-sites";
import { installCertificate } from "@/lib/console/renewal/install";
import { loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { type Database, openDatabase } from "@/lib/platform/db/client";
import { clusters, revocationLists, webSites } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-web-sites-table-test-"));
const kek = loadKeyEncryptionKey({ dataDir: tmp, createIfMissing: true });
const actor = { name: "RMS\\alice", remoteAddress: "127.0.0.1" };
const DAY = 86_400_000;
const now = new Date("2026-12-05T12:00:00Z");

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A verified SLC as the renewal paths hand it to installCertificate. */
function slc(clusterId: string, serialNumber: string, validUntil: Date) {
  return {
    clusterId,
    document: `<XrML serial="${serialNumber}"/>`,
    slc: {
      serialNumber,
      issuedAt: new Date(now.getTime() - DAY),
      validFrom: new Date(now.getTime() - DAY),
      validUntil,
      issuerName: "Enrollment service",
      serverGuid: "{00000000-0000-4000-8000-000000000001}",
      serverName: "RMS01",
      clusterUrl: "http://rms01/_wmcs",
      publicKeyBase64: "AAAA",
      requestId: `req-${serialNumber}`,
      document: `<XrML serial="${serialNumber}"/>`,
      fingerprint: `fp-${serialNumber}`,
      issuerSubject: "CN=Enrollment service",
      chainSubjects: [],
    },
    obtainedBy: "online" as const,
    installedBy: actor.name,
    now,
  };
}

describeOnEachDatabase("Global Administration's kept table", ({ kind }) => {
  /** This test's `db`, for the helpers below. */
  let handle: TestDatabase;
  /** Where the writes come from: on PostgreSQL another console's own pool; PGlite has one process per data folder. */
  let writer: Database;
  let closeWriter: () => Promise<void>;
  let kept: VersionedCache<KeptWebSitesTable<string>>;
  let renders: number;
  let demoCluster: string;
  let defaultSite: string;
  let intranet: string;

  const read = async (at = now, page = 1) =>
    (
      await keptWebSitesTable(handle.db, kept, { page, pageSize: 50, variant: "en", now: at }, (source) => {
        renders++;
        return webSitesTableHtml(source, "en");
      })
    ).table;
  /** The row of one web site in the table's HTML. */
  const row = (html: string, site: string) => html.split('<tr class="align-top">').find((r) => r.includes(`>${site}</th>`)) ?? "";

  dbTest.beforeEach(async ({ db }) => {
    handle = db;
    if (kind === "postgres") {
      const other = await openDatabase({ dataDir: tmp, databaseUrl: process.env.DATABASE_URL, pgSchema: handle.schema });
      writer = other.db;
      closeWriter = other.close;
    } else {
      writer = handle.db;
      closeWriter = async () => {};
    }
    const [demo] = await handle.db
      .insert(clusters)
      .values({
        guid: "{00000000-0000-4000-8000-000000000001}",
        name: "RMS01 RMS cluster",
        serverName: "RMS01",
        clusterUrl: "http://rms01/_wmcs",
        configDatabase: "DRMS_Config_rms01_80",
      })
      .returning();
    if (!demo) throw new Error("no demo cluster");
    demoCluster = demo.id;
    const sites = await handle.db
      .insert(webSites)
      .values([{ name: "Default Web Site", clusterId: demo.id }, { name: "Intranet" }])
      .returning();
    defaultSite = sites.find((s) => s.name === "Default Web Site")?.id ?? "";
    intranet = sites.find((s) => s.name === "Intranet")?.id ?? "";
    await handle.db.transaction((tx) => installCertificate(tx, slc(demoCluster, "0A", new Date(now.getTime() + 20 * DAY))));
    kept = new VersionedCache(8);
    renders = 0;
  });
  afterEach(async () => {
    await closeWriter();
  });

  dbTest("reuses the rendered table while nothing it shows has changed, also across a write it does not show", async () => {
    const first = await read();
    expect(row(first, "Default Web Site")).toContain('data-status="expires_in_30"');
    expect(await read()).toBe(first);
    // A renewal's lease on the cluster is not on the page.
    await writer.update(clusters).set({ renewalLockedUntil: now, renewalLockedBy: "console-2" }).where(eq(clusters.id, demoCluster));
    expect(await read()).toBe(first);
    expect(renders).toBe(1);
  });

  dbTest("shows a renewal (a new SLC installed) on the next read", async () => {
    expect(row(await read(), "Default Web Site")).toContain("20 days left");
    await writer.transaction((tx) => installCertificate(tx, slc(demoCluster, "0B", new Date(now.getTime() + 365 * DAY))));
    const after = row(await read(), "Default Web Site");
    expect(after).toContain('data-status="valid"');
    expect(after).toContain("365 days left");
    expect(renders).toBe(2);
  });

  dbTest("shows a provisioning and then a removal on the next read", async () => {
    expect(row(await read(), "Intranet")).toContain(`href="/web-sites/${intranet}/provision"`);
    const provisioned = await provisionWebSite(writer, {
      webSiteId: intranet,
      fields: { clusterName: "Intranet RMS", clusterUrl: "https://intranet.contoso.com/_wmcs/", configDatabase: "DRMS_Config_intranet" },
      serverName: "RMS01",
      kek,
      actor,
    });
    if (!provisioned.ok) throw new Error(`provisioning failed: ${provisioned.code}`);
    const shown = row(await read(), "Intranet");
    expect(shown).toContain("https://intranet.contoso.com/_wmcs");
    expect(shown).toContain(`href="/web-sites/${intranet}/remove"`);
    const removed = await removeRmsFromWebSite(writer, {
      webSiteId: defaultSite,
      clusterId: demoCluster,
      confirmation: "RMS01 RMS cluster",
      actor,
      now,
    });
    expect(removed.ok).toBe(true);
    const after = row(await read(), "Default Web Site");
    expect(after).toContain(`href="/web-sites/${defaultSite}/provision"`);
    expect(after).not.toContain("http://rms01/_wmcs");
    expect(renders).toBe(3);
  });

  dbTest("shows a revocation list stored in plain SQL (the CLI, the monitor) on the next read", async () => {
    expect(row(await read(), "Default Web Site")).toContain('data-revocation="unknown"');
    await writer.insert(revocationLists).values({
      id: "enrollment",
      state: "current",
      checkedAt: now,
      nextUpdate: new Date(now.getTime() + DAY),
      entries: [{ serial: "0A", reason: "keyCompromise", revokedAt: now.toISOString() }],
    });
    const after = row(await read(), "Default Web Site");
    expect(after).toContain('data-revocation="revoked"');
    expect(after).not.toContain("data-status=");
  });

  dbTest("renders again when the days left change, not before", async () => {
    // The SLC expires at 12:00 UTC in 20 days: "20 days left" holds until 12:00 tomorrow, then 19.
    await read();
    expect(row(await read(new Date(now.getTime() + DAY - 1)), "Default Web Site")).toContain("20 days left");
    expect(renders).toBe(1);
    expect(row(await read(new Date(now.getTime() + DAY)), "Default Web Site")).toContain("19 days left");
    expect(renders).toBe(2);
  });

  dbTest("keeps nothing when the database has no version (a restore emptied the table)", async () => {
    await handle.db.execute("DELETE FROM data_versions");
    await read();
    await read();
    expect(renders).toBe(2);
  });
});
