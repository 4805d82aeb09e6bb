// How many statements the hot paths send (deterministic, unlike their times): one page's session check and one online
// renewal, on PGlite and on PostgreSQL, counted by a logger on the Drizzle client.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "@/lib/console/auth/accounts";
import { createSession, validateSession } from "@/lib/console/auth/sessions";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { renewOnline } from "@/lib/console/renewal/online";
import { loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { type EnrollmentService, startEnrollmentService } from "@/lib/enrollment/server";
import { clusters } from "@/lib/platform/db/schema";
import { createTestDatabase, testDatabaseKinds } from "../support/databases";
import { seedEnrollmentStore } from "../support/enrollment";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-statements-test-"));
let enrollment: EnrollmentService;
let enrollmentRoot: string;

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
});

afterAll(async () => {
  await enrollment.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** "verb table" of a statement, e.g. "select clusters", "insert audit_events", "begin". */
function shape(statement: string): string {
  const text = statement.trim().toLowerCase();
  const verb = /^\w+/.exec(text)?.[0] ?? "";
  if (verb === "begin" || verb === "commit" || verb === "rollback") return verb;
  const table = (verb === "select" ? /\bfrom\s+"(\w+)"/ : /^\w+\s+(?:into\s+|from\s+)?"(\w+)"/).exec(text)?.[1] ?? "?";
  return `${verb} ${table}`;
}

describe.each(testDatabaseKinds())("statements on %s", (kind) => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let statements: string[] = [];
  const counted = async <T>(work: () => Promise<T>): Promise<{ value: T; sent: string[] }> => {
    statements = [];
    const value = await work();
    // BEGIN/COMMIT are sent through the logger by node-postgres only; the counts below are of the work itself.
    return { value, sent: statements.filter((s) => !/^(begin|commit|rollback)\b/i.test(s.trim())) };
  };

  beforeAll(async () => {
    handle = await createTestDatabase(kind, { onStatement: (sql) => statements.push(sql) });
  });
  afterAll(async () => handle.dispose());

  it("checks a page's session in one statement, touching it or not", async () => {
    const created = await createAccount(handle.db, {
      userName: "Ann",
      password: "a-long-enough-password",
      groups: ["Administrators", "Auditors"],
    });
    if (!created.ok) throw new Error(created.message);
    const t0 = new Date();
    const { token } = await createSession(handle.db, {
      accountId: created.account.id,
      remoteAddress: null,
      now: t0,
      idleMinutes: 30,
      maxHours: 8,
    });
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

    const fresh = await counted(() => validateSession(handle.db, token, { now: at(5), idleMinutes: 30 }));
    expect(fresh.value?.account.groups).toEqual(["Administrators", "Auditors"]);
    expect(fresh.sent).toHaveLength(1);

    // Past the touch interval: last_seen_at is written in the same statement.
    const touched = await counted(() => validateSession(handle.db, token, { now: at(120), idleMinutes: 30 }));
    expect(touched.value?.idleExpiresAt).toEqual(at(120 + 30 * 60));
    expect(touched.sent).toHaveLength(1);
    const after = await counted(() => validateSession(handle.db, token, { now: at(125), idleMinutes: 30 }));
    expect(after.value?.idleExpiresAt).toEqual(at(120 + 30 * 60));

    const unknown = await counted(() => validateSession(handle.db, "A".repeat(43), { now: at(5), idleMinutes: 30 }));
    expect(unknown.value).toBeNull();
    expect(unknown.sent).toHaveLength(1);
  });

  it("renews online in a fixed, small number of statements", async () => {
    const kek = loadKeyEncryptionKey({ dataDir: path.join(tmp, `console-${kind}`), createIfMissing: true });
    const ctx: RenewalContext = {
      db: handle.db,
      kek: () => kek,
      trustAnchors: () => [enrollmentRoot],
      enrollmentUrl: enrollment.url,
      http: { connectTimeoutMs: 2_000, totalTimeoutMs: 10_000 },
      now: () => new Date(),
      leaseMs: 30_000,
    };
    const provisioned = await provisionFirstRun(ctx, { serverName: "RMS01", validityDays: DEMO_SLC_VALIDITY_DAYS });
    if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
    const [cluster] = await handle.db.select().from(clusters);
    if (!cluster) throw new Error("the first run made no cluster");
    const actor = { name: "RMS01\\ann", remoteAddress: null };
    const renewal = await counted(() => renewOnline(ctx, { clusterId: cluster.id, actor }));
    expect(renewal.value.ok).toBe(true);
    // 9 statements, 2 commits: one transaction takes the lease, reads the cluster with its key and installed SLC and
    // records the attempt's audit event (kept even if the process then dies); the answer's checks read the stored
    // revocation list (its "Not revoked" check); then one transaction installs the SLC, supersedes any exported
    // request, records the success and ends the lease. (Before: 3 commits; before that 4.)
    expect(renewal.sent.map(shape)).toEqual([
      "update clusters",
      "select clusters",
      "insert audit_events",
      "select revocation_lists",
      "update certificates",
      "insert certificates",
      "update renewal_requests",
      "insert audit_events",
      "update clusters",
    ]);
    if (kind === "postgres") {
      // node-postgres sends the transactions' BEGIN and COMMIT through the same logger: two commits, nothing outside them.
      expect(statements.map(shape).slice(-13)).toEqual([
        "begin",
        "update clusters",
        "select clusters",
        "insert audit_events",
        "commit",
        "select revocation_lists",
        "begin",
        "update certificates",
        "insert certificates",
        "update renewal_requests",
        "insert audit_events",
        "update clusters",
        "commit",
      ]);
    }
    const [released] = await handle.db.select({ by: clusters.renewalLockedBy }).from(clusters);
    expect(released?.by).toBeNull();
  });
});
