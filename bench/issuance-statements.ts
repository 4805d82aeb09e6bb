// The issuance's database work per SLC: statements sent and commits made by the enrollment service's desk, driven as
// its API route drives it (classify, then submit), in this process against a real database with a logger on the client
// and a count of the transactions it opens. Deterministic, unlike times; the target is one read and one guarded write
// in one commit, with the signing outside any transaction.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { documentFingerprint, generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { buildRenewalRequest, type RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { openEnrollmentDatabase } from "@/lib/enrollment/db/client";
import { createDesk } from "@/lib/enrollment/desk";
import { createIssuePool } from "@/lib/enrollment/issue-pool";
import { createTestPki } from "../tests/support/certificate-fixtures";
import { requestFieldsFor } from "../tests/support/enrollment-requests";
import { type BenchResult, latency } from "./lib/results";

export interface IssuanceStatementsOptions {
  quick: boolean;
  log: (message: string) => void;
  postgresUrl?: string | null;
}

type Database = "PGlite" | "PostgreSQL";

/** One read and one guarded write. */
const STATEMENTS_TARGET = 2;
const COMMITS_TARGET = 1;

interface Counts {
  statements: number;
  commits: number;
  /** Whether the SLC was signed while a transaction of the desk was open. */
  signedInsideTransaction: boolean;
}

async function measure(kind: Database, postgresUrl: string | null, rounds: number, log: (m: string) => void): Promise<Counts> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-bench-statements-"));
  const pgSchema = `bench_statements_${process.pid}`;
  // PostgreSQL: its own schema in the bench's database, dropped with the database at the next run.
  const [pki, keys] = await Promise.all([createTestPki(), generateClusterKeyPair()]);
  let statements: string[] = [];
  let openTransactions = 0;
  let transactions = 0;
  let signedInside = false;
  const handle = await openEnrollmentDatabase({
    dataDir: dir,
    databaseUrl: kind === "PostgreSQL" ? (postgresUrl ?? undefined) : undefined,
    pgSchema,
    onStatement: (sql) => statements.push(sql),
  });
  const transaction = handle.db.transaction.bind(handle.db);
  handle.db.transaction = (async (...args: Parameters<typeof transaction>) => {
    transactions += 1;
    openTransactions += 1;
    try {
      return await transaction(...args);
    } finally {
      openTransactions -= 1;
    }
  }) as typeof handle.db.transaction;
  const pool = createIssuePool(
    { serviceKeyPem: pki.ca.serviceKeyPem, chainPem: [pki.ca.serviceCertPem, pki.ca.caCertPem] },
    { threads: 1 },
  );
  const sign = pool.sign.bind(pool);
  pool.sign = ((...args: Parameters<typeof sign>) => {
    if (openTransactions > 0) signedInside = true;
    return sign(...args);
  }) as typeof pool.sign;
  const desk = createDesk({ handle, pool, issuerName: "Bench Statements", clock: () => new Date(), policy: "open" });
  try {
    let sent = 0;
    let commits = 0;
    let issued = 0;
    for (let i = 0; i < rounds; i++) {
      // A new cluster's first SLC, then its renewal naming the installed SLC: the two issuances a console asks for.
      const first = requestFieldsFor(keys);
      const firstSlc = await submitCounted(first);
      await submitCounted(
        requestFieldsFor(keys, {
          clusterGuid: first.clusterGuid,
          installedSlcSerial: firstSlc.serial,
          installedSlcFingerprint: firstSlc.fingerprint,
        }),
      );
    }
    log(`issuance statements (${kind}): ${sent} statements, ${commits} commits for ${issued} SLCs`);
    return { statements: sent / issued, commits: commits / issued, signedInsideTransaction: signedInside };

    async function submitCounted(fields: RenewalRequestFields): Promise<{ serial: string | null; fingerprint: string }> {
      const body = new TextEncoder().encode(buildRenewalRequest(fields, keys.privateKeyPem));
      statements = [];
      const before = transactions;
      const lane = await desk.classify(body, "127.0.0.1");
      const outcome = await desk.submit({ body, channel: "api", remoteAddress: "127.0.0.1", validityDays: 30, lane });
      if (outcome.kind !== "issued" || outcome.replayed) throw new Error(`expected a new issuance, got ${outcome.kind}`);
      const own = statements.filter((s) => !/^\s*(begin|commit|rollback)\b/i.test(s));
      const opened = transactions - before;
      // A statement outside a transaction that writes commits by itself; a transaction commits once.
      const autocommits = opened === 0 ? own.filter((s) => !/^\s*select\b/i.test(s)).length : 0;
      sent += own.length;
      commits += opened + autocommits;
      issued += 1;
      return { serial: outcome.submission.slc?.serial ?? null, fingerprint: documentFingerprint(outcome.slcXml) };
    }
  } finally {
    await pool.close();
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function runIssuanceStatementsBench(opts: IssuanceStatementsOptions): Promise<BenchResult[]> {
  const rounds = opts.quick ? 5 : 20;
  const kinds: Database[] = opts.postgresUrl ? ["PGlite", "PostgreSQL"] : ["PGlite"];
  const results: BenchResult[] = [];
  for (const kind of kinds) {
    const counts = await measure(kind, opts.postgresUrl ?? null, rounds, opts.log);
    const how = `${rounds} new clusters' first SLCs and ${rounds} renewals through the desk as the API route drives it; signed ${counts.signedInsideTransaction ? "INSIDE" : "outside any"} transaction`;
    results.push(
      latency(
        `Issuance: statements per SLC (${kind})`,
        counts.statements,
        "statements",
        "one read and one guarded write",
        STATEMENTS_TARGET,
        1,
        how,
      ),
      latency(`Issuance: commits per SLC (${kind})`, counts.commits, "commits", "one commit", COMMITS_TARGET, 1, how),
    );
  }
  return results;
}
