// The console's backup and restore: its database (every table, one snapshot), the trust-anchor file and, when asked,
// the master key. On PostgreSQL the snapshot is read directly (any number of processes may connect); on PGlite from
// the running console through its backup socket, or from the data folder when no console holds it.
import fs from "node:fs";
import path from "node:path";
import { checkMasterKey } from "@/lib/console/provisioning/master-key";
import {
  KeyEncryptionError,
  type KeyEncryptionKey,
  loadKeyEncryptionKey,
  type MasterKeySettings,
} from "@/lib/core/certificates/key-encryption";
import { type DatabaseHandle, embeddedDatabaseExists, openDatabase } from "@/lib/platform/db/client";
import { BackupError, type BackupSecret, readArchiveHeader, verifyArchive } from "../../platform/backup/archive";
import { type BackupSummary, restoreRows, writeBackup } from "../../platform/backup/engine";
import { dumpDatabase, knownMigrations, type Progress, type SnapshotDb } from "../../platform/backup/snapshot";
import { fetchSnapshot } from "../../platform/backup/socket";

const CONSOLE_MIGRATIONS = path.join(process.cwd(), "lib", "platform", "db", "migrations");
const TRUST_ANCHORS = "trust-anchors.pem";
const MASTER_KEY_FILE = "master.key";

export interface ConsoleBackupSettings {
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL schema of the console's tables (tests use their own). */
  pgSchema?: string;
  trustAnchorsPath: string;
  masterKey: MasterKeySettings;
}

/** Which database, for the operator (the PostgreSQL URL without its password). */
function databaseName(settings: ConsoleBackupSettings): string {
  if (!settings.databaseUrl) return `embedded, in ${settings.dataDir}`;
  try {
    const url = new URL(settings.databaseUrl);
    if (url.password) url.password = "***";
    return `PostgreSQL ${url.toString()}${settings.pgSchema ? ` (schema ${settings.pgSchema})` : ""}`;
  } catch {
    return "PostgreSQL (DATABASE_URL)";
  }
}

function masterKeySecret(settings: ConsoleBackupSettings): KeyEncryptionKey {
  return loadKeyEncryptionKey({ ...settings.masterKey, createIfMissing: false });
}

/**
 * Writes a console backup to `file`. Without a passphrase the archive is encrypted under the console's master key;
 * `includeMasterKey` puts the key itself in and then needs a passphrase.
 */
export async function backupConsole(
  file: string,
  settings: ConsoleBackupSettings,
  opts: { includeMasterKey: boolean; passphrase?: string },
  progress: Progress,
): Promise<BackupSummary> {
  if (opts.includeMasterKey && opts.passphrase === undefined) {
    throw new BackupError("wrong_key", "A backup that includes the master key must be protected by a passphrase.");
  }
  let kek: KeyEncryptionKey | null = null;
  try {
    if (opts.includeMasterKey || opts.passphrase === undefined) kek = masterKeySecret(settings);
  } catch (error) {
    if (!(error instanceof KeyEncryptionError)) throw error;
    throw new BackupError(
      "wrong_key",
      `${error.message} ${opts.includeMasterKey ? "" : "Without a passphrase the backup is encrypted with the master key; to protect it with a passphrase instead, pass --passphrase-stdin."}`.trim(),
    );
  }
  const secret: BackupSecret =
    opts.passphrase !== undefined
      ? { kind: "passphrase", passphrase: opts.passphrase }
      : { kind: "master-key", key: (kek as KeyEncryptionKey).key, id: (kek as KeyEncryptionKey).id };
  const common = {
    service: "console" as const,
    secret,
    files: [{ name: TRUST_ANCHORS, path: settings.trustAnchorsPath }],
    ...(opts.includeMasterKey && kek ? { masterKey: kek.key } : {}),
    progress,
  };
  progress(`Backing up the console (database: ${databaseName(settings)}) to ${file}.`);
  if (!settings.databaseUrl) {
    const viaConsole = await writeBackupVia(file, common, settings.dataDir, progress);
    if (viaConsole) return viaConsole;
    if (!embeddedDatabaseExists(settings.dataDir)) {
      throw new Error(`There is no console database in ${settings.dataDir}: set RMS_DATA_DIR (or DATABASE_URL) as the console has it.`);
    }
  }
  const handle = await openDatabase({ dataDir: settings.dataDir, databaseUrl: settings.databaseUrl, pgSchema: settings.pgSchema });
  try {
    return await writeBackup(file, {
      ...common,
      source: handle.kind,
      snapshot: (emit) => dumpDatabase(handle.db as unknown as SnapshotDb, { schema: handle.schema }, emit, progress),
    });
  } finally {
    await handle.close();
  }
}

/** Through a running console's backup socket; null when none answers. */
async function writeBackupVia(
  file: string,
  common: Omit<Parameters<typeof writeBackup>[1], "source" | "snapshot">,
  dataDir: string,
  progress: Progress,
): Promise<BackupSummary | null> {
  let answered = false;
  try {
    return await writeBackup(file, {
      ...common,
      source: "pglite",
      snapshot: async (emit) => {
        const done = await fetchSnapshot(dataDir, async (line) => {
          if (!answered) progress("The console is running: it takes the snapshot (its backup socket).");
          answered = true;
          await emit(line);
        });
        if (!done) throw new NoProcess();
        for (const [table, count] of Object.entries(done.tables)) progress(`  ${table}: ${count} ${count === 1 ? "row" : "rows"}`);
        return done;
      },
    });
  } catch (error) {
    if (error instanceof NoProcess) return null;
    throw error;
  }
}
class NoProcess extends Error {}

export interface RestoreSummary {
  tables: Record<string, number>;
  rows: number;
  files: string[];
  masterKeyWritten: boolean;
  keysCheck: string;
}

function sameBytes(file: string, data: Buffer): boolean | null {
  try {
    return fs.readFileSync(file).equals(data);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, "-");

/**
 * Restores a console backup onto an empty database (PGlite data folder or PostgreSQL), refusing a database that holds
 * anything unless `force`. The archive is read through once before anything changes.
 */
export async function restoreConsole(
  file: string,
  settings: ConsoleBackupSettings,
  opts: { force: boolean; passphrase?: string },
  progress: Progress,
): Promise<RestoreSummary> {
  const maxSchemaVersion = knownMigrations(CONSOLE_MIGRATIONS);
  const header = await readArchiveHeader(file);
  let secret: BackupSecret;
  if (header.key.kind === "passphrase") {
    if (opts.passphrase === undefined) throw new BackupError("wrong_key", `${file} is protected by a passphrase: give it.`);
    secret = { kind: "passphrase", passphrase: opts.passphrase };
  } else {
    let kek: KeyEncryptionKey;
    try {
      kek = masterKeySecret(settings);
    } catch (error) {
      throw new BackupError(
        "wrong_key",
        `${file} is encrypted with a console's master key (id ${header.key.masterKeyId}), and this console has none: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    secret = { kind: "master-key", key: kek.key, id: kek.id };
  }
  progress(
    `Checking ${file} (made ${header.createdAt} on ${header.source === "pglite" ? "PGlite" : "PostgreSQL"}, database schema ${header.schemaVersion})…`,
  );
  const verified = await verifyArchive(file, secret, { service: "console", maxSchemaVersion });
  const rows = Object.values(verified.end.tables).reduce((a, b) => a + b, 0);
  progress(`The backup is intact: ${Object.keys(verified.end.tables).length} tables, ${rows} rows, ${verified.files.length} files.`);

  // Files beside the database: decided before the database changes, written after it has.
  const writes: Array<{ path: string; data: Buffer; mode: number; replaces: boolean }> = [];
  for (const f of verified.files) {
    if (f.name !== TRUST_ANCHORS) continue;
    const same = sameBytes(settings.trustAnchorsPath, f.data);
    if (same === false && !opts.force) {
      throw new BackupError(
        "not_empty",
        `${settings.trustAnchorsPath} holds other trust anchors than the backup. Move it away, or pass --force to replace it (the old file is kept beside it).`,
      );
    }
    if (same !== true) writes.push({ path: settings.trustAnchorsPath, data: f.data, mode: 0o600, replaces: same === false });
  }
  let masterKeyWritten = false;
  if (verified.masterKey) {
    const key = verified.masterKey;
    const configured = settings.masterKey.masterKey?.trim() || settings.masterKey.masterKeyFile?.trim();
    if (configured) {
      let current: KeyEncryptionKey | null = null;
      try {
        current = masterKeySecret(settings);
      } catch {
        current = null;
      }
      if (!current?.key.equals(key)) {
        throw new BackupError(
          "wrong_key",
          "The backup holds a master key, and RMS_MASTER_KEY or RMS_MASTER_KEY_FILE names another (or a missing) one: the restored cluster keys would not decrypt. Unset them (the key is then restored to the data folder's master.key) or set them to the backup's key.",
        );
      }
    } else {
      const target = path.join(settings.dataDir, MASTER_KEY_FILE);
      const text = Buffer.from(`${key.toString("base64")}\n`);
      const current = (() => {
        try {
          return Buffer.from(fs.readFileSync(target, "utf8").trim(), "base64");
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
          throw error;
        }
      })();
      if (current && !current.equals(key) && !opts.force) {
        throw new BackupError(
          "not_empty",
          `${target} holds another master key than the backup. Move it away, or pass --force to replace it (the old file is kept beside it).`,
        );
      }
      if (!current?.equals(key)) {
        writes.push({ path: target, data: text, mode: 0o600, replaces: current !== null });
        masterKeyWritten = true;
      }
    }
  }

  if (!settings.databaseUrl) fs.mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const handle: DatabaseHandle = await openDatabase({
    dataDir: settings.dataDir,
    databaseUrl: settings.databaseUrl,
    pgSchema: settings.pgSchema,
  });
  let keysCheck = "";
  let tables: Record<string, number>;
  try {
    progress(`Restoring into ${databaseName(settings)}…`);
    tables = await restoreRows(
      handle,
      CONSOLE_MIGRATIONS,
      { file, secret, header: verified.header, maxSchemaVersion, tables: verified.end.tables },
      { force: opts.force, progress, describe: `The console database (${databaseName(settings)})` },
    );
    for (const w of writes) {
      fs.mkdirSync(path.dirname(w.path), { recursive: true, mode: 0o700 });
      if (w.replaces) fs.renameSync(w.path, `${w.path}.replaced-${stamp()}`);
      fs.writeFileSync(w.path, w.data, { mode: w.mode, flag: "wx" });
    }
    const check = await checkMasterKey(handle.db, settings.masterKey, { create: false });
    keysCheck = check.ok
      ? `the master key (${check.kek.id}) decrypts all ${check.items.length} encrypted keys`
      : `WARNING: ${check.message} Run npm run rms -- keys verify once the master key is in place.`;
  } finally {
    await handle.close();
  }
  return { tables, rows, files: writes.map((w) => w.path), masterKeyWritten, keysCheck };
}
