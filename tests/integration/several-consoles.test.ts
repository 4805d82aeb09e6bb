// Consoles that share a database share its master key (README: PostgreSQL). A console whose data folder does not hold
// the key that encrypted the database's cluster keys: `npm start` (scripts/start.ts, spawned) stops in one line, no stack
// trace, naming the fingerprint it needs and what to do, and creates no key of its own; RMS_MASTER_KEY_FILE hands the key
// over (a file other users can read is refused); `npm run rms -- keys verify` (spawned) says whether the key opens every
// encrypted key. On PostgreSQL the second console has its own, empty data folder; on PGlite it is the data folder
// restored without its master.key.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationSettingsSchema, saveNotificationSettings } from "@/lib/console/notifications/settings";
import { provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { checkMasterKey, keyForNewSecrets } from "@/lib/console/provisioning/master-key";
import { type KeyEncryptionKey, loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { type DatabaseHandle, migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { seedBlankPglite, testDatabaseKinds } from "../support/databases";
import { type ProgramRun, runProgram } from "../support/processes";
import { createPgDatabase } from "../system/support/data";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-several-consoles-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs scripts/<script>.ts as `npm start` / `npm run rms` do, with only the given RMS_* settings. */
function runScript(script: "start" | "rms", args: string[], settings: Record<string, string | undefined>): Promise<ProgramRun> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    NODE_NO_WARNINGS: "1",
    ...settings,
  };
  return runProgram(script, args, env);
}

const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "");
const STACK_FRAME = /^\s+at /m;
/** Each test spawns `npm start` or `npm run rms` a few times: seconds each, more on a loaded machine. */
const SPAWNING = 180_000;

describe.each(testDatabaseKinds())("a console joining a database on %s", (kind) => {
  const firstDir = path.join(tmp, `${kind}-first`);
  const secondDir = path.join(tmp, `${kind}-second`);
  let databaseUrl: string | undefined;
  let dropDatabase: (() => Promise<void>) | undefined;
  let firstKey: KeyEncryptionKey;
  /** The second console's settings: its own data folder, the shared database, a console port of this suite. */
  const second = (extra: Record<string, string> = {}) => ({
    RMS_DATA_DIR: secondDir,
    DATABASE_URL: databaseUrl,
    PORT: "3510",
    RMS_ENROLLMENT_URL: "https://127.0.0.1:3511",
    ...extra,
  });
  const openShared = (dataDir: string) => openDatabase({ dataDir, databaseUrl });

  beforeAll(async () => {
    if (kind === "postgres") {
      const database = await createPgDatabase(String(process.env.DATABASE_URL));
      databaseUrl = database.url;
      dropDatabase = database.drop;
    }
    // The first console's first start: a new master.key in its data folder, the demo cluster's key encrypted under it
    // (the enrollment service is not running: the cluster keeps its key for a later enrollment), and a stored secret.
    if (kind === "pglite") seedBlankPglite(path.join(firstDir, "pglite"));
    const handle: DatabaseHandle = await openShared(firstDir);
    try {
      await migrateDatabase(handle);
      const checked = await checkMasterKey(handle.db, { dataDir: firstDir }, { create: true });
      if (!checked.ok || !checked.created) throw new Error("the first console should create its master key");
      firstKey = checked.kek;
      const firstRun = await provisionFirstRun(
        {
          db: handle.db,
          kek: () => firstKey,
          trustAnchors: () => [],
          enrollmentUrl: "https://127.0.0.1:3512",
          http: { connectTimeoutMs: 500, totalTimeoutMs: 1_000 },
          now: () => new Date(),
          leaseMs: 10_000,
        },
        { serverName: "RMS01" },
      );
      expect(firstRun).toMatchObject({ ok: false, clusterId: expect.any(String) });
      const saved = await saveNotificationSettings(
        handle.db,
        firstKey,
        notificationSettingsSchema.parse({ webhookUrl: "https://hooks.contoso.com/rms", webhookSecret: "s".repeat(24) }),
        { actor: "RMS\\alice", remoteAddress: null, now: new Date() },
      );
      expect(saved.ok).toBe(true);
    } finally {
      await handle.close();
    }
    if (kind === "postgres") fs.mkdirSync(secondDir);
    else {
      fs.cpSync(firstDir, secondDir, { recursive: true });
      fs.rmSync(path.join(secondDir, "master.key"));
    }
  }, 120_000);

  afterAll(async () => dropDatabase?.());

  it(
    "without the key, npm start stops in one line naming the key it needs, and makes none of its own",
    async () => {
      const run = await runScript("start", ["--console-only"], second());
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(lines(run.stderr)).toHaveLength(1);
      expect(run.stderr).toMatch(/^\[rms\] No master key: set RMS_MASTER_KEY or RMS_MASTER_KEY_FILE, or restore .*master\.key\./);
      expect(run.stderr).toContain(`This database holds 2 encrypted keys (cluster key of "RMS01 RMS cluster", notification webhook secret`);
      expect(run.stderr).toContain(`under master key ${firstKey.id}`);
      expect(run.stderr).toContain("copy their master.key into its data folder (mode 600), or point RMS_MASTER_KEY_FILE at a copy");
      expect(run.stderr).toContain("npm run rms -- keys verify");
      expect(run.stderr).toContain("A new master key is not created");
      expect(run.stdout).not.toContain("Building the console");
      expect(fs.existsSync(path.join(secondDir, "master.key"))).toBe(false);
    },
    SPAWNING,
  );

  it(
    "with another key, npm start stops in one line naming both fingerprints",
    async () => {
      const other = randomBytes(32).toString("base64");
      const otherId = loadKeyEncryptionKey({ dataDir: tmp, masterKey: other, createIfMissing: false }).id;
      const run = await runScript("start", ["--console-only"], second({ RMS_MASTER_KEY: other }));
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(lines(run.stderr)).toEqual([
        `[rms] The master key from RMS_MASTER_KEY (fingerprint ${otherId}) cannot decrypt 2 of the 2 encrypted keys in this database ` +
          `(cluster key of "RMS01 RMS cluster", notification webhook secret (Settings)), ` +
          `encrypted under master key ${firstKey.id}: give this console the master key of the consoles already using this database: ` +
          "copy their master.key into its data folder (mode 600), or point RMS_MASTER_KEY_FILE at a copy (mode 600), or set " +
          "RMS_MASTER_KEY; then check with: npm run rms -- keys verify. The console did not start.",
      ]);
    },
    SPAWNING,
  );

  it(
    "takes the key from RMS_MASTER_KEY_FILE only when no other user can read it; keys verify then passes",
    async () => {
      const handedOver = path.join(tmp, `${kind}-handed-over.key`);
      fs.copyFileSync(path.join(firstDir, "master.key"), handedOver);
      fs.chmodSync(handedOver, 0o640);
      const refused = await runScript("rms", ["keys", "verify"], second({ RMS_MASTER_KEY_FILE: handedOver }));
      expect(refused.code).toBe(1);
      expect(refused.stderr).not.toMatch(STACK_FRAME);
      expect(refused.stderr).toContain(
        `Error: RMS_MASTER_KEY_FILE (${handedOver}) is readable or writable by other users (mode 640); run chmod 600 on it`,
      );
      const atStart = await runScript("start", ["--console-only"], second({ RMS_MASTER_KEY_FILE: handedOver }));
      expect(atStart.code).toBe(1);
      expect(lines(atStart.stderr)).toHaveLength(1);
      expect(atStart.stderr).toContain("(mode 640); run chmod 600 on it");

      fs.chmodSync(handedOver, 0o600);
      const verified = await runScript("rms", ["keys", "verify"], second({ RMS_MASTER_KEY_FILE: handedOver }));
      expect(verified.stderr).not.toContain("Error");
      expect(verified.code).toBe(0);
      expect(verified.stdout).toContain(`Master key: RMS_MASTER_KEY_FILE (${handedOver}), fingerprint ${firstKey.id}`);
      expect(verified.stdout).toMatch(new RegExp(`decrypts\\s+${firstKey.id}\\s+cluster key of "RMS01 RMS cluster"`));
      expect(verified.stdout).toContain("All 2 encrypted keys in this database decrypt with this console's master key.");

      const missing = await runScript("rms", ["keys", "verify"], second({ RMS_MASTER_KEY_FILE: `${handedOver}.absent` }));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain(`Error: No master key: RMS_MASTER_KEY_FILE (${handedOver}.absent) does not exist`);
    },
    SPAWNING,
  );

  it(
    "keys verify exits 1 with another key and lists what it cannot decrypt",
    async () => {
      const other = randomBytes(32).toString("base64");
      const run = await runScript("rms", ["keys", "verify"], second({ RMS_MASTER_KEY: other }));
      expect(run.code).toBe(1);
      expect(run.stderr).not.toMatch(STACK_FRAME);
      expect(run.stdout).toMatch(new RegExp(`WRONG KEY\\s+${firstKey.id}\\s+cluster key of "RMS01 RMS cluster"`));
      expect(run.stdout).toMatch(new RegExp(`WRONG KEY\\s+${firstKey.id}\\s+notification webhook secret \\(Settings\\)`));
      expect(run.stderr).toMatch(/^Error: The master key from RMS_MASTER_KEY \(fingerprint [0-9a-f]{16}\) cannot decrypt 2 of the 2/m);
    },
    SPAWNING,
  );

  it(
    "with the key copied into its own data folder (mode 600), keys verify passes",
    async () => {
      const copy = path.join(secondDir, "master.key");
      fs.copyFileSync(path.join(firstDir, "master.key"), copy);
      fs.chmodSync(copy, 0o600);
      try {
        const run = await runScript("rms", ["keys", "verify"], second());
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`Master key: ${copy}, fingerprint ${firstKey.id}`);
      } finally {
        fs.rmSync(copy);
      }
    },
    SPAWNING,
  );

  it(
    "never creates a key beside values encrypted under another one; creates one for an empty database",
    async () => {
      const handle = await openShared(secondDir);
      try {
        await expect(keyForNewSecrets(handle.db, { dataDir: secondDir })).rejects.toThrow(/No master key/);
        const checked = await checkMasterKey(handle.db, { dataDir: secondDir }, { create: true });
        expect(checked).toMatchObject({ ok: false, code: "missing" });
        expect(fs.existsSync(path.join(secondDir, "master.key"))).toBe(false);
      } finally {
        await handle.close();
      }
      const emptyDir = path.join(tmp, `${kind}-empty`);
      const empty = kind === "postgres" ? await createPgDatabase(String(process.env.DATABASE_URL)) : undefined;
      if (kind === "pglite") seedBlankPglite(path.join(emptyDir, "pglite"));
      const fresh = await openDatabase({ dataDir: emptyDir, databaseUrl: empty?.url });
      try {
        await migrateDatabase(fresh);
        const created = await keyForNewSecrets(fresh.db, { dataDir: emptyDir });
        expect(fs.statSync(path.join(emptyDir, "master.key")).mode & 0o777).toBe(0o600);
        expect(loadKeyEncryptionKey({ dataDir: emptyDir, createIfMissing: false }).id).toBe(created.id);
      } finally {
        await fresh.close();
        await empty?.drop();
      }
    },
    SPAWNING,
  );
});
