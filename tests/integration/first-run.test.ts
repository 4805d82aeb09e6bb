// First-run provisioning against a real enrollment service over loopback HTTPS (its root read from its data folder,
// never downloaded): the demo cluster is enrolled with a short-lived SLC, once (beside other web sites, never again once
// Default Web Site exists); a service that cannot be reached leaves the cluster and its key for a later enrollment; one
// that holds the enrollment for approval leaves it pending.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect } from "vitest";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { removeRmsFromWebSite } from "@/lib/console/provisioning/web-sites";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { installBundledRoot, loadTrustAnchors } from "@/lib/console/renewal/trust-anchors";
import { loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { type EnrollmentService, startEnrollmentService } from "@/lib/enrollment/server";
import { auditEvents, certificates, clusterKeys, clusters, renewalRequests, webSites } from "@/lib/platform/db/schema";
import { dbTest, describeOnEachDatabase } from "../support/db-test";
import { seedEnrollmentStore } from "../support/enrollment";
import { createTestTlsPki, startTestHttpsServer, type TestHttpsServer } from "../support/tls";

const DAY_MS = 86_400_000;
const HTTP = { connectTimeoutMs: 1_000, totalTimeoutMs: 5_000 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-first-run-test-"));
const trustAnchorsPath = path.join(tmp, "trust-anchors.pem");
let enrollment: EnrollmentService;
/** Stands in for a service whose policy holds every new enrollment for an operator (202 pending approval). */
let approvalService: TestHttpsServer;

beforeAll(async () => {
  seedEnrollmentStore(path.join(tmp, "enrollment"));
  enrollment = await startEnrollmentService({
    host: "127.0.0.1",
    policy: "open",
    port: 0,
    dataDir: path.join(tmp, "enrollment"),
    validityDays: 365,
    issuerName: "Test Enrollment Service",
  });
  // As `npm start` does: the root comes from the service's data folder on disk.
  const installed = installBundledRoot({ rootPath: path.join(tmp, "enrollment", "ca", "root.pem"), trustAnchorsPath });
  if (!installed.ok) throw new Error(installed.message);
  const approvalTls = await createTestTlsPki({ label: "Approval service" });
  fs.appendFileSync(trustAnchorsPath, `\n${approvalTls.rootPem}`);
  approvalService = await startTestHttpsServer(approvalTls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const requestId = /<(?:\w+:)?RequestId>([^<]+)</.exec(Buffer.concat(chunks).toString("utf8"))?.[1] ?? "";
      res.writeHead(202, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({ status: "pending_approval", submissionId: "cd".repeat(16), requestId, message: "Waiting for an operator." }),
      );
    });
  });
});

afterAll(async () => {
  await enrollment.close();
  await approvalService?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describeOnEachDatabase("provisionFirstRun", ({ kind }) => {
  const kek = loadKeyEncryptionKey({ dataDir: path.join(tmp, `console-${kind}`), createIfMissing: true });
  const context = (db: RenewalContext["db"], enrollmentUrl: string): RenewalContext => ({
    db,
    kek: () => kek,
    trustAnchors: () => loadTrustAnchors(trustAnchorsPath),
    enrollmentUrl,
    http: HTTP,
    now: () => new Date(),
    leaseMs: 30_000,
  });

  dbTest("creates Default Web Site with a demo cluster enrolled over HTTPS for the requested days, once", async ({ db: handle }) => {
    const ctx = context(handle.db, enrollment.url);
    const result = await provisionFirstRun(ctx, { serverName: "RMS01", validityDays: DEMO_SLC_VALIDITY_DAYS });
    if (!result.ok || !result.provisioned) throw new Error(`first run: ${JSON.stringify(result)}`);
    expect(Math.round((result.validUntil.getTime() - Date.now()) / DAY_MS)).toBe(DEMO_SLC_VALIDITY_DAYS);

    const [site] = await handle.db.select().from(webSites);
    expect(site).toMatchObject({ name: "Default Web Site", state: "started", clusterId: result.clusterId });
    const [cluster] = await handle.db.select().from(clusters);
    expect(cluster).toMatchObject({ serverName: "RMS01", clusterUrl: "http://rms01/_wmcs" });
    const installed = await handle.db.select().from(certificates).where(eq(certificates.clusterId, result.clusterId));
    expect(installed).toHaveLength(1);
    expect(installed[0]).toMatchObject({ active: true, obtainedBy: "enroll", installedBy: "setup" });
    const events = await handle.db.select().from(auditEvents);
    expect(events.map((e) => [e.action, e.outcome, e.actor])).toEqual([["enroll_succeeded", "success", "setup"]]);

    expect(await provisionFirstRun(ctx, { serverName: "RMS01" })).toEqual({ ok: true, provisioned: false });
    expect(await handle.db.select().from(clusters)).toHaveLength(1);
  });

  dbTest("keeps the cluster and its key, with no certificate, when the service cannot be reached", async ({ db: handle }) => {
    const result = await provisionFirstRun(context(handle.db, "https://127.0.0.1:9"), { serverName: "RMS02" });
    expect(result).toMatchObject({ ok: false, code: "unreachable" });
    expect(await handle.db.select().from(webSites)).toHaveLength(1);
    expect(await handle.db.select().from(clusterKeys)).toHaveLength(1);
    expect(await handle.db.select().from(certificates)).toHaveLength(0);
  });

  dbTest(
    "creates Default Web Site beside other web sites, and never again once it exists, even after RMS was removed from it",
    async ({ db: handle }) => {
      await handle.db.insert(webSites).values({ name: "Contoso Intranet" });
      const ctx = context(handle.db, "https://127.0.0.1:9");
      const result = await provisionFirstRun(ctx, { serverName: "RMS03" });
      expect(result).toMatchObject({ ok: false, code: "unreachable" });
      const [cluster] = await handle.db.select().from(clusters);
      // A database name only: the server has its own field (no English "on" inside Swedish pages).
      expect(cluster?.configDatabase).toBe("DRMS_Config_rms03_80");
      const [site] = await handle.db.select().from(webSites).where(eq(webSites.name, "Default Web Site"));
      if (!site || !cluster) throw new Error("no Default Web Site");
      expect(
        await removeRmsFromWebSite(handle.db, {
          webSiteId: site.id,
          clusterId: cluster.id,
          confirmation: cluster.name,
          actor: { name: "RMS\\alice", remoteAddress: null },
          now: new Date(),
        }),
      ).toMatchObject({ ok: true });
      expect(await provisionFirstRun(ctx, { serverName: "RMS03" })).toEqual({ ok: true, provisioned: false });
      expect(await handle.db.select().from(clusters)).toHaveLength(1);
      expect(await handle.db.select().from(webSites)).toHaveLength(2);
    },
  );

  dbTest("keeps an enrollment the service holds for approval as the cluster's pending request", async ({ db: handle }) => {
    const result = await provisionFirstRun(context(handle.db, approvalService.url), { serverName: "RMS03" });
    expect(result).toMatchObject({ ok: false, code: "pending_approval", submissionId: "cd".repeat(16) });
    if (result.ok || result.code !== "pending_approval") return;
    const requests = await handle.db.select().from(renewalRequests);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      clusterId: result.clusterId,
      requestId: result.requestId,
      status: "pending",
      exportedBy: "setup",
    });
    expect(await handle.db.select().from(certificates)).toHaveLength(0);
    const events = await handle.db.select().from(auditEvents);
    expect(events.map((e) => [e.action, e.outcome])).toEqual([["request_exported", "success"]]);
  });
});
