// Global Administration's changes on real databases: provisioning RMS on a web site (a new cluster and encrypted key, no
// SLC yet), every refusal changing nothing, removal with a typed confirmation (key destroyed, history and audit kept),
// removing twice or from a stale page, and provisioning the same web site anew.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterAll, expect } from "vitest";
import { getClusterOverview, getWebSite, getWebSitesOverview } from "@/lib/console/clusters/queries";
import { checkExpiries, listExpiryAlerts } from "@/lib/console/monitor/expiry-events";
import { type ProvisionFields, provisionWebSite, removeRmsFromWebSite } from "@/lib/console/provisioning/web-sites";
import { getClusterKey } from "@/lib/console/renewal/cluster-keys";
import { loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { auditEvents, autoRenewals, certificates, clusterKeys, clusters, renewalRequests, webSites } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-provisioning-test-"));
const kek = loadKeyEncryptionKey({ dataDir: tmp, createIfMissing: true });
const actor = { name: "RMS\\alice", remoteAddress: "127.0.0.1" };
const GOOD: ProvisionFields = {
  clusterName: "Contoso RMS cluster",
  clusterUrl: "https://RMS.contoso.com/_wmcs/",
  configDatabase: "DRMS_Config_rms_contoso_com_443",
};

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describeOnEachDatabase("provisioning and removal", () => {
  /** This test's `db`, for the helpers below. */
  let handle: TestDatabase;
  let intranet: string;
  let extranet: string;
  let defaultSite: string;
  let demoCluster: string;

  /** Row counts of everything provisioning or removal could touch: a refusal must leave them (but the audit) as they were. */
  const snapshot = async () => {
    const n = async (table: typeof clusters | typeof clusterKeys | typeof certificates) =>
      (await handle.db.select({ n: count() }).from(table))[0]?.n;
    return {
      clusters: await n(clusters),
      keys: await n(clusterKeys),
      certificates: await n(certificates),
      sites: await handle.db.select({ id: webSites.id, clusterId: webSites.clusterId }).from(webSites).orderBy(webSites.name),
      removed: await handle.db.select({ id: clusters.id, removedAt: clusters.removedAt }).from(clusters).orderBy(clusters.id),
      requests: await handle.db.select({ status: renewalRequests.status }).from(renewalRequests),
    };
  };
  const provision = (webSiteId: string, fields: Partial<ProvisionFields> = {}) =>
    provisionWebSite(handle.db, { webSiteId, fields: { ...GOOD, ...fields }, serverName: "RMS01", kek, actor });
  const remove = (webSiteId: string, clusterId: string, confirmation: string) =>
    removeRmsFromWebSite(handle.db, { webSiteId, clusterId, confirmation, actor, now: new Date() });

  dbTest.beforeEach(async ({ db }) => {
    handle = db;
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
      .values([{ name: "Default Web Site", clusterId: demo.id }, { name: "Intranet" }, { name: "Extranet" }])
      .returning();
    defaultSite = sites[0]?.id ?? "";
    intranet = sites[1]?.id ?? "";
    extranet = sites[2]?.id ?? "";
  });

  dbTest("provisions a web site: a cluster with a new GUID and an encrypted 2048-bit key, no SLC yet, audited", async () => {
    const result = await provision(intranet);
    if (!result.ok) throw new Error(JSON.stringify(result));
    expect(result.guid).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);

    const [cluster] = await handle.db.select().from(clusters).where(eq(clusters.id, result.clusterId));
    expect(cluster).toMatchObject({
      name: "Contoso RMS cluster",
      serverName: "RMS01",
      // Stored in its canonical form: lower-case host, no trailing slash.
      clusterUrl: "https://rms.contoso.com/_wmcs",
      configDatabase: "DRMS_Config_rms_contoso_com_443",
      guid: result.guid,
      removedAt: null,
    });
    const site = await getWebSite(handle.db, intranet);
    expect(site?.cluster).toMatchObject({ id: result.clusterId, slcValidUntil: null, pendingRequestId: null });

    const [keyRow] = await handle.db.select().from(clusterKeys).where(eq(clusterKeys.clusterId, result.clusterId));
    expect(keyRow?.encryptedPrivateKey).not.toContain("PRIVATE KEY");
    const key = await getClusterKey(handle.db, result.clusterId, kek);
    expect(key?.fingerprint).toBe(result.keyFingerprint);
    expect(key?.privateKeyPem()).toContain("BEGIN PRIVATE KEY");

    // The Administration page, Global Administration, the banner and the monitor all take a cluster without an SLC.
    expect((await getClusterOverview(handle.db, result.clusterId))?.certificate).toBeNull();
    const overview = await getWebSitesOverview(handle.db, { page: 1, pageSize: 50 });
    expect(overview.sites.find((s) => s.id === intranet)?.cluster).toMatchObject({ id: result.clusterId, slcValidUntil: null });
    expect(await listExpiryAlerts(handle.db, new Date())).toEqual([]);
    expect((await checkExpiries(handle.db, { now: new Date(), log: () => undefined })).events).toEqual([]);

    const events = await handle.db.select().from(auditEvents);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "cluster_provisioned",
      outcome: "success",
      actor: "RMS\\alice",
      clusterId: result.clusterId,
    });
    expect(events[0]?.details).toMatchObject({ webSite: "Intranet", guid: result.guid, keyFingerprint: result.keyFingerprint });
  });

  dbTest("refuses malformed fields, each with its own code, and changes nothing", async () => {
    const before = await snapshot();
    const cases: Array<[Partial<ProvisionFields>, Record<string, string>]> = [
      [{ clusterName: "   " }, { clusterName: "cluster_name_invalid" }],
      [{ clusterName: "x".repeat(129) }, { clusterName: "cluster_name_invalid" }],
      [{ clusterName: "evil\u202Ename" }, { clusterName: "cluster_name_invalid" }],
      [{ clusterUrl: "rms.contoso.com/_wmcs" }, { clusterUrl: "cluster_url_invalid" }],
      [{ clusterUrl: "ftp://rms.contoso.com/_wmcs" }, { clusterUrl: "cluster_url_invalid" }],
      [{ clusterUrl: "https://admin:pw@rms.contoso.com/_wmcs" }, { clusterUrl: "cluster_url_invalid" }],
      [{ clusterUrl: "https://rms.contoso.com/_wmcs?x=1" }, { clusterUrl: "cluster_url_invalid" }],
      [{ configDatabase: "" }, { configDatabase: "config_database_invalid" }],
      [{ configDatabase: "DRMS Config; DROP TABLE x" }, { configDatabase: "config_database_invalid" }],
      [{ configDatabase: `D${"x".repeat(123)}` }, { configDatabase: "config_database_invalid" }],
      [
        { clusterName: "", clusterUrl: "nope", configDatabase: "1db" },
        { clusterName: "cluster_name_invalid", clusterUrl: "cluster_url_invalid", configDatabase: "config_database_invalid" },
      ],
    ];
    for (const [fields, expected] of cases) {
      expect(await provision(intranet, fields), JSON.stringify(fields)).toEqual({ ok: false, code: "fields", fields: expected });
    }
    expect(await snapshot()).toEqual(before);
    expect(await handle.db.select().from(auditEvents)).toEqual([]);
  });

  dbTest("refuses a name, URL or database another cluster has (case and trailing slash aside), and changes nothing", async () => {
    const before = await snapshot();
    expect(await provision(intranet, { clusterName: "rms01 rms CLUSTER" })).toEqual({
      ok: false,
      code: "fields",
      fields: { clusterName: "cluster_name_taken" },
    });
    expect(await provision(intranet, { clusterUrl: "HTTP://RMS01/_wmcs/" })).toEqual({
      ok: false,
      code: "fields",
      fields: { clusterUrl: "cluster_url_taken" },
    });
    expect(await provision(intranet, { configDatabase: "drms_config_RMS01_80" })).toEqual({
      ok: false,
      code: "fields",
      fields: { configDatabase: "config_database_taken" },
    });
    expect(await snapshot()).toEqual(before);
  });

  dbTest("provisions a web site once: a double submit, even at the same moment, finds it provisioned", async () => {
    const [first, second] = await Promise.all([
      provision(intranet),
      provision(intranet, { clusterName: "Other", clusterUrl: "https://other/_wmcs", configDatabase: "Other" }),
    ]);
    const outcomes = [first, second].map((r) => (r.ok ? "ok" : r.code)).sort();
    expect(outcomes).toEqual(["already_provisioned", "ok"]);
    const after = await snapshot();
    expect(await provision(intranet, { clusterName: "Third", clusterUrl: "https://third/_wmcs", configDatabase: "Third" })).toEqual({
      ok: false,
      code: "already_provisioned",
    });
    expect(await provision(defaultSite, { clusterName: "Fourth", clusterUrl: "https://fourth/_wmcs", configDatabase: "Fourth" })).toEqual({
      ok: false,
      code: "already_provisioned",
    });
    expect(await provision("00000000-0000-4000-8000-00000000abcd")).toEqual({ ok: false, code: "not_found" });
    expect(await snapshot()).toEqual(after);
    expect(after.clusters).toBe(2);
  });

  dbTest(
    "removes RMS after the typed cluster name: key destroyed, request cancelled, auto-renewal off, history and audit kept",
    async () => {
      const provisioned = await provision(intranet);
      if (!provisioned.ok) throw new Error(JSON.stringify(provisioned));
      const clusterId = provisioned.clusterId;
      // Give it what a cluster in use has: an installed SLC, a pending request, automatic renewal on, an earlier audit row.
      const [slc] = await handle.db
        .insert(certificates)
        .values({
          clusterId,
          document: "<XrML/>",
          fingerprint: "AA".repeat(32),
          serialNumber: "01",
          issuerName: "Test",
          issuerSubject: "CN=Test",
          subjectName: "RMS01",
          issuedAt: new Date(),
          validFrom: new Date(),
          validUntil: new Date(Date.now() + 5 * 86_400_000),
          obtainedBy: "enroll",
          installedBy: "setup",
          active: true,
        })
        .returning();
      await handle.db.insert(renewalRequests).values({
        clusterId,
        requestId: "11111111-2222-4333-8444-555555555555",
        document: "<RenewalRequest/>",
        fingerprint: "BB".repeat(32),
        status: "pending",
        exportedBy: "RMS\\alice",
      });
      await handle.db.insert(autoRenewals).values({ clusterId, enabled: true, changedBy: "RMS\\alice", changedAt: new Date() });
      expect(await listExpiryAlerts(handle.db, new Date())).toHaveLength(1);
      expect((await getWebSite(handle.db, intranet))?.cluster?.pendingRequestId).toBe("11111111-2222-4333-8444-555555555555");

      // A wrong name (or another cluster's) removes nothing; the refusal is audited.
      const before = await snapshot();
      expect(await remove(intranet, clusterId, "contoso rms cluster")).toEqual({ ok: false, code: "confirmation_mismatch" });
      expect(await remove(intranet, clusterId, "RMS01 RMS cluster")).toEqual({ ok: false, code: "confirmation_mismatch" });
      expect(await snapshot()).toEqual(before);

      const removed = await remove(intranet, clusterId, "  Contoso RMS cluster ");
      expect(removed).toEqual({ ok: true, clusterId, keysDestroyed: 1, cancelledRequestId: "11111111-2222-4333-8444-555555555555" });

      // The key is gone: nothing left to decrypt or sign with.
      expect(await handle.db.select().from(clusterKeys).where(eq(clusterKeys.clusterId, clusterId))).toEqual([]);
      expect(await getClusterKey(handle.db, clusterId, kek)).toBeNull();
      // The web site is not provisioned; the cluster row stays, marked removed, with its certificate as history.
      expect((await getWebSite(handle.db, intranet))?.cluster).toBeNull();
      const overview = await getClusterOverview(handle.db, clusterId);
      expect(overview?.removed).toMatchObject({ by: "RMS\\alice" });
      expect(overview?.certificate).toBeNull();
      const [kept] = await handle.db
        .select()
        .from(certificates)
        .where(eq(certificates.id, slc?.id ?? ""));
      expect(kept).toMatchObject({ fingerprint: "AA".repeat(32), active: false, document: "<XrML/>" });
      expect(await handle.db.select({ status: renewalRequests.status }).from(renewalRequests)).toEqual([{ status: "cancelled" }]);
      expect(await handle.db.select({ enabled: autoRenewals.enabled }).from(autoRenewals)).toEqual([{ enabled: false }]);
      // The monitor, the banner and the demo cluster do not see it any more.
      expect(await listExpiryAlerts(handle.db, new Date())).toEqual([]);
      expect((await handle.db.select().from(clusterKeys)).length).toBe(0);
      expect((await getWebSite(handle.db, defaultSite))?.cluster?.id).toBe(demoCluster);

      const events = await handle.db.select().from(auditEvents).where(eq(auditEvents.clusterId, clusterId)).orderBy(auditEvents.id);
      expect(events.map((e) => [e.action, e.outcome])).toEqual([
        ["cluster_provisioned", "success"],
        ["cluster_removed", "failure"],
        ["cluster_removed", "failure"],
        ["cluster_removed", "success"],
      ]);
      expect(events.at(-1)?.details).toMatchObject({
        webSite: "Intranet",
        clusterName: "Contoso RMS cluster",
        keyDestroyed: provisioned.keyFingerprint,
        cancelledRequestId: "11111111-2222-4333-8444-555555555555",
        slcFingerprint: "AA".repeat(32),
      });
    },
  );

  dbTest("refuses removing twice, from a stale page, or during a renewal, and changes nothing", async () => {
    const first = await provision(intranet);
    if (!first.ok) throw new Error(JSON.stringify(first));
    expect((await remove(intranet, first.clusterId, GOOD.clusterName)).ok).toBe(true);
    const afterRemoval = await snapshot();
    expect(await remove(intranet, first.clusterId, GOOD.clusterName)).toEqual({ ok: false, code: "not_provisioned" });
    expect(await remove(extranet, first.clusterId, GOOD.clusterName)).toEqual({ ok: false, code: "not_provisioned" });
    expect(await remove("00000000-0000-4000-8000-00000000abcd", first.clusterId, GOOD.clusterName)).toEqual({
      ok: false,
      code: "not_found",
    });
    expect(await snapshot()).toEqual(afterRemoval);

    // Provisioned anew with the same values (a removed cluster frees them): a new GUID and a new key.
    const again = await provision(intranet);
    if (!again.ok) throw new Error(JSON.stringify(again));
    expect(again.guid).not.toBe(first.guid);
    expect(again.keyFingerprint).not.toBe(first.keyFingerprint);
    expect(await getClusterKey(handle.db, first.clusterId, kek)).toBeNull();

    // The form shown for the first cluster is stale now.
    const beforeStale = await snapshot();
    expect(await remove(intranet, first.clusterId, GOOD.clusterName)).toEqual({ ok: false, code: "stale" });
    // A renewal holding the lease: removal waits for it.
    await handle.db
      .update(clusters)
      .set({ renewalLockedBy: "elsewhere/1/x", renewalLockedUntil: new Date(Date.now() + 60_000) })
      .where(eq(clusters.id, again.clusterId));
    expect(await remove(intranet, again.clusterId, GOOD.clusterName)).toEqual({ ok: false, code: "in_progress" });
    expect(await snapshot()).toEqual(beforeStale);
  });
});
