// First-run provisioning against a real enrollment service over loopback HTTP: the demo cluster is enrolled with a
// short-lived SLC, once; a service that cannot be reached leaves the cluster and its key for a later enrollment.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadKeyEncryptionKey } from "@/lib/certificates/key-encryption";
import { auditEvents, certificates, clusterKeys, clusters, webSites } from "@/lib/db/schema";
import { type EnrollmentService, startEnrollmentService } from "@/lib/enrollment/server";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun, trustEnrollmentRoot } from "@/lib/provisioning/first-run";
import type { RenewalContext } from "@/lib/renewal/context";
import { loadTrustAnchors } from "@/lib/renewal/trust-anchors";
import { createTestDatabase, testDatabaseKinds } from "../support/databases";

const DAY_MS = 86_400_000;
const HTTP = { connectTimeoutMs: 1_000, totalTimeoutMs: 5_000 };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-first-run-test-"));
const trustAnchorsPath = path.join(tmp, "trust-anchors.pem");
let enrollment: EnrollmentService;

beforeAll(async () => {
  enrollment = await startEnrollmentService({
    host: "127.0.0.1",
    port: 0,
    dataDir: path.join(tmp, "enrollment"),
    validityDays: 365,
    issuerName: "Test Enrollment Service",
  });
});

afterAll(async () => {
  await enrollment.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("trustEnrollmentRoot", () => {
  it("downloads the service's root once and keeps an existing trust-anchor file", async () => {
    const first = await trustEnrollmentRoot({ trustAnchorsPath, enrollmentUrl: enrollment.url, http: HTTP });
    expect(first).toEqual({ ok: true, downloaded: true });
    expect(loadTrustAnchors(trustAnchorsPath)).toHaveLength(1);
    const again = await trustEnrollmentRoot({ trustAnchorsPath, enrollmentUrl: "http://127.0.0.1:9", http: HTTP });
    expect(again).toEqual({ ok: true, downloaded: false });
  });

  it("says where it looked when the service does not answer", async () => {
    const result = await trustEnrollmentRoot({
      trustAnchorsPath: path.join(tmp, "none.pem"),
      enrollmentUrl: "http://127.0.0.1:9",
      http: HTTP,
    });
    expect(result).toMatchObject({ ok: false, detail: expect.stringContaining("http://127.0.0.1:9/root.pem") });
    expect(fs.existsSync(path.join(tmp, "none.pem"))).toBe(false);
  });
});

describe.each(testDatabaseKinds())("provisionFirstRun on %s", (kind) => {
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

  it("creates Default Web Site with a demo cluster enrolled over HTTP for the requested days, once", async () => {
    const handle = await createTestDatabase(kind);
    try {
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
    } finally {
      await handle.dispose();
    }
  });

  it("keeps the cluster and its key, with no certificate, when the service cannot be reached", async () => {
    const handle = await createTestDatabase(kind);
    try {
      const result = await provisionFirstRun(context(handle.db, "http://127.0.0.1:9"), { serverName: "RMS02" });
      expect(result).toMatchObject({ ok: false, code: "unreachable" });
      expect(await handle.db.select().from(webSites)).toHaveLength(1);
      expect(await handle.db.select().from(clusterKeys)).toHaveLength(1);
      expect(await handle.db.select().from(certificates)).toHaveLength(0);
    } finally {
      await handle.dispose();
    }
  });
});
