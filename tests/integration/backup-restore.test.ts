// The restore drill: a console on PGlite with a real enrollment service, renewed online; backed up while it
// "runs" (its backup socket serves the snapshot, as the console process does); its data folder destroyed; restored
// from the passphrase archive (master key included) and renewed again with the restored key; the same backup restored
// onto PostgreSQL when DATABASE_URL is set, and a PostgreSQL backup back onto PGlite; audit logs, clusters and
// certificates compared row for row. Then the refusals (truncated, tampered, newer schema, wrong passphrase, a live
// database), each leaving the target untouched, and the enrollment service's own backup and restore.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc } from "drizzle-orm";
import { Pool } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "@/lib/console/audit/audit";
import { backupConsole, type ConsoleBackupSettings, restoreConsole } from "@/lib/console/backup/console";
import { runConsoleBackupCli } from "@/lib/console/cli/backup-commands";
import type { ClusterCommandIo } from "@/lib/console/cli/cluster-commands";
import { renewOnlineCommand } from "@/lib/console/cli/cluster-commands";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { backupEnrollment, restoreEnrollment } from "@/lib/enrollment/backup";
import { type EnrollmentService, startEnrollmentService } from "@/lib/enrollment/server";
import { BackupError, type BackupSecret, createArchive, verifyArchive } from "@/lib/platform/backup/archive";
import { dumpDatabase, type SnapshotDb } from "@/lib/platform/backup/snapshot";
import { startBackupSocket } from "@/lib/platform/backup/socket";
import { type Database, type DatabaseHandle, migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { auditEvents, certificates, clusters } from "@/lib/platform/db/schema";
import { seedBlankPglite } from "../support/databases";
import { seedEnrollmentStore, testRenewalContext } from "../support/enrollment";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-backup-"));
const enrollmentDir = path.join(tmp, "enrollment");
const consoleDir = path.join(tmp, "console");
const PASSPHRASE = "correct horse battery staple";
const actor = { name: "cli:operator", remoteAddress: null };
const quiet = () => {};
let enrollment: EnrollmentService;
let root: string;
let source: DatabaseHandle;
let stopSocket: () => Promise<void>;
const pgSchemas: string[] = [];

const settingsFor = (dataDir: string, extra: Partial<ConsoleBackupSettings> = {}): ConsoleBackupSettings => ({
  dataDir,
  trustAnchorsPath: path.join(dataDir, "trust-anchors.pem"),
  masterKey: { dataDir },
  ...extra,
});

function startService(dataDir: string, policy: "open" | "approval") {
  return startEnrollmentService({ host: "127.0.0.1", policy, port: 0, dataDir, validityDays: 365, issuerName: "Test Enrollment Service" });
}

function io(): ClusterCommandIo & { out: string[] } {
  const out: string[] = [];
  return {
    out,
    stdout: (t) => out.push(t),
    stderr: (t) => out.push(t),
    readFile: async (f) => new Uint8Array(fs.readFileSync(f)),
    writeFile: async (f, d) => fs.writeFileSync(f, d),
    confirm: async () => null,
  };
}

async function renew(db: Database, dataDir: string, masterKey: ConsoleBackupSettings["masterKey"] = { dataDir }): Promise<void> {
  const ctx = testRenewalContext(db, { consoleDir: masterKey.dataDir, trustAnchors: [root], enrollmentUrl: enrollment.url });
  const recorded = io();
  expect(await renewOnlineCommand(ctx, "Default Web Site", actor, recorded), recorded.out.join("\n")).toBe(0);
  expect(fs.existsSync(path.join(dataDir, "trust-anchors.pem"))).toBe(true);
}

/** What an operator sees: clusters, certificates, the audit log, row for row. */
async function contents(db: Database) {
  return {
    clusters: await db.select().from(clusters).orderBy(asc(clusters.id)),
    certificates: await db.select().from(certificates).orderBy(asc(certificates.id)),
    audit: await db.select().from(auditEvents).orderBy(asc(auditEvents.id)),
  };
}

let before: Awaited<ReturnType<typeof contents>>;
const archive = (name: string) => path.join(tmp, name);

beforeAll(async () => {
  seedEnrollmentStore(enrollmentDir);
  enrollment = await startService(enrollmentDir, "open");
  root = fs.readFileSync(path.join(enrollmentDir, "ca", "root.pem"), "utf8");
  seedBlankPglite(path.join(consoleDir, "pglite"));
  source = await openDatabase({ dataDir: consoleDir });
  await migrateDatabase(source);
  fs.writeFileSync(path.join(consoleDir, "trust-anchors.pem"), root, { mode: 0o600 });
  const ctx = testRenewalContext(source.db, { consoleDir, trustAnchors: [root], enrollmentUrl: enrollment.url });
  const provisioned = await provisionFirstRun(ctx, { serverName: "RMS01", validityDays: DEMO_SLC_VALIDITY_DAYS });
  if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
  await renew(source.db, consoleDir);
  // The running console serves the snapshot on its backup socket (instrumentation.ts starts it in the console process).
  stopSocket = await startBackupSocket(consoleDir, async () => source.db as never, { schema: "public" });
}, 120_000);

afterAll(async () => {
  await stopSocket?.();
  await enrollment?.close();
  if (process.env.DATABASE_URL && pgSchemas.length > 0) {
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
    for (const schema of pgSchemas) await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await pool.end();
  }
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("console backup and restore drill", () => {
  it("backs up the running console (PGlite, through its socket) under the master key and under a passphrase", async () => {
    before = await contents(source.db);
    expect(before.certificates.length).toBeGreaterThanOrEqual(2);
    const lines: string[] = [];
    const plain = await backupConsole(archive("master.rmsbackup"), settingsFor(consoleDir), { includeMasterKey: false }, (l) =>
      lines.push(l),
    );
    expect(lines.join("\n")).toContain("The console is running: it takes the snapshot");
    expect(plain.tables.audit_events).toBe(before.audit.length);
    expect(plain.files).toBe(1);
    const withKey = await backupConsole(
      archive("full.rmsbackup"),
      settingsFor(consoleDir),
      { includeMasterKey: true, passphrase: PASSPHRASE },
      quiet,
    );
    expect(withKey.rows).toBe(plain.rows);
    // The archive is encrypted: no cluster name, PEM or audit text in clear; never overwritten.
    const bytes = fs.readFileSync(archive("full.rmsbackup"));
    expect(bytes.includes("RMS01")).toBe(false);
    expect(bytes.includes("BEGIN CERTIFICATE")).toBe(false);
    await expect(backupConsole(archive("full.rmsbackup"), settingsFor(consoleDir), { includeMasterKey: false }, quiet)).rejects.toThrow(
      /already exists/,
    );
  });

  it("runs as npm run rms -- backup|restore: the passphrase only from stdin or a terminal, clear usage errors", async () => {
    const run = async (argv: string[], stdin = "") => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runConsoleBackupCli(argv, {
        stdout: (t) => out.push(t),
        stderr: (t) => err.push(t),
        settings: () => settingsFor(consoleDir),
        readStdinLine: async () => stdin,
        prompt: null,
      });
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    expect(await run(["backup", archive("cli.rmsbackup"), "--include-master-key"])).toMatchObject({
      code: 2,
      err: expect.stringContaining("a passphrase is needed: pass --passphrase-stdin"),
    });
    expect(await run(["backup", archive("cli.rmsbackup"), "--passphrase-stdin"], "short")).toMatchObject({
      code: 2,
      err: expect.stringContaining("at least 12 characters"),
    });
    expect((await run(["backup", archive("cli.rmsbackup"), "--force"])).code).toBe(2);
    expect((await run(["restore"])).code).toBe(2);
    const written = await run(["backup", archive("cli.rmsbackup"), "--passphrase-stdin"], PASSPHRASE);
    expect(written.code, written.err).toBe(0);
    expect(written.out).toMatch(
      /^Wrote .*cli\.rmsbackup: \d+ tables, \d+ rows, 1 files, \d+ bytes in .* \(database schema \d+; encrypted with the passphrase\)\.$/,
    );
    expect(await run(["restore", archive("cli.rmsbackup"), "--passphrase-stdin"], "not the passphrase")).toMatchObject({
      code: 1,
      err: expect.stringContaining("Error: The passphrase does not open"),
    });
  });

  it("restores onto an emptied data folder: same clusters, certificates and audit log; renews online with the restored key", async () => {
    await stopSocket();
    await source.close();
    fs.rmSync(consoleDir, { recursive: true, force: true }); // the lost server
    const lines: string[] = [];
    const summary = await restoreConsole(
      archive("full.rmsbackup"),
      settingsFor(consoleDir),
      { force: false, passphrase: PASSPHRASE },
      (l) => lines.push(l),
    );
    expect(lines.join("\n")).toContain("The backup is intact");
    expect(summary.masterKeyWritten).toBe(true);
    expect(summary.keysCheck).toMatch(/decrypts all 1 encrypted keys/);
    expect((fs.statSync(path.join(consoleDir, "master.key")).mode & 0o777).toString(8)).toBe("600");
    source = await openDatabase({ dataDir: consoleDir });
    await migrateDatabase(source);
    expect(await contents(source.db)).toEqual(before);
    await renew(source.db, consoleDir);
    const after = await contents(source.db);
    expect(after.audit.slice(0, before.audit.length)).toEqual(before.audit);
    expect(after.audit.length).toBeGreaterThan(before.audit.length);
    expect(after.audit.at(-1)?.id).toBeGreaterThan(before.audit.at(-1)?.id ?? 0); // the sequence continued past the restored rows
    expect(after.certificates.length).toBe(before.certificates.length + 1);
  });

  it("refuses to restore over a database that holds data, and replaces it with --force", async () => {
    await source.close();
    await expect(restoreConsole(archive("master.rmsbackup"), settingsFor(consoleDir), { force: false }, quiet)).rejects.toThrow(
      /is not empty: restoring would replace what it holds.*--force/,
    );
    await restoreConsole(archive("master.rmsbackup"), settingsFor(consoleDir), { force: true }, quiet);
    source = await openDatabase({ dataDir: consoleDir });
    expect(await contents(source.db)).toEqual(before);
  });

  it.runIf(process.env.DATABASE_URL)("restores onto PostgreSQL, renews there, and a PostgreSQL backup restores onto PGlite", async () => {
    const databaseUrl = process.env.DATABASE_URL as string;
    const pgSchema = `t_${randomBytes(6).toString("hex")}`;
    pgSchemas.push(pgSchema);
    const pgDir = path.join(tmp, "pg-console");
    // The master key goes with the operator: here the restored data folder's, named by RMS_MASTER_KEY_FILE.
    const pgSettings = settingsFor(pgDir, {
      databaseUrl,
      pgSchema,
      masterKey: { dataDir: pgDir, masterKeyFile: path.join(consoleDir, "master.key") },
    });
    await restoreConsole(archive("master.rmsbackup"), pgSettings, { force: false }, quiet);
    const pg = await openDatabase({ dataDir: pgDir, databaseUrl, pgSchema });
    try {
      expect(await contents(pg.db)).toEqual(before);
      await renew(pg.db, pgDir, { dataDir: consoleDir });
      await expect(restoreConsole(archive("master.rmsbackup"), pgSettings, { force: false }, quiet)).rejects.toThrow(/is not empty/);
      // One snapshot: an audit event committed by another connection while the dump runs is not in it.
      const other = await openDatabase({ dataDir: pgDir, databaseUrl, pgSchema });
      const dumped: Record<string, number> = {};
      let wrote = false;
      await dumpDatabase(pg.db as unknown as SnapshotDb, { schema: pgSchema }, async (record) => {
        if (record.t === "rows") dumped[record.table] = (dumped[record.table] ?? 0) + record.rows.length;
        if (record.t === "table" && !wrote) {
          wrote = true;
          await recordAudit(other.db, { actor: "cli:other", remoteAddress: null, action: "account_created", outcome: "success" });
        }
      });
      await other.close();
      const fromPg = await contents(pg.db);
      expect(fromPg.audit.length).toBe((dumped.audit_events ?? 0) + 1);
      await backupConsole(archive("pg.rmsbackup"), pgSettings, { includeMasterKey: false }, quiet);
      const back = path.join(tmp, "from-pg");
      fs.mkdirSync(back, { mode: 0o700 });
      fs.copyFileSync(path.join(consoleDir, "master.key"), path.join(back, "master.key"));
      await restoreConsole(archive("pg.rmsbackup"), settingsFor(back), { force: false }, quiet);
      const restored = await openDatabase({ dataDir: back });
      expect(await contents(restored.db)).toEqual(fromPg);
      await restored.close();
    } finally {
      await pg.close();
    }
  });

  it("refuses a truncated, tampered, newer-schema or foreign backup, or a wrong passphrase, and changes nothing", async () => {
    // The variants start from the archive keyed by the master key (HKDF: no scrypt per attempt).
    const full = fs.readFileSync(archive("master.rmsbackup"));
    const target = path.join(tmp, "untouched");
    const attempt = (file: string, passphrase = PASSPHRASE) =>
      restoreConsole(file, settingsFor(target, { masterKey: { dataDir: consoleDir } }), { force: false, passphrase }, quiet).then(
        () => null,
        (error: unknown) => {
          expect(error).toBeInstanceOf(BackupError);
          return error as BackupError;
        },
      );
    const variant = (name: string, bytes: Buffer) => {
      fs.writeFileSync(archive(name), bytes);
      return archive(name);
    };
    const headerEnd = 14 + full.readUInt32BE(10); // "RMSBACKUP\n", the header's length, the header

    expect((await attempt(variant("cut.rmsbackup", full.subarray(0, full.length - 100))))?.code).toBe("truncated");
    expect((await attempt(variant("header-only.rmsbackup", full.subarray(0, headerEnd + 10))))?.code).toBe("truncated");
    const flipped = Buffer.from(full);
    const middle = Math.floor(full.length * 0.7);
    flipped.writeUInt8(full.readUInt8(middle) ^ 0x01, middle);
    expect((await attempt(variant("flipped.rmsbackup", flipped)))?.code).toBe("tampered");
    const header = Buffer.from(full);
    const at = header.indexOf(Buffer.from('"createdAt":"')) + 13;
    header.writeUInt8(header.readUInt8(at + 3) === 0x30 ? 0x31 : 0x30, at + 3); // another year: the header is authenticated too
    expect((await attempt(variant("header.rmsbackup", header)))?.code).toBe("tampered");
    expect((await attempt(variant("appended.rmsbackup", Buffer.concat([full, full.subarray(full.length - 40)]))))?.code).toBe("tampered");
    expect((await attempt(archive("full.rmsbackup"), "not the passphrase"))?.message).toMatch(/passphrase does not open/);
    expect((await attempt(variant("text.rmsbackup", Buffer.from("hello\n"))))?.code).toBe("not_a_backup");

    const newer = await createArchive(archive("newer.rmsbackup"), {
      service: "console",
      schemaVersion: 999,
      source: "pglite",
      includesMasterKey: false,
      secret: { kind: "master-key", key: randomBytes(32), id: "0123456789abcdef" },
    });
    await newer.write({ t: "end", tables: {}, files: 0 });
    await newer.finish();
    const refused = await attempt(archive("newer.rmsbackup"));
    expect(refused?.code).toBe("newer_schema");
    expect(refused?.message).toMatch(/comes from a newer version \(database schema 999; this version knows \d+\)/);
    expect(fs.existsSync(target)).toBe(false);
  });
});

describe("archive format", () => {
  it("spans chunks; a file cut at a chunk boundary, chunks swapped or one dropped are refused", async () => {
    const secret: BackupSecret = { kind: "master-key", key: randomBytes(32), id: "0123456789abcdef" };
    const file = archive("chunks.rmsbackup");
    const writer = await createArchive(file, { service: "console", schemaVersion: 1, source: "pglite", includesMasterKey: false, secret });
    const row = JSON.stringify({ id: 1, text: "x".repeat(1000) });
    for (let i = 0; i < 3; i++) await writer.write({ t: "rows", table: "audit_events", rows: Array.from({ length: 1000 }, () => row) });
    await writer.write({ t: "end", tables: { audit_events: 3000 }, files: 0 });
    await writer.finish();
    const expect_ = { service: "console" as const, maxSchemaVersion: 1 };
    expect((await verifyArchive(file, secret, expect_)).end.tables.audit_events).toBe(3000);

    // Split into its parts: magic + header, then [length][sealed] chunks.
    const bytes = fs.readFileSync(file);
    let offset = 14 + bytes.readUInt32BE(10);
    const head = bytes.subarray(0, offset);
    const chunks: Buffer[] = [];
    while (offset < bytes.length) {
      const end = offset + 4 + bytes.readUInt32BE(offset);
      chunks.push(bytes.subarray(offset, end));
      offset = end;
    }
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    const refusal = async (parts: Buffer[]) => {
      fs.writeFileSync(archive("variant.rmsbackup"), Buffer.concat([head, ...parts]));
      fs.rmSync(archive("variant.rmsbackup.partial"), { force: true });
      return verifyArchive(archive("variant.rmsbackup"), secret, expect_).then(
        () => null,
        (error: BackupError) => error.code,
      );
    };
    const [first, second, ...others] = chunks as [Buffer, Buffer, ...Buffer[]];
    expect(await refusal(chunks.slice(0, -1))).toBe("truncated");
    expect(await refusal([second, first, ...others])).toBe("tampered");
    expect(await refusal([first, ...others])).toBe("tampered");
    expect(await refusal(chunks)).toBeNull();
    const otherKey: BackupSecret = { kind: "master-key", key: randomBytes(32), id: "fedcba9876543210" };
    await expect(verifyArchive(file, otherKey, expect_)).rejects.toThrow(/encrypted with another master key \(id 0123456789abcdef\)/);
  });
});

describe("enrollment service backup and restore", () => {
  it("backs up the running service, restores it onto an emptied folder, and the restored service renews the cluster at once", async () => {
    const settings = { dataDir: enrollmentDir };
    const lines: string[] = [];
    const summary = await backupEnrollment(archive("enrollment.rmsbackup"), settings, PASSPHRASE, (l) => lines.push(l));
    expect(lines.join("\n")).toContain("The service is running");
    expect(summary.files).toBeGreaterThanOrEqual(6);
    expect(fs.readFileSync(archive("enrollment.rmsbackup")).includes("PRIVATE KEY")).toBe(false);
    const fingerprint = enrollment.rootFingerprint;
    await enrollment.close();
    fs.rmSync(enrollmentDir, { recursive: true, force: true });
    await expect(
      restoreEnrollment(archive("enrollment.rmsbackup"), settings, { passphrase: "wrong passphrase!", force: false }, quiet),
    ).rejects.toThrow(/passphrase does not open/);
    expect(fs.existsSync(enrollmentDir)).toBe(false);
    await restoreEnrollment(archive("enrollment.rmsbackup"), settings, { passphrase: PASSPHRASE, force: false }, quiet);
    expect((fs.statSync(path.join(enrollmentDir, "ca", "enrollment-ca-key.pem")).mode & 0o777).toString(8)).toBe("600");
    expect(fs.existsSync(path.join(enrollmentDir, "ca", "root-key.pem"))).toBe(false); // the root stays offline
    // Under the approval policy only a registered cluster is renewed at once: the registrations came back.
    enrollment = await startService(enrollmentDir, "approval");
    expect(enrollment.rootFingerprint).toBe(fingerprint);
    const before = await contents(source.db);
    await renew(source.db, consoleDir);
    expect((await contents(source.db)).certificates.length).toBe(before.certificates.length + 1);
    await enrollment.close();
    await expect(
      restoreEnrollment(archive("enrollment.rmsbackup"), settings, { passphrase: PASSPHRASE, force: false }, quiet),
    ).rejects.toThrow(/is not empty/);
    await source.close();
  });
});
