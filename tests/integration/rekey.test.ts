// Re-key: a new key pair kept as the cluster's pending key, a request signed by it naming the installed SLC,
// held by a real enrollment service for its operator (whatever its policy), the registration moved only on approval,
// the SLC checked against the pending key and installed, and only then the old key's row deleted. Online and offline,
// refusals (signed by the old key, naming a wrong certificate) and cancel, on PGlite and PostgreSQL.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { getClusterKey } from "@/lib/console/renewal/cluster-keys";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { exchange } from "@/lib/console/renewal/enrollment-client";
import { exportRenewalRequest } from "@/lib/console/renewal/offline";
import { renewOnline } from "@/lib/console/renewal/online";
import {
  cancelRekey,
  exportRekeyRequest,
  getPendingRekey,
  importRekeyCertificate,
  sendRekeyOnline,
  startRekey,
} from "@/lib/console/renewal/rekey";
import { renewalRequestFields } from "@/lib/console/renewal/request-fields";
import { generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { buildRenewalRequest } from "@/lib/core/certificates/renewal-request";
import type { EnrollmentService } from "@/lib/enrollment/server";
import { certificates, clusterKeys, clusters, rekeys, renewalRequests } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { describeOnEachDatabase } from "../support/db-test";
import { startTestEnrollment, testRenewalContext } from "../support/enrollment";

const actor = { name: "RMS01\\alice", remoteAddress: "127.0.0.1" };

describeOnEachDatabase("re-key", ({ sharedDatabase }) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-rekey-test-"));
  let service: EnrollmentService;
  let root: string;
  let handle: TestDatabase;
  let ctx: RenewalContext;
  let clusterId: string;
  let guid: string;

  /** Straight to the service, as the enrollment web site would take the file (TLS verified with its root). */
  function submit(body: string) {
    return exchange(`${service.url}/api/enroll`, { method: "POST", body }, { connectTimeoutMs: 1000, totalTimeoutMs: 5000, ca: [root] });
  }

  async function keyRows() {
    return handle.db.select().from(clusterKeys).where(eq(clusterKeys.clusterId, clusterId));
  }

  async function activeCertificate() {
    const [row] = await handle.db
      .select()
      .from(certificates)
      .where(and(eq(certificates.clusterId, clusterId), eq(certificates.active, true)));
    if (!row) throw new Error("no active certificate");
    return row;
  }

  async function registeredKey(): Promise<string | undefined> {
    return (await service.desk.listRegistrations()).find((r) => r.guid === guid)?.keyFingerprint;
  }

  beforeAll(async () => {
    // Policy open: a renewal or an enrollment is issued at once, so what holds a re-key is the re-key rule alone.
    ({ service, root } = await startTestEnrollment(path.join(tmp, "enrollment")));
    handle = await sharedDatabase();
    ctx = testRenewalContext(handle.db, { consoleDir: path.join(tmp, "console"), trustAnchors: [root], enrollmentUrl: service.url });
    expect(await provisionFirstRun(ctx, { serverName: "RMS01" })).toMatchObject({ ok: true });
    const [cluster] = await handle.db.select().from(clusters);
    if (!cluster) throw new Error("no cluster");
    clusterId = cluster.id;
    guid = cluster.guid;
  });

  afterAll(async () => {
    await service.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("online: held for the operator, the old key renews meanwhile; approved, installed, and only then the old key is gone", async () => {
    const oldKey = await getClusterKey(handle.db, clusterId, ctx.kek());
    if (!oldKey) throw new Error("no key");
    const oldSlc = await activeCertificate();

    const started = await startRekey(ctx, { clusterId, actor });
    if (!started.ok) throw new Error(`start failed: ${started.code}`);
    expect(started.rekey).toMatchObject({ oldKeyFingerprint: oldKey.fingerprint, replacesSlcSerial: oldSlc.serialNumber });
    expect(started.rekey.newKeyFingerprint).not.toBe(oldKey.fingerprint);
    // The request is signed by the new key and names the old certificate in its signed content.
    expect(started.rekey.document).toContain(`<ReplacesSlcSerial>${oldSlc.serialNumber}</ReplacesSlcSerial>`);
    expect(started.rekey.document).toContain(`<ReplacesSlcFingerprint>${oldSlc.fingerprint}</ReplacesSlcFingerprint>`);
    // The pending key is kept beside the key, which stays the key.
    expect((await keyRows()).map((k) => [k.fingerprint, k.active]).sort()).toEqual(
      [
        [oldKey.fingerprint, true],
        [started.rekey.newKeyFingerprint, false],
      ].sort(),
    );
    expect(await startRekey(ctx, { clusterId, actor })).toMatchObject({ ok: false, code: "rekey_pending" });

    const held = await sendRekeyOnline(ctx, { clusterId, actor });
    if (!held.ok || held.outcome !== "held") throw new Error(`expected held, got ${JSON.stringify(held)}`);
    const [submission] = await service.desk.list({ state: "pending_approval" });
    expect(submission).toMatchObject({ id: held.submissionId, reason: "rekey", keyFingerprint: started.rekey.newKeyFingerprint });
    // Sending again while it waits: still held, nothing issued.
    expect(await sendRekeyOnline(ctx, { clusterId, actor })).toMatchObject({ ok: true, outcome: "held" });

    // Without approval nothing changes at the service: the old key still renews, at once.
    expect(await registeredKey()).toBe(oldKey.fingerprint);
    const renewal = await exportRenewalRequest(ctx, { clusterId, actor });
    if (!renewal.ok) throw new Error("export failed");
    const renewed = await submit(renewal.pending.document);
    expect(renewed.ok && renewed.status).toBe(200);

    expect(await service.desk.approve(held.submissionId, "operator", "cli")).toMatchObject({ ok: true });
    expect(await registeredKey()).toBe(started.rekey.newKeyFingerprint);

    // Approved, not yet installed: the console still uses the old key and the old certificate.
    const stillOld = await getClusterKey(handle.db, clusterId, ctx.kek());
    expect(stillOld?.fingerprint).toBe(oldKey.fingerprint);
    expect(stillOld?.privateKeyPem()).toBe(oldKey.privateKeyPem());
    expect((await activeCertificate()).fingerprint).toBe(oldSlc.fingerprint);
    expect((await keyRows()).some((k) => k.fingerprint === oldKey.fingerprint)).toBe(true);

    const installed = await sendRekeyOnline(ctx, { clusterId, actor });
    if (!installed.ok || installed.outcome !== "installed") throw new Error(`expected installed, got ${JSON.stringify(installed)}`);
    expect(installed.keyFingerprint).toBe(started.rekey.newKeyFingerprint);
    // The old key's row is gone; the pending key is the key; the new SLC is for it.
    const rows = await keyRows();
    expect(rows.map((k) => [k.fingerprint, k.active])).toEqual([[started.rekey.newKeyFingerprint, true]]);
    expect((await getClusterKey(handle.db, clusterId, ctx.kek()))?.fingerprint).toBe(started.rekey.newKeyFingerprint);
    expect((await activeCertificate()).fingerprint).toBe(installed.slc.fingerprint);
    expect(await getPendingRekey(handle.db, clusterId)).toBeNull();
    // The renewal request signed by the old key can no longer be answered.
    const [oldRequest] = await handle.db.select().from(renewalRequests).where(eq(renewalRequests.requestId, renewal.pending.requestId));
    expect(oldRequest?.status).toBe("superseded");

    // The next renewal, signed by the new key and naming the new SLC, is issued at once.
    expect(await renewOnline(ctx, { clusterId, actor })).toMatchObject({ ok: true });

    const audit = await listAuditEvents(handle.db, { page: 1, pageSize: 100, clusterId });
    const actions = audit.events.map((e) => e.action);
    for (const action of ["rekey_started", "rekey_sent", "rekey_installed"]) expect(actions).toContain(action);
    const done = audit.events.find((e) => e.action === "rekey_installed");
    expect(done?.details).toMatchObject({ fingerprint: started.rekey.newKeyFingerprint, oldKeyFingerprint: oldKey.fingerprint });
  });

  it("refuses a re-key request signed by the registered key, or naming a certificate not issued to it, and changes nothing", async () => {
    const key = await getClusterKey(handle.db, clusterId, ctx.kek());
    const [cluster] = await handle.db.select().from(clusters).where(eq(clusters.id, clusterId));
    if (!key || !cluster) throw new Error("no cluster");
    const slc = await activeCertificate();
    const named = { replacesSlcSerial: slc.serialNumber, replacesSlcFingerprint: slc.fingerprint };
    const request = (publicKeyPem: string, privateKeyPem: string, rekey: typeof named) =>
      buildRenewalRequest(
        { ...renewalRequestFields(cluster, publicKeyPem, { now: new Date(), installedSlcFingerprint: null }), rekey },
        privateKeyPem,
      );
    const before = await registeredKey();

    const sameKey = await submit(request(key.publicKeyPem, key.privateKeyPem(), named));
    expect(sameKey).toMatchObject({ ok: false, kind: "rejected", status: 403, reason: "rekey_same_key" });

    const fresh = await generateClusterKeyPair();
    const wrongSerial = await submit(
      request(fresh.publicKeyPem, fresh.privateKeyPem, { ...named, replacesSlcSerial: randomBytes(16).toString("hex").toUpperCase() }),
    );
    expect(wrongSerial).toMatchObject({ ok: false, status: 403, reason: "rekey_wrong_certificate" });
    const wrongFingerprint = await submit(
      request(fresh.publicKeyPem, fresh.privateKeyPem, {
        ...named,
        replacesSlcFingerprint: named.replacesSlcFingerprint.replace(/^../, "00"),
      }),
    );
    expect(wrongFingerprint).toMatchObject({ ok: false, status: 403, reason: "rekey_wrong_certificate" });
    // A certificate the service issued for this GUID to another key (the one the re-key above replaced) is wrong too.
    const [replacedEarlier] = await handle.db.select().from(rekeys).where(eq(rekeys.clusterId, clusterId));
    if (!replacedEarlier) throw new Error("no earlier re-key");
    const stale = await submit(
      request(fresh.publicKeyPem, fresh.privateKeyPem, {
        replacesSlcSerial: replacedEarlier.replacesSlcSerial,
        replacesSlcFingerprint: replacedEarlier.replacesSlcFingerprint,
      }),
    );
    expect(stale).toMatchObject({ ok: false, status: 403, reason: "rekey_wrong_certificate" });

    // A request with another key and no Rekey element is still refused as before.
    const plain = await submit(
      buildRenewalRequest(
        renewalRequestFields(cluster, fresh.publicKeyPem, {
          now: new Date(),
          installedSlcFingerprint: slc.fingerprint,
          installedSlcSerial: slc.serialNumber,
        }),
        fresh.privateKeyPem,
      ),
    );
    expect(plain).toMatchObject({ ok: false, status: 403, reason: "guid_registered_to_other_key" });
    expect(await registeredKey()).toBe(before);
    expect(await service.desk.list({ state: "pending_approval" })).toEqual([]);
  });

  it("cancel discards the pending key; nothing else changes", async () => {
    const keyBefore = (await keyRows()).map((k) => k.fingerprint);
    const slcBefore = (await activeCertificate()).fingerprint;
    const started = await startRekey(ctx, { clusterId, actor });
    if (!started.ok) throw new Error("start failed");
    expect(await keyRows()).toHaveLength(2);
    expect(await cancelRekey(ctx, { clusterId, actor })).toMatchObject({ ok: true, requestId: started.rekey.requestId });
    expect((await keyRows()).map((k) => k.fingerprint)).toEqual(keyBefore);
    expect((await activeCertificate()).fingerprint).toBe(slcBefore);
    expect(await getPendingRekey(handle.db, clusterId)).toBeNull();
    expect(await cancelRekey(ctx, { clusterId, actor })).toMatchObject({ ok: false, code: "no_pending" });
    expect(await sendRekeyOnline(ctx, { clusterId, actor })).toMatchObject({ ok: false, code: "no_pending" });
    const [row] = await handle.db.select().from(rekeys).where(eq(rekeys.requestId, started.rekey.requestId));
    expect(row).toMatchObject({ status: "cancelled", keyId: null });
  });

  it("offline: the exported request is signed on the web site after approval, and the file is checked against the pending key", async () => {
    const oldFingerprint = (await keyRows())[0]?.fingerprint;
    const oldSlc = await activeCertificate();
    const started = await startRekey(ctx, { clusterId, actor });
    if (!started.ok) throw new Error("start failed");
    const exported = await exportRekeyRequest(ctx, { clusterId, actor });
    if (!exported.ok) throw new Error("export failed");
    expect(exported.rekey.fileName).toBe("RMS01RekeyRequest.xml");
    expect(exported.rekey.document).toBe(started.rekey.document);

    const first = await submit(exported.rekey.document);
    expect(first.ok && first.status).toBe(202);
    const { submissionId } = JSON.parse(first.ok ? first.body.toString("utf8") : "{}") as { submissionId: string };
    expect(await service.desk.approve(submissionId, "operator", "cli")).toMatchObject({ ok: true });
    const issued = await submit(exported.rekey.document);
    if (!issued.ok || issued.status !== 200) throw new Error("the approved SLC was not issued");

    // The installed SLC (for the old key) is not the answer: refused by name, nothing changes.
    const wrong = await importRekeyCertificate(ctx, { clusterId, file: Buffer.from(oldSlc.document), actor });
    expect(wrong).toMatchObject({ ok: false, code: "invalid_file" });
    expect((await keyRows()).some((k) => k.fingerprint === oldFingerprint && k.active)).toBe(true);

    const installed = await importRekeyCertificate(ctx, { clusterId, file: issued.body, actor });
    if (!installed.ok) throw new Error(`import failed: ${JSON.stringify(installed)}`);
    expect((await keyRows()).map((k) => [k.fingerprint, k.active])).toEqual([[started.rekey.newKeyFingerprint, true]]);
    expect((await activeCertificate()).obtainedBy).toBe("offline");
    expect(await importRekeyCertificate(ctx, { clusterId, file: issued.body, actor })).toMatchObject({ ok: false, code: "no_pending" });
  });
});
