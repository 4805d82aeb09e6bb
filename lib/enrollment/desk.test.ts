// The desk on each store (PGlite, and PostgreSQL when DATABASE_URL is set): who gets an SLC, idempotent answers under
// concurrency, the event record, and the issuing pool's bounds.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClusterKeyPair, documentFingerprint, generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { buildRenewalRequest } from "@/lib/core/certificates/renewal-request";
import { createTestPki, type TestPki } from "@/tests/support/certificate-fixtures";
import { seedEnrollmentStore } from "../../tests/support/enrollment";
import { requestFieldsFor } from "../../tests/support/enrollment-requests";
import { type EnrollmentDbHandle, openEnrollmentDatabase } from "./db/client";
import { createDesk, type Desk } from "./desk";
import { createIssuePool, type IssuePool, IssuePoolError } from "./issue-pool";

const kinds: Array<"pglite" | "postgres"> = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

let pki: TestPki;
let keys: ClusterKeyPair;
let pool: IssuePool;
beforeAll(async () => {
  [pki, keys] = await Promise.all([createTestPki(), generateClusterKeyPair()]);
  pool = createIssuePool({ serviceKeyPem: pki.ca.serviceKeyPem, chainPem: [pki.ca.serviceCertPem, pki.ca.caCertPem] }, { threads: 2 });
}, 120_000);
afterAll(async () => {
  await pool?.close();
});

const bytes = (xml: string) => new TextEncoder().encode(xml);

describe.each(kinds)("desk on %s", (kind) => {
  let handle: EnrollmentDbHandle;
  let open: Desk;
  let held: Desk;
  let dir = "";
  const schema = `enr_${randomBytes(5).toString("hex")}`;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "enrollment-desk-"));
    if (kind === "pglite") seedEnrollmentStore(dir);
    handle = await openEnrollmentDatabase({
      dataDir: dir,
      databaseUrl: kind === "postgres" ? process.env.DATABASE_URL : undefined,
      pgSchema: schema,
    });
    const base = { handle, pool, issuerName: "Desk Test", clock: () => new Date() };
    open = createDesk({ ...base, policy: "open" });
    held = createDesk({ ...base, policy: "approval" });
  }, 120_000);
  afterAll(async () => {
    await handle?.close();
    if (kind === "postgres") {
      const admin = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const submit = (desk: Desk, xml: string) =>
    desk.submit({ body: bytes(xml), channel: "api", remoteAddress: "127.0.0.1", validityDays: 30 });

  it("answers ten simultaneous copies of one request with one SLC", async () => {
    const xml = buildRenewalRequest(requestFieldsFor(keys), keys.privateKeyPem);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => submit(open, xml)));
    const serials = new Set(outcomes.map((o) => (o.kind === "issued" ? o.submission.slc?.serial : o.kind)));
    expect(serials.size).toBe(1);
    expect([...serials][0]).toMatch(/^[0-9A-F]{32}$/);
    expect(outcomes.filter((o) => o.kind === "issued" && !o.replayed)).toHaveLength(1);
  });

  it("holds a new cluster under approval, issues once approved, then renews automatically; refuses a foreign key", async () => {
    const f = requestFieldsFor(keys);
    const first = await submit(held, buildRenewalRequest(f, keys.privateKeyPem));
    expect(first).toMatchObject({ kind: "pending_approval", submission: { reason: "new_cluster" } });
    if (first.kind !== "pending_approval") return;
    const decisions = await Promise.all([
      held.approve(first.submission.id, "alice", "cli"),
      held.approve(first.submission.id, "bob", "cli"),
    ]);
    expect(decisions.filter((d) => d.ok)).toHaveLength(1);
    const issued = await held.find({ id: first.submission.id });
    expect(issued?.slcXml).toBeTruthy();
    const renewal = requestFieldsFor(keys, {
      clusterGuid: f.clusterGuid,
      installedSlcFingerprint: documentFingerprint(issued?.slcXml ?? ""),
    });
    expect(await submit(held, buildRenewalRequest(renewal, keys.privateKeyPem))).toMatchObject({ kind: "issued", replayed: false });
    const other = await generateClusterKeyPair();
    const foreign = requestFieldsFor(other, { clusterGuid: f.clusterGuid });
    expect(await submit(open, buildRenewalRequest(foreign, other.privateKeyPem))).toMatchObject({
      kind: "refused",
      status: 403,
      reason: "guid_registered_to_other_key",
    });
    const events = await held.eventsAfter(0, 10_000);
    expect(events.map((e) => e.outcome)).toEqual(expect.arrayContaining(["pending_approval", "approved", "issued", "refused"]));
  });

  it("refuses the same request ID with other content (409) and records every refusal", async () => {
    const f = requestFieldsFor(keys);
    await submit(open, buildRenewalRequest(f, keys.privateKeyPem));
    expect(await submit(open, buildRenewalRequest({ ...f, name: "changed" }, keys.privateKeyPem))).toMatchObject({
      kind: "refused",
      status: 409,
      reason: "request_id_conflict",
    });
    expect(await submit(open, "<__proto__/>")).toMatchObject({ kind: "refused", status: 422, reason: "reserved_name" });
    const last = (await open.eventsAfter(0, 10_000)).slice(-2);
    expect(last.map((e) => e.reason)).toEqual(["request_id_conflict", "reserved_name"]);
  });

  // Signing runs outside any transaction: what another replica does while this one signs is simulated by a pool whose
  // sign does it first (deterministic, no delays). The write's compare-and-set must lose, store nothing of its own and
  // answer from what the other one stored.
  const signingAfter = (before: () => Promise<unknown>): IssuePool => ({
    ...pool,
    sign: async (request, policy) => {
      await before();
      return pool.sign(request, policy);
    },
  });

  it("answers a request another replica issued while this one signed as a replay of that SLC, storing nothing of its own", async () => {
    const xml = buildRenewalRequest(requestFieldsFor(keys), keys.privateKeyPem);
    let theirs: Awaited<ReturnType<Desk["submit"]>> | undefined;
    const racing = createDesk({
      handle,
      pool: signingAfter(async () => {
        theirs = await submit(open, xml);
      }),
      policy: "open",
      issuerName: "Desk Test",
      clock: () => new Date(),
    });
    const mine = await submit(racing, xml);
    expect(theirs).toMatchObject({ kind: "issued", replayed: false });
    expect(mine).toMatchObject({ kind: "issued", replayed: true });
    if (mine.kind !== "issued" || theirs?.kind !== "issued") return;
    expect(mine.slcXml).toBe(theirs.slcXml);
    expect(mine.submission.slc?.serial).toBe(theirs.submission.slc?.serial);
    const stored = (await open.list({ limit: 10_000 })).filter((s) => s.requestId === mine.submission.requestId);
    expect(stored).toHaveLength(1);
  });

  it("holds for the operator a renewal whose registration was revoked while it was signed, and stores no SLC for it", async () => {
    const f = requestFieldsFor(keys);
    const first = await submit(open, buildRenewalRequest(f, keys.privateKeyPem));
    if (first.kind !== "issued") throw new Error(`expected an SLC, got ${first.kind}`);
    const renewal = requestFieldsFor(keys, {
      clusterGuid: f.clusterGuid,
      installedSlcSerial: first.submission.slc?.serial ?? null,
      installedSlcFingerprint: documentFingerprint(first.slcXml),
    });
    const racing = createDesk({
      handle,
      pool: signingAfter(() => open.revokeRegistration(f.clusterGuid, "operator")),
      policy: "approval",
      issuerName: "Desk Test",
      clock: () => new Date(),
    });
    // The guarded write finds the registration changed: nothing is stored, and the policy, read again, holds a
    // revoked registration for the operator's approval.
    expect(await submit(racing, buildRenewalRequest(renewal, keys.privateKeyPem))).toMatchObject({ kind: "pending_approval" });
    const forCluster = (await open.list({ limit: 10_000 })).filter((s) => s.guid === f.clusterGuid);
    expect(forCluster.map((s) => s.state).sort()).toEqual(["issued", "pending_approval"]);
    expect(forCluster.find((s) => s.state === "pending_approval")?.reason).toBe("registration_revoked");
    expect(forCluster.filter((s) => s.slc)).toHaveLength(1);
    expect((await open.listRegistrations()).find((r) => r.guid === f.clusterGuid)?.state).toBe("revoked");
  });
});

describe("hostile cost", () => {
  it("verifies at most one request at a time per client", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "enrollment-desk-lanes-"));
    seedEnrollmentStore(dir);
    const handle = await openEnrollmentDatabase({ dataDir: dir });
    // The real pool, watched: how many verifications run at once for each client.
    const running = new Map<string, number>();
    const most = new Map<string, number>();
    let current = "";
    const watched: IssuePool = {
      ...pool,
      verify: async (body, now, priority) => {
        const client = current;
        running.set(client, (running.get(client) ?? 0) + 1);
        most.set(client, Math.max(most.get(client) ?? 0, running.get(client) ?? 0));
        try {
          return await pool.verify(body, now, priority);
        } finally {
          running.set(client, (running.get(client) ?? 1) - 1);
        }
      },
    };
    const desk = createDesk({ handle, pool: watched, policy: "open", issuerName: "Lanes", clock: () => new Date() });
    try {
      const junk = (i: number) => bytes(buildRenewalRequest(requestFieldsFor(keys), keys.privateKeyPem).replace("RMS01", `RMS${i}`));
      const submitAs = (client: string, body: Uint8Array) => {
        current = client;
        return desk.submit({ body, channel: "api", remoteAddress: client, validityDays: 30 });
      };
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => submitAs("203.0.113.7", junk(i))));
      expect(most.get("203.0.113.7")).toBe(1);
      // One running, at most four waiting: any beyond are told the service is busy, with no work done for them.
      const busy = outcomes.filter((o) => o.kind === "busy").length;
      expect(busy + outcomes.filter((o) => o.kind === "refused" && o.reason === "digest_mismatch").length).toBe(8);
    } finally {
      await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs registered clusters' renewals ahead of unknown callers, displacing the newest unknown one when full", async () => {
    const key = { serviceKeyPem: pki.ca.serviceKeyPem, chainPem: [pki.ca.serviceCertPem, pki.ca.caCertPem] };
    const small = createIssuePool(key, { threads: 1, maxQueue: 3, taskTimeoutMs: 30_000 });
    try {
      const xml = bytes(buildRenewalRequest(requestFieldsFor(keys), keys.privateKeyPem));
      const order: string[] = [];
      const track = (name: string, priority: "high" | "low") =>
        small.verify(xml, new Date(), priority).then(
          () => order.push(name),
          (error: unknown) => order.push(`${name}:${error instanceof IssuePoolError ? error.failure.kind : "error"}`),
        );
      // The one thread is busy with the first; three unknown callers fill the queue; a registered renewal arrives.
      const all = [track("first", "low"), track("low1", "low"), track("low2", "low"), track("low3", "low"), track("registered", "high")];
      await Promise.all(all);
      expect(order[0]).toBe("low3:busy");
      expect(order.slice(1)).toEqual(["first", "registered", "low1", "low2"]);
    } finally {
      await small.close();
    }
  });
});

describe("issuing pool bounds", () => {
  it("answers busy once its queue is full, and abandons a task past its deadline", async () => {
    const key = { serviceKeyPem: pki.ca.serviceKeyPem, chainPem: [pki.ca.serviceCertPem, pki.ca.caCertPem] };
    const small = createIssuePool(key, { threads: 1, maxQueue: 1, taskTimeoutMs: 30_000 });
    try {
      const xml = bytes(buildRenewalRequest(requestFieldsFor(keys), keys.privateKeyPem));
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => small.verify(xml, new Date())));
      const busy = results.filter((r) => r.status === "rejected" && r.reason instanceof IssuePoolError && r.reason.failure.kind === "busy");
      expect(busy.length).toBeGreaterThan(0);
      expect(results.some((r) => r.status === "fulfilled" && r.value.ok)).toBe(true);
    } finally {
      await small.close();
    }
    const hurried = createIssuePool(key, { threads: 1, taskTimeoutMs: 1 });
    try {
      await expect(hurried.verify(bytes("<a/>"), new Date())).rejects.toMatchObject({ failure: { kind: "deadline" } });
    } finally {
      await hurried.close();
    }
  });
});
