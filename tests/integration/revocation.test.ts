// Revocation end to end, on PGlite and on PostgreSQL (service and console stores alike): the enrollment service revokes
// an SLC it issued (CLI command), publishes a CRL that Debian's openssl verifies with the service's chain, the console
// verifies it against its trust anchors only, shows the installed SLC revoked, audits it once, refuses to import a
// revoked SLC ("Not revoked"), and the revoked cluster's next renewal is held for the operator even under policy open.
// A CRL from a foreign CA, a tampered one and a stale one leave the status "unknown".
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { createConsoleMetrics } from "@/lib/console/metrics/registry";
import { scrapeConsoleMetrics } from "@/lib/console/metrics/scrape";
import { provisionFirstRun } from "@/lib/console/provisioning/first-run";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { exchange } from "@/lib/console/renewal/enrollment-client";
import { validateImport } from "@/lib/console/renewal/offline";
import { renewOnline } from "@/lib/console/renewal/online";
import { checkRevocation } from "@/lib/console/revocation/check";
import { verifyCrl } from "@/lib/console/revocation/crl";
import { clusterRevocationStatus } from "@/lib/console/revocation/status";
import { loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { runAdminCommand } from "@/lib/enrollment/admin";
import { createCaHierarchy } from "@/lib/enrollment/ca";
import { buildCrl, crlSignerFromPem } from "@/lib/enrollment/revocations";
import { type EnrollmentService, startEnrollmentService } from "@/lib/enrollment/server";
import { certificates, clusters } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { describeOnEachDatabase } from "../support/db-test";
import { seedEnrollmentStore } from "../support/enrollment";
import { createTestTlsPki, startTestHttpsServer, type TestTlsPki } from "../support/tls";

const actor = { name: "RMS01\\alice", remoteAddress: "127.0.0.1" };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-revocation-test-"));
let fakeTls: TestTlsPki;

beforeAll(async () => {
  fakeTls = await createTestTlsPki({ label: "Stand-in enrollment service" });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function openssl(args: string[]) {
  return spawnSync("openssl", args, { encoding: "utf8" });
}

describeOnEachDatabase("revocation", ({ kind, sharedDatabase }) => {
  let service: EnrollmentService;
  let root: string;
  let handle: TestDatabase;
  let ctx: RenewalContext;
  let clusterId: string;
  const serviceDir = path.join(tmp, `enrollment-${kind}`);

  async function get(pathname: string) {
    const response = await exchange(
      `${service.url}${pathname}`,
      { method: "GET" },
      { connectTimeoutMs: 10_000, totalTimeoutMs: 30_000, ca: [root] },
    );
    if (!response.ok) throw new Error(`GET ${pathname}: ${JSON.stringify(response)}`);
    return response;
  }

  async function installedSerial(): Promise<string> {
    const [row] = await handle.db.select({ serial: certificates.serialNumber }).from(certificates).where(eq(certificates.active, true));
    if (!row) throw new Error("no installed SLC");
    return row.serial;
  }

  beforeAll(async () => {
    if (kind === "pglite") seedEnrollmentStore(serviceDir);
    service = await startEnrollmentService({
      host: "127.0.0.1",
      policy: "open",
      port: 0,
      dataDir: serviceDir,
      validityDays: 365,
      issuerName: "Test Enrollment Service",
      ...(kind === "postgres"
        ? { databaseUrl: process.env.DATABASE_URL, databaseSchema: `e_${Math.random().toString(16).slice(2, 10)}` }
        : {}),
    });
    root = fs.readFileSync(path.join(serviceDir, "ca", "root.pem"), "utf8");
    handle = await sharedDatabase();
    const kek = loadKeyEncryptionKey({ dataDir: path.join(tmp, `console-${kind}`), createIfMissing: true });
    ctx = {
      db: handle.db,
      kek: () => kek,
      trustAnchors: () => [root],
      enrollmentUrl: service.url,
      http: { connectTimeoutMs: 10_000, totalTimeoutMs: 30_000 },
      now: () => new Date(),
      leaseMs: 30_000,
    };
    const provisioned = await provisionFirstRun(ctx, { serverName: "RMS01", validityDays: 20 });
    if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
    const [cluster] = await handle.db.select().from(clusters);
    if (!cluster) throw new Error("no cluster");
    clusterId = cluster.id;
  }, 300_000);

  afterAll(async () => {
    await service?.close();
  });

  it("publishes a CRL openssl verifies with the service's chain, and the console finds the installed SLC not revoked", async () => {
    const crl = await get("/crl");
    expect(crl.contentType).toBe("application/pkix-crl");
    const ca = await get("/ca.pem");
    const dir = fs.mkdtempSync(path.join(tmp, "openssl-"));
    fs.writeFileSync(path.join(dir, "list.crl"), crl.body);
    fs.writeFileSync(path.join(dir, "chain.pem"), `${ca.body.toString("utf8")}\n${root}`);
    const verified = openssl([
      "crl",
      "-inform",
      "DER",
      "-in",
      path.join(dir, "list.crl"),
      "-CAfile",
      path.join(dir, "chain.pem"),
      "-noout",
      "-verify",
    ]);
    expect(verified.status, verified.stderr).toBe(0);
    expect(`${verified.stdout}${verified.stderr}`).toContain("verify OK");
    // The same list signed by someone else's CA: openssl refuses it with the service's chain.
    const foreign = await createCaHierarchy({ organization: "Foreign" });
    const forged = await buildCrl([], crlSignerFromPem(foreign.caCertPem, foreign.caKeyPem), {
      thisUpdate: new Date(),
      nextUpdate: new Date(Date.now() + 3_600_000),
      number: 1,
    });
    fs.writeFileSync(path.join(dir, "forged.crl"), forged);
    expect(
      openssl(["crl", "-inform", "DER", "-in", path.join(dir, "forged.crl"), "-CAfile", path.join(dir, "chain.pem"), "-noout", "-verify"])
        .status,
    ).not.toBe(0);

    const check = await checkRevocation(ctx, { now: new Date(), actor: "monitor" });
    expect(check).toMatchObject({ state: "current", entries: 0, events: [] });
    expect(await clusterRevocationStatus(handle.db, clusterId, new Date())).toMatchObject({ state: "good" });
    const status = await get(`/api/slc-status/${await installedSerial()}`);
    expect(JSON.parse(status.body.toString("utf8"))).toMatchObject({ status: "good" });
  });

  it("an SLC revoked by the operator's CLI: on the CRL, shown revoked, audited once, a metric, and the next renewal is held", async () => {
    const serial = await installedSerial();
    const revoked = await runAdminCommand(
      service.desk,
      service.database,
      { command: "slcs.revoke", serial, reason: "keyCompromise", actor: "alice" },
      new Date(),
    );
    expect(revoked).toMatchObject({ ok: true });
    expect(
      await runAdminCommand(
        service.desk,
        service.database,
        { command: "slcs.revoke", serial, reason: "superseded", actor: "alice" },
        new Date(),
      ),
    ).toMatchObject({ ok: false, message: expect.stringContaining("already revoked") });
    const events = await service.desk.eventsAfter(0, 10_000);
    expect(events.filter((e) => e.outcome === "slc_revoked")).toEqual([
      expect.objectContaining({ channel: "cli", actor: "alice", reason: "keyCompromise", slcSerial: serial }),
    ]);

    const crl = await get("/crl");
    const dir = fs.mkdtempSync(path.join(tmp, "openssl-"));
    fs.writeFileSync(path.join(dir, "list.crl"), crl.body);
    const text = execFileSync("openssl", ["crl", "-inform", "DER", "-in", path.join(dir, "list.crl"), "-noout", "-text"], {
      encoding: "utf8",
    });
    expect(text).toContain(serial.replace(/^0+/, ""));
    expect(text).toContain("Key Compromise");
    expect(JSON.parse((await get(`/api/slc-status/${serial}`)).body.toString("utf8"))).toMatchObject({
      status: "revoked",
      reason: "keyCompromise",
    });

    const first = await checkRevocation(ctx, { now: new Date(), actor: "monitor" });
    expect(first.events).toEqual([expect.objectContaining({ serialNumber: serial, reason: "keyCompromise" })]);
    expect((await checkRevocation(ctx, { now: new Date(), actor: "monitor" })).events).toEqual([]);
    expect(await clusterRevocationStatus(handle.db, clusterId, new Date())).toMatchObject({ state: "revoked", reason: "keyCompromise" });
    const audit = (await listAuditEvents(handle.db, { page: 1, pageSize: 100, clusterId })).events.filter(
      (e) => e.action === "slc_revoked",
    );
    expect(audit).toHaveLength(1);
    const metrics = await scrapeConsoleMetrics(handle.db, createConsoleMetrics());
    expect(metrics.body).toMatch(/rms_slc_revocation_status\{cluster_guid="[^"]+",server_name="RMS01",status="revoked"\} 1/);

    // Policy open, yet the revoked registration's renewal waits for the operator (review reason registration_revoked).
    const renewed = await renewOnline(ctx, { clusterId, actor });
    expect(renewed).toMatchObject({ ok: false, code: "pending_approval" });
    const held = await service.desk.list({ state: "pending_approval" });
    expect(held).toEqual([expect.objectContaining({ reason: "registration_revoked" })]);
  });

  it("an Import of a revoked certificate is refused by the check “Not revoked”; nothing is installed", async () => {
    // The operator approves the held request; the certificate is then revoked before the administrator imports it.
    const [held] = await service.desk.list({ state: "pending_approval" });
    if (!held) throw new Error("no held request");
    expect(await service.desk.approve(held.id, "alice", "cli")).toMatchObject({ ok: true });
    const found = await service.desk.find({ id: held.id });
    if (!found?.slcXml || !found.submission.slc) throw new Error("no certificate");
    await runAdminCommand(
      service.desk,
      service.database,
      { command: "slcs.revoke", serial: found.submission.slc.serial, reason: "superseded", actor: "alice" },
      new Date(),
    );
    await checkRevocation(ctx, { now: new Date(), actor: "monitor" });
    const before = await installedSerial();
    const result = await validateImport(ctx, { clusterId, file: Buffer.from(found.slcXml, "utf8"), actor });
    expect(result).toMatchObject({ ok: false, code: "invalid_file", failedCheck: "not_revoked", rejectReason: "revoked" });
    expect(await installedSerial()).toBe(before);
  });

  it("a CRL from a foreign CA, a tampered one and a stale one leave the revocation status unknown", async () => {
    const foreign = await createCaHierarchy({ organization: "Foreign" });
    const now = new Date();
    const foreignCrl = await buildCrl([], crlSignerFromPem(foreign.caCertPem, foreign.caKeyPem), {
      thisUpdate: now,
      nextUpdate: new Date(now.getTime() + 3_600_000),
      number: 1,
    });
    const real = (await get("/crl")).body;
    const caPem = (await get("/ca.pem")).body.toString("utf8");
    // Signed by the foreign CA: the service's CA does not verify it; with the foreign chain offered it is not anchored.
    expect(verifyCrl(foreignCrl, { issuersPem: caPem, anchorsPem: [root], now })).toMatchObject({ ok: false, code: "bad_signature" });
    expect(verifyCrl(foreignCrl, { issuersPem: `${foreign.caCertPem}\n${foreign.rootCertPem}`, anchorsPem: [root], now })).toMatchObject({
      ok: false,
      code: "untrusted",
    });
    // One byte of the real CRL's signed part changed.
    const tampered = Buffer.from(real);
    tampered[40] = (tampered[40] ?? 0) ^ 0x01;
    expect(verifyCrl(tampered, { issuersPem: caPem, anchorsPem: [root], now }).ok).toBe(false);
    // Past nextUpdate.
    expect(verifyCrl(real, { issuersPem: caPem, anchorsPem: [root], now: new Date(now.getTime() + 2 * 86_400_000) })).toMatchObject({
      ok: false,
      code: "stale",
    });

    // A stand-in service (its TLS trusted) that serves the foreign CRL: the console refuses it, the status is unknown
    // for a cluster whose SLC is not on the last verified list.
    const standIn = await startTestHttpsServer(fakeTls, (req, res) => {
      if (req.url === "/crl") {
        res.writeHead(200, { "Content-Type": "application/pkix-crl" });
        res.end(Buffer.from(foreignCrl));
      } else {
        res.writeHead(200, { "Content-Type": "application/x-pem-file" });
        res.end(`${foreign.caCertPem}\n${foreign.rootCertPem}`);
      }
    });
    try {
      const check = await checkRevocation(
        { ...ctx, enrollmentUrl: standIn.url, trustAnchors: () => [root, fakeTls.rootPem] },
        { now, actor: "monitor" },
      );
      expect(check).toMatchObject({ state: "unknown", detail: expect.stringContaining("untrusted") });
    } finally {
      await standIn.close();
    }
    const [row] = await handle.db.select().from(certificates).where(eq(certificates.active, true));
    expect(row).toBeDefined();
    // The installed SLC revoked earlier stays revoked: a refused list never clears what a verified one said.
    expect(await clusterRevocationStatus(handle.db, clusterId, now)).toMatchObject({ state: "revoked" });
  });
});
