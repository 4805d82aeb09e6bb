// The renewal operations against a real enrollment service (in-process, loopback HTTPS verified with its root) and a
// real database, on PGlite and on PostgreSQL: success, every failure path changing nothing, a request held for
// approval kept as the pending request, concurrency, offline round trip.
import fs from "node:fs";
import type http from "node:http";
import os from "node:os";
import path from "node:path";
import { and, count, eq, is, sql } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { getClusterKey } from "@/lib/console/renewal/cluster-keys";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { exchange } from "@/lib/console/renewal/enrollment-client";
import { asksBeforeReplacing } from "@/lib/console/renewal/expiry-gain";
import { cancelRenewalRequest, confirmImport, declineImport, exportRenewalRequest, validateImport } from "@/lib/console/renewal/offline";
import { renewOnline, renewOnlineOrAsk } from "@/lib/console/renewal/online";
import { getPendingRequest } from "@/lib/console/renewal/queries";
import { renewalRequestFields } from "@/lib/console/renewal/request-fields";
import { requestKeyFingerprint } from "@/lib/console/renewal/request-identifiers";
import { loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { verifyRenewalRequest } from "@/lib/core/certificates/renewal-request";
import { signSlc } from "@/lib/enrollment/issue";
import { type EnrollmentService, startEnrollmentService } from "@/lib/enrollment/server";
import * as schema from "@/lib/platform/db/schema";
import { certificates, clusters, renewalRequests } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { describeOnEachDatabase } from "../support/db-test";
import { seedEnrollmentStore } from "../support/enrollment";
import { createTestTlsPki, startTestHttpsServer, type TestTlsPki } from "../support/tls";

const actor = { name: "RMS01\\alice", remoteAddress: "127.0.0.1" };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-renewal-test-"));
let enrollment: EnrollmentService;
/** The service's root, read from its data folder (never downloaded). */
let enrollmentRoot: string;
/** The chain our stand-in services present; the console trusts its root beside the service's. */
let fakeTls: TestTlsPki;
let trustAnchorsPem: string[];

/** A loopback HTTPS server we control, standing in front of (or instead of) the enrollment service. */
function fakeService(handler: http.RequestListener, pki: TestTlsPki = fakeTls) {
  return startTestHttpsServer(pki, handler);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
  });
}

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
  enrollmentRoot = fs.readFileSync(path.join(tmp, "enrollment", "ca", "root.pem"), "utf8");
  fakeTls = await createTestTlsPki({ label: "Stand-in enrollment service" });
  trustAnchorsPem = [enrollmentRoot, fakeTls.rootPem];
});

/** Straight to the real service, TLS verified with its root. */
function toService(body: string) {
  return exchange(
    `${enrollment.url}/api/enroll`,
    { method: "POST", body },
    { connectTimeoutMs: 1000, totalTimeoutMs: 5000, ca: [enrollmentRoot] },
  );
}

afterAll(async () => {
  await enrollment.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describeOnEachDatabase("renewal", ({ kind, sharedDatabase }) => {
  let handle: TestDatabase;
  let ctx: RenewalContext;
  let clusterId: string;
  const dataDir = path.join(tmp, `console-${kind}`);

  async function activeCertificate() {
    const rows = await handle.db
      .select()
      .from(certificates)
      .where(and(eq(certificates.clusterId, clusterId), eq(certificates.active, true)));
    expect(rows).toHaveLength(1);
    const [row] = rows;
    if (!row) throw new Error("no active certificate");
    return row;
  }

  async function certificateCount(): Promise<number> {
    const [row] = await handle.db.select({ n: count() }).from(certificates).where(eq(certificates.clusterId, clusterId));
    return row?.n ?? 0;
  }

  async function auditActions(): Promise<string[]> {
    return (await listAuditEvents(handle.db, { page: 1, pageSize: 500, clusterId })).events.map((e) => e.action);
  }

  /** Signs a certificate for the cluster's pending request through the enrollment service's API. */
  async function signPending(): Promise<Buffer> {
    const pending = await getPendingRequest(handle.db, clusterId);
    if (!pending) throw new Error("no pending request");
    const response = await toService(pending.document);
    if (!response.ok) throw new Error(`enrollment refused: ${JSON.stringify(response)}`);
    return response.body;
  }

  beforeAll(async () => {
    handle = await sharedDatabase();
    const kek = loadKeyEncryptionKey({ dataDir, createIfMissing: true });
    ctx = {
      db: handle.db,
      kek: () => kek,
      trustAnchors: () => trustAnchorsPem,
      enrollmentUrl: enrollment.url,
      http: { connectTimeoutMs: 1000, totalTimeoutMs: 2000 },
      now: () => new Date(),
      leaseMs: 30_000,
    };
    const provisioned = await provisionFirstRun(ctx, { serverName: "RMS01", validityDays: DEMO_SLC_VALIDITY_DAYS });
    if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
    const [cluster] = await handle.db.select().from(clusters);
    if (!cluster) throw new Error("the seed made no cluster");
    clusterId = cluster.id;
  });

  beforeEach(async () => {
    await handle.db.update(renewalRequests).set({ status: "cancelled" }).where(eq(renewalRequests.status, "pending"));
  });

  it("renews online: a later SLC is installed and the old one kept in history, audited in order", async () => {
    const before = await activeCertificate();
    const countBefore = await certificateCount();
    const result = await renewOnline(ctx, { clusterId, actor });
    expect(result.ok).toBe(true);
    const after = await activeCertificate();
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(after.validUntil.getTime()).toBeGreaterThan(before.validUntil.getTime());
    expect(after.obtainedBy).toBe("online");
    expect(after.installedBy).toBe(actor.name);
    expect(await certificateCount()).toBe(countBefore + 1);
    expect((await auditActions()).slice(0, 2)).toEqual(["renew_online_succeeded", "renew_online_started"]);
  });

  it("under the small-gain rule keeps the answer for the confirmation: nothing installed, its request pending; Yes installs it", async () => {
    const before = await activeCertificate();
    // More days left than the setting (the demo's 20, or a year after the test above): the rule asks.
    const asked = await renewOnlineOrAsk(ctx, { clusterId, actor }, (installed, next) =>
      asksBeforeReplacing(installed, next, new Date(), 10),
    );
    if (!asked.ok || asked.outcome !== "confirm") throw new Error(`expected the confirmation: ${JSON.stringify(asked)}`);
    expect((await activeCertificate()).fingerprint).toBe(before.fingerprint);
    expect((await getPendingRequest(ctx.db, clusterId))?.requestId).toBe(asked.requestId);
    const file = new TextEncoder().encode(asked.document);
    const checked = await validateImport(ctx, { clusterId, file, actor });
    if (!checked.ok) throw new Error(`import refused: ${JSON.stringify(checked)}`);
    const confirmed = await confirmImport(ctx, { clusterId, file, expectedFingerprint: checked.slc.fingerprint, actor });
    expect(confirmed.ok).toBe(true);
    const installed = await activeCertificate();
    expect(installed.fingerprint).toBe(checked.slc.fingerprint);
    // Asked online and confirmed: an online renewal in the history and the audit, not an offline import.
    expect(installed.obtainedBy).toBe("online");
    expect(await getPendingRequest(ctx.db, clusterId)).toBeNull();
    // The started event closed with its own outcome (asked), and Yes is the online renewal's confirmation.
    expect((await auditActions()).slice(0, 4)).toEqual([
      "renew_online_confirmed",
      "import_validated",
      "renew_online_asked",
      "renew_online_started",
    ]);
  });

  it("keeps started = succeeded + failed + asked over installed, failed and asked renewals; only a file import is offline", async () => {
    const counts = async () => {
      const events = (await listAuditEvents(handle.db, { page: 1, pageSize: 500, clusterId })).events;
      const n = (action: string) => events.filter((e) => e.action === action).length;
      return {
        started: n("renew_online_started"),
        succeeded: n("renew_online_succeeded"),
        failed: n("renew_online_failed"),
        asked: n("renew_online_asked"),
      };
    };
    const before = await counts();
    const always = () => true;
    const asked = await renewOnlineOrAsk(ctx, { clusterId, actor }, always);
    expect(asked.ok && asked.outcome).toBe("confirm");
    // Asked again while the first is pending: it replaces it, and is closed as asked too.
    expect((await renewOnlineOrAsk(ctx, { clusterId, actor }, always)).ok).toBe(true);
    expect((await renewOnlineOrAsk(ctx, { clusterId, actor }, null)).ok).toBe(true);
    const unreachable = await renewOnlineOrAsk({ ...ctx, enrollmentUrl: "https://127.0.0.1:1" }, { clusterId, actor }, always);
    expect(unreachable.ok).toBe(false);
    const after = await counts();
    expect(after.asked - before.asked).toBe(2);
    expect(after.succeeded - before.succeeded).toBe(1);
    expect(after.failed - before.failed).toBe(1);
    expect(after.started - before.started).toBe(4);
    expect(after.started).toBe(after.succeeded + after.failed + after.asked);

    // An exported file brought back is still an offline import.
    const exported = await exportRenewalRequest(ctx, { clusterId, actor });
    if (!exported.ok) throw new Error(`export failed: ${JSON.stringify(exported)}`);
    expect(exported.pending.answeredOnline).toBe(false);
    const file = await signPending();
    const checked = await validateImport(ctx, { clusterId, file, actor });
    if (!checked.ok) throw new Error(`import refused: ${JSON.stringify(checked)}`);
    expect((await confirmImport(ctx, { clusterId, file, expectedFingerprint: checked.slc.fingerprint, actor })).ok).toBe(true);
    expect((await activeCertificate()).obtainedBy).toBe("offline");
    expect((await auditActions())[0]).toBe("import_confirmed");
  });

  it("lets exactly one of 10 simultaneous renewals reach the enrollment service", async () => {
    let forwarded = 0;
    const proxy = await fakeService(async (req, res) => {
      forwarded++;
      const body = await readBody(req);
      const upstream = await toService(body.toString("utf8"));
      if (!upstream.ok) {
        res.writeHead(502).end();
        return;
      }
      res.writeHead(200, { "Content-Type": "application/xml" }).end(upstream.body);
    });
    try {
      const before = await certificateCount();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => renewOnline({ ...ctx, enrollmentUrl: proxy.url }, { clusterId, actor })),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok && r.code === "in_progress")).toHaveLength(9);
      expect(forwarded).toBe(1);
      expect(await certificateCount()).toBe(before + 1);
    } finally {
      await proxy.close();
    }
  });

  const misbehaviours: Array<[string, http.RequestListener | null, string, Partial<RenewalContext["http"]>?]> = [
    ["unreachable", null, "unreachable"],
    ["hanging past the timeout", () => undefined, "timeout", { totalTimeoutMs: 300 }],
    ["answering 500", (_req, res) => res.writeHead(500).end("boom"), "server_error"],
    ["answering 429 with Retry-After", (_req, res) => res.writeHead(429, { "Retry-After": "7" }).end(), "busy"],
    [
      "refusing with a reason",
      (_req, res) =>
        res.writeHead(422, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "signature_invalid", message: "bad" })),
      "rejected",
    ],
    [
      "answering garbage",
      (_req, res) => res.writeHead(200, { "Content-Type": "application/xml" }).end("<not-an-slc/>"),
      "invalid_response",
    ],
    ["answering HTML", (_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end("<html></html>"), "invalid_response"],
    [
      "answering 421 for the host name",
      (_req, res) => res.writeHead(421, { "Content-Type": "text/plain" }).end("Misdirected"),
      "misdirected",
    ],
    [
      "answering 409 for a reused request ID",
      (_req, res) =>
        res.writeHead(409, { "Content-Type": "application/json" }).end(JSON.stringify({ error: "request_id_conflict", message: "reused" })),
      "conflict",
    ],
  ];

  it.each(misbehaviours)("changes nothing when the enrollment service is %s", async (_name, handler, code, http) => {
    const service = handler ? await fakeService(handler) : null;
    const url = service?.url ?? "https://127.0.0.1:9"; // discard port: nothing listens
    try {
      const before = await activeCertificate();
      const certificatesBefore = await certificateCount();
      const result = await renewOnline({ ...ctx, enrollmentUrl: url, http: { ...ctx.http, ...http } }, { clusterId, actor });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.code).toBe(code);
      if (code === "busy") expect(result).toMatchObject({ retryAfterSeconds: 7 });
      if (code === "rejected") expect(result).toMatchObject({ reason: "signature_invalid" });
      expect((await activeCertificate()).fingerprint).toBe(before.fingerprint);
      expect(await certificateCount()).toBe(certificatesBefore);
      expect((await auditActions())[0]).toBe("renew_online_failed");
    } finally {
      await service?.close();
    }
  });

  it("reports a service whose TLS certificate the trust anchors do not vouch for as untrusted, and changes nothing", async () => {
    const stranger = await fakeService((_req, res) => res.writeHead(500).end(), await createTestTlsPki({ label: "Stranger" }));
    try {
      const before = await activeCertificate();
      const result = await renewOnline({ ...ctx, enrollmentUrl: stranger.url }, { clusterId, actor });
      expect(result).toMatchObject({ ok: false, code: "untrusted", tlsCode: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY" });
      expect((await activeCertificate()).fingerprint).toBe(before.fingerprint);
      expect(await getPendingRequest(handle.db, clusterId)).toBeNull();
    } finally {
      await stranger.close();
    }
  });

  it("keeps a request the service holds for approval as the pending request, whose approved SLC then imports", async () => {
    let held = "";
    const approving = await fakeService(async (req, res) => {
      held = (await readBody(req)).toString("utf8");
      const requestId = /<(?:\w+:)?RequestId>([^<]+)</.exec(held)?.[1] ?? "";
      res
        .writeHead(202, { "Content-Type": "application/json" })
        .end(JSON.stringify({ status: "pending_approval", submissionId: "ab".repeat(16), requestId, message: "Waiting for an operator." }));
    });
    try {
      const before = await activeCertificate();
      const result = await renewOnline({ ...ctx, enrollmentUrl: approving.url }, { clusterId, actor });
      if (result.ok || result.code !== "pending_approval") throw new Error(`expected pending_approval: ${JSON.stringify(result)}`);
      expect(result.submissionId).toBe("ab".repeat(16));
      const pending = await getPendingRequest(handle.db, clusterId);
      // Recorded as sent online and held: the console says "Sent online … waiting for the operator's approval".
      expect(pending).toMatchObject({ requestId: result.requestId, document: held, exportedBy: actor.name, heldForApproval: true });
      expect((await auditActions()).slice(0, 3)).toEqual(["renew_online_failed", "request_exported", "renew_online_started"]);
      expect((await activeCertificate()).fingerprint).toBe(before.fingerprint);

      // The operator approves; the administrator brings the certificate back and imports it against that request.
      const slc = await signPending();
      const checked = await validateImport(ctx, { clusterId, file: slc, actor });
      if (!checked.ok) throw new Error(`import refused: ${JSON.stringify(checked)}`);
      const installed = await confirmImport(ctx, { clusterId, file: slc, expectedFingerprint: checked.slc.fingerprint, actor });
      expect(installed.ok).toBe(true);
      expect(await getPendingRequest(handle.db, clusterId)).toBeNull();
    } finally {
      await approving.close();
    }
  });

  it("refuses an SLC issued for another key, naming the check", async () => {
    const other = await generateClusterKeyPair();
    const [cluster] = await handle.db.select().from(clusters).where(eq(clusters.id, clusterId));
    if (!cluster) throw new Error("the seeded cluster is missing");
    // The service itself refuses a foreign key for a registered GUID, so the stand-in signs one with the service's own
    // signing key and chain (read from its data folder): a genuine signature over the wrong key.
    const caDir = path.join(tmp, "enrollment", "ca");
    const signingKey = {
      serviceKeyPem: fs.readFileSync(path.join(caDir, "service-key.pem"), "utf8"),
      chainPem: [fs.readFileSync(path.join(caDir, "service.pem"), "utf8"), fs.readFileSync(path.join(caDir, "enrollment-ca.pem"), "utf8")],
    };
    const relay = await fakeService(async (req, res) => {
      const sent = verifyRenewalRequest(await readBody(req));
      if (!sent.ok) throw new Error(sent.detail);
      const foreign = renewalRequestFields(cluster, other.publicKeyPem, { now: new Date(), installedSlcFingerprint: null });
      const signed = signSlc({ ...foreign, requestId: sent.fields.requestId }, signingKey, {
        validityDays: 365,
        issuerName: "Test Enrollment Service",
        now: new Date(),
      });
      res.writeHead(200, { "Content-Type": "application/xml" }).end(signed.slcXml);
    });
    try {
      const before = await activeCertificate();
      const result = await renewOnline({ ...ctx, enrollmentUrl: relay.url }, { clusterId, actor });
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result).toMatchObject({ code: "invalid_response", failedCheck: "public_key" });
      expect((await activeCertificate()).fingerprint).toBe(before.fingerprint);
    } finally {
      await relay.close();
    }
  });

  it("keeps no private key readable in the database: a dump of every table holds only the encrypted envelope", async () => {
    let dump = "";
    for (const table of Object.values(schema)) {
      if (is(table, PgTable)) dump += JSON.stringify(await handle.db.select().from(table));
    }
    expect(dump).toContain("v1.");
    expect(dump).not.toMatch(/PRIVATE KEY/);
    const clusterKey = await getClusterKey(handle.db, clusterId, ctx.kek());
    if (!clusterKey) throw new Error("the seeded cluster has no key");
    const key = clusterKey.privateKeyPem();
    const der = key.replace(/-----[^-]+-----|\s+/g, "");
    expect(dump).not.toContain(der.slice(100, 160));
  });

  it("fails clearly and changes nothing when the key-encryption key is wrong", async () => {
    const wrong = loadKeyEncryptionKey({ dataDir: path.join(tmp, `other-${kind}`), createIfMissing: true });
    const before = await activeCertificate();
    const result = await renewOnline({ ...ctx, kek: () => wrong }, { clusterId, actor });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.code).toBe("key_unavailable");
    expect((await activeCertificate()).fingerprint).toBe(before.fingerprint);
  });

  it("runs the offline round trip: export, replace, validate, decline, confirm, and refuses a replay", async () => {
    const first = await exportRenewalRequest(ctx, { clusterId, actor });
    expect(first.ok).toBe(true);
    const firstSlc = await signPending();
    const second = await exportRenewalRequest(ctx, { clusterId, actor });
    expect(second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect(second.pending.fileName).toBe("RMS01RenewalRequest.xml");
    expect(await getPendingRequest(handle.db, clusterId)).toMatchObject({ requestId: second.pending.requestId, heldForApproval: false });

    // The certificate for the replaced request no longer fits.
    const stale = await validateImport(ctx, { clusterId, file: firstSlc, actor });
    expect(stale.ok).toBe(false);
    expect(stale).toMatchObject({ code: "invalid_file", rejectReason: "wrong_request" });

    const slc = await signPending();
    const before = await activeCertificate();
    const checked = await validateImport(ctx, { clusterId, file: slc, actor });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.checks.every((c) => c.ok)).toBe(true);
    expect((await activeCertificate()).fingerprint).toBe(before.fingerprint);
    // What the confirmation shows beside the file: the request it answers, the cluster key, the installed certificate.
    expect(checked.answers.requestId).toBe(second.pending.requestId);
    expect(checked.answers.keyFingerprint).toBe(requestKeyFingerprint(second.pending.document));
    expect(checked.answers.installed).toEqual({ validUntil: before.validUntil, fingerprint: before.fingerprint });

    expect((await declineImport(ctx, { clusterId, fingerprint: checked.slc.fingerprint, actor })).ok).toBe(true);
    expect(await getPendingRequest(handle.db, clusterId)).not.toBeNull();

    const changed = await confirmImport(ctx, {
      clusterId,
      file: slc,
      expectedFingerprint: "00".repeat(32).replace(/(..)(?=.)/g, "$1:"),
      actor,
    });
    expect(changed.ok).toBe(false);
    if (!changed.ok) expect(changed.code).toBe("changed");

    const confirmed = await confirmImport(ctx, { clusterId, file: slc, expectedFingerprint: checked.slc.fingerprint, actor });
    expect(confirmed.ok).toBe(true);
    const installed = await activeCertificate();
    expect(installed.fingerprint).toBe(checked.slc.fingerprint);
    expect(installed.obtainedBy).toBe("offline");
    expect(await getPendingRequest(handle.db, clusterId)).toBeNull();

    const replay = await confirmImport(ctx, { clusterId, file: slc, expectedFingerprint: checked.slc.fingerprint, actor });
    expect(replay.ok).toBe(false);
    if (!replay.ok) expect(replay.code).toBe("no_pending");
    const actions = await auditActions();
    expect(actions.slice(0, 2)).toEqual(["import_rejected", "import_confirmed"]);
    expect(actions).toContain("import_declined");
    expect(actions).toContain("import_validated");
  });

  it("cancels a pending request, after which nothing can be imported for it", async () => {
    const exported = await exportRenewalRequest(ctx, { clusterId, actor });
    if (!exported.ok) throw new Error("export failed");
    const slc = await signPending();
    expect((await cancelRenewalRequest(ctx, { clusterId, requestId: exported.pending.requestId, actor })).ok).toBe(true);
    const again = await cancelRenewalRequest(ctx, { clusterId, requestId: exported.pending.requestId, actor });
    expect(again.ok ? "ok" : again.code).toBe("no_pending");
    const late = await validateImport(ctx, { clusterId, file: slc, actor });
    expect(late.ok ? "ok" : late.code).toBe("no_pending");
  });

  it("installs nothing when the audit write of the change fails (same transaction)", async () => {
    await handle.db.execute(
      sql.raw(`
      CREATE OR REPLACE FUNCTION refuse_success_audit() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'audit store unavailable'; END; $$ LANGUAGE plpgsql`),
    );
    await handle.db.execute(
      sql.raw(`
      CREATE TRIGGER refuse_success_audit BEFORE INSERT ON audit_events
      FOR EACH ROW WHEN (NEW.action = 'renew_online_succeeded') EXECUTE FUNCTION refuse_success_audit()`),
    );
    try {
      const before = await activeCertificate();
      const certificatesBefore = await certificateCount();
      await expect(renewOnline(ctx, { clusterId, actor })).rejects.toThrow();
      expect((await activeCertificate()).fingerprint).toBe(before.fingerprint);
      expect(await certificateCount()).toBe(certificatesBefore);
    } finally {
      await handle.db.execute(sql.raw("DROP TRIGGER refuse_success_audit ON audit_events"));
    }
    // The lease was released: the next renewal goes through.
    expect((await renewOnline(ctx, { clusterId, actor })).ok).toBe(true);
  });

  it("takes over a lease left by a dead process on this host, but not one held by a live process", async () => {
    const host = os.hostname();
    await handle.db
      .update(clusters)
      .set({ renewalLockedBy: `${host}/${process.ppid}/live`, renewalLockedUntil: new Date(Date.now() + 60_000) })
      .where(eq(clusters.id, clusterId));
    const blocked = await renewOnline(ctx, { clusterId, actor });
    expect(blocked.ok ? "ok" : blocked.code).toBe("in_progress");

    await handle.db
      .update(clusters)
      .set({ renewalLockedBy: `${host}/2147483646/dead`, renewalLockedUntil: new Date(Date.now() + 60_000) })
      .where(eq(clusters.id, clusterId));
    const taken = await renewOnline(ctx, { clusterId, actor });
    expect(taken.ok).toBe(true);
    const [cluster] = await handle.db.select().from(clusters).where(eq(clusters.id, clusterId));
    expect(cluster?.renewalLockedBy).toBeNull();
  });
});
