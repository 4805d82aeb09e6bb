// How many statements and commits the enrollment service sends per issuance (deterministic, unlike its times): a new
// cluster's first SLC, a registered cluster's renewal and a replay, each as the API route drives the desk (classify,
// then submit), on PGlite and on PostgreSQL, counted by a logger on the Drizzle client and a hook on its transactions.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClusterKeyPair, documentFingerprint, generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { buildRenewalRequest, type RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { type EnrollmentDbHandle, openEnrollmentDatabase } from "@/lib/enrollment/db/client";
import { createDesk, type Desk, type SubmitOutcome } from "@/lib/enrollment/desk";
import { createIssuePool, type IssuePool } from "@/lib/enrollment/issue-pool";
import { createTestPki } from "@/tests/support/certificate-fixtures";
import { requestFieldsFor } from "@/tests/support/enrollment-requests";
import { seedEnrollmentStore } from "../support/enrollment";

let keys: ClusterKeyPair;
let pool: IssuePool;
beforeAll(async () => {
  const [pki, pair] = await Promise.all([createTestPki(), generateClusterKeyPair()]);
  keys = pair;
  pool = createIssuePool({ serviceKeyPem: pki.ca.serviceKeyPem, chainPem: [pki.ca.serviceCertPem, pki.ca.caCertPem] }, { threads: 1 });
}, 120_000);
afterAll(async () => pool?.close());

/** "verb table" of a statement: "select", "with" (the guarded write), "insert events", "begin". */
function shape(statement: string): string {
  const text = statement.trim().toLowerCase();
  const verb = /^\w+/.exec(text)?.[0] ?? "";
  if (verb === "select" || verb === "with" || verb === "begin" || verb === "commit") return verb;
  return `${verb} ${/^\w+\s+(?:into\s+|from\s+)?"(\w+)"/.exec(text)?.[1] ?? "?"}`;
}

const kinds: Array<"pglite" | "postgres"> = process.env.DATABASE_URL ? ["pglite", "postgres"] : ["pglite"];

describe.each(kinds)("enrollment statements on %s", (kind) => {
  let handle: EnrollmentDbHandle;
  let dir = "";
  const schema = `enr_${randomBytes(5).toString("hex")}`;
  let statements: string[] = [];
  let transactions = 0;
  let open: Desk;
  let approval: Desk;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "enrollment-statements-"));
    if (kind === "pglite") seedEnrollmentStore(dir);
    handle = await openEnrollmentDatabase({
      dataDir: dir,
      databaseUrl: kind === "postgres" ? process.env.DATABASE_URL : undefined,
      pgSchema: schema,
      onStatement: (sql) => statements.push(sql),
    });
    // Every transaction the desk opens, whichever driver (PGlite's BEGIN/COMMIT bypass the logger).
    const transaction = handle.db.transaction.bind(handle.db);
    handle.db.transaction = ((...args: Parameters<typeof transaction>) => {
      transactions += 1;
      return transaction(...args);
    }) as typeof handle.db.transaction;
    const base = { handle, pool, issuerName: "Statements Test", clock: () => new Date() };
    open = createDesk({ ...base, policy: "open" });
    approval = createDesk({ ...base, policy: "approval" });
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

  /** One API submission as the route makes it (classify, then submit with that lane), its statements counted. */
  async function counted(
    desk: Desk,
    fields: RenewalRequestFields,
  ): Promise<{ outcome: SubmitOutcome; sent: string[]; transactions: number }> {
    const body = new TextEncoder().encode(buildRenewalRequest(fields, keys.privateKeyPem));
    statements = [];
    transactions = 0;
    const lane = await desk.classify(body, "127.0.0.1");
    const outcome = await desk.submit({ body, channel: "api", remoteAddress: "127.0.0.1", validityDays: 30, lane });
    return { outcome, sent: statements.map(shape), transactions };
  }

  it("issues a new cluster's SLC, renews it, and answers a replay in two statements each, one commit, no transaction", async () => {
    const first = requestFieldsFor(keys);
    const issued = await counted(open, first);
    expect(issued.outcome).toMatchObject({ kind: "issued", replayed: false });
    if (issued.outcome.kind !== "issued") return;
    console.log(
      `[statements] ${kind}: new issuance ${issued.sent.length} (${issued.sent.join(", ")}), ${issued.transactions} transactions`,
    );
    expect(issued.sent).toEqual(["select", "with"]);
    expect(issued.transactions).toBe(0);

    // The console's renewal names its installed SLC by serial and fingerprint; under the approval policy it is issued at once.
    const slc = issued.outcome.submission.slc;
    const renewalFields = requestFieldsFor(keys, {
      clusterGuid: first.clusterGuid,
      installedSlcSerial: slc?.serial ?? null,
      installedSlcFingerprint: documentFingerprint(issued.outcome.slcXml),
    });
    const renewal = await counted(approval, renewalFields);
    expect(renewal.outcome).toMatchObject({ kind: "issued", replayed: false, submission: { reason: null } });
    console.log(`[statements] ${kind}: renewal ${renewal.sent.length} (${renewal.sent.join(", ")}), ${renewal.transactions} transactions`);
    expect(renewal.sent).toEqual(["select", "with"]);
    expect(renewal.transactions).toBe(0);

    const replay = await counted(approval, renewalFields);
    expect(replay.outcome).toMatchObject({ kind: "issued", replayed: true });
    expect(replay.sent).toEqual(["select", "insert events"]);
    expect(replay.transactions).toBe(0);

    // What the single write stored: the submission, the SLC, the registration bound to the key, and the event.
    const stored = await approval.find({ id: renewal.outcome.kind === "issued" ? renewal.outcome.submission.id : "" });
    expect(stored?.submission).toMatchObject({ state: "issued", slc: { serial: expect.any(String) } });
    const events = (await approval.eventsAfter(0, 100)).filter((e) => e.guid === first.clusterGuid);
    expect(events.map((e) => e.outcome)).toEqual(["issued", "issued", "replayed"]);
  });

  it("holds a new cluster under approval in one transaction (the pending caps), then approves it with one guarded write", async () => {
    const held = await counted(approval, requestFieldsFor(keys));
    expect(held.outcome).toMatchObject({ kind: "pending_approval", replayed: false });
    expect(held.transactions).toBe(1);
    if (held.outcome.kind !== "pending_approval") return;
    statements = [];
    transactions = 0;
    expect(await approval.approve(held.outcome.submission.id, "alice", "cli")).toMatchObject({ ok: true });
    console.log(`[statements] ${kind}: approval ${statements.length} (${statements.map(shape).join(", ")}), ${transactions} transactions`);
    expect(statements.map(shape)).toEqual(["select", "with"]);
    expect(transactions).toBe(0);
  });
});
