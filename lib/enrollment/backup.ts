// The enrollment service's backup and restore (`npm run enrollment -- backup|restore`): its store (submissions,
// issued SLCs, registrations, operators: one snapshot), its CA hierarchy (ca/, whose private keys are plain PEM files:
// the archive is always protected by a passphrase) and its own TLS certificate (tls/). A running service on PGlite
// hands out the snapshot on its backup socket.
import fs from "node:fs";
import path from "node:path";
import { BackupError, type BackupSecret, readArchiveHeader, verifyArchive } from "@/lib/platform/backup/archive";
import { type BackupSummary, restoreRows, writeBackup } from "@/lib/platform/backup/engine";
import { dumpDatabase, knownMigrations, type Progress, type SnapshotDb } from "@/lib/platform/backup/snapshot";
import { fetchSnapshot, startBackupSocket } from "@/lib/platform/backup/socket";
import { type DrizzleHandle, embeddedDatabaseExists, openDrizzle } from "@/lib/platform/db/client";
import type { EnrollmentConfig } from "./config";
import { DEFAULT_ENROLLMENT_PG_SCHEMA, ENROLLMENT_MIGRATIONS, type EnrollmentDbHandle } from "./db/client";
import * as schema from "./db/schema";

type Settings = Pick<EnrollmentConfig, "dataDir" | "databaseUrl" | "databaseSchema">;
const FOLDERS = ["ca", "tls"] as const;

export function startEnrollmentBackupSocket(dataDir: string, database: EnrollmentDbHandle): Promise<() => Promise<void>> {
  return startBackupSocket(dataDir, async () => database.db as unknown as SnapshotDb, { schema: database.schema });
}

function openStore(settings: Settings): Promise<DrizzleHandle<typeof schema>> {
  return openDrizzle(schema, {
    dataDir: path.join(settings.dataDir, "db"),
    databaseUrl: settings.databaseUrl,
    pgSchema: settings.databaseSchema ?? DEFAULT_ENROLLMENT_PG_SCHEMA,
  });
}

function describeStore(settings: Settings): string {
  return settings.databaseUrl
    ? `PostgreSQL, schema ${settings.databaseSchema ?? DEFAULT_ENROLLMENT_PG_SCHEMA}`
    : `embedded, in ${path.join(settings.dataDir, "db")}`;
}

function folderFiles(dataDir: string): Array<{ name: string; path: string }> {
  return FOLDERS.flatMap((folder) => {
    const dir = path.join(dataDir, folder);
    if (!fs.existsSync(dir)) return [];
    return fs
      .readdirSync(dir)
      .filter((f) => /^[A-Za-z0-9._-]+$/.test(f) && !f.startsWith(".") && fs.statSync(path.join(dir, f)).isFile())
      .sort()
      .map((f) => ({ name: `${folder}/${f}`, path: path.join(dir, f) }));
  });
}

/** Writes an enrollment service backup, always under a passphrase. */
export async function backupEnrollment(file: string, settings: Settings, passphrase: string, progress: Progress): Promise<BackupSummary> {
  const files = folderFiles(settings.dataDir);
  if (!files.some((f) => f.name === "ca/enrollment-ca-key.pem")) {
    throw new Error(`There is no CA hierarchy in ${path.join(settings.dataDir, "ca")}: set RMS_ENROLLMENT_DATA_DIR as the service has it.`);
  }
  const common = { service: "enrollment" as const, secret: { kind: "passphrase", passphrase } as BackupSecret, files, progress };
  progress(`Backing up the enrollment service (store: ${describeStore(settings)}; CA and TLS files in ${settings.dataDir}) to ${file}.`);
  if (!settings.databaseUrl) {
    let answered = true;
    const viaService = await writeBackup(file, {
      ...common,
      source: "pglite",
      snapshot: async (emit) => {
        const done = await fetchSnapshot(settings.dataDir, emit);
        if (!done) {
          answered = false;
          throw new Error("no service");
        }
        progress("The service is running: it took the snapshot (its backup socket).");
        return done;
      },
    }).catch((error: unknown) => {
      if (!answered) return null;
      throw error;
    });
    if (viaService) return viaService;
    if (!embeddedDatabaseExists(path.join(settings.dataDir, "db"))) {
      throw new Error(`There is no enrollment store in ${path.join(settings.dataDir, "db")}.`);
    }
  }
  const handle = await openStore(settings);
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

const stamp = () => new Date().toISOString().replace(/[:.]/g, "-");

/** Restores an enrollment service backup onto an empty data folder and store (or replaces them with `force`). */
export async function restoreEnrollment(
  file: string,
  settings: Settings,
  opts: { passphrase: string; force: boolean },
  progress: Progress,
): Promise<{ tables: Record<string, number>; files: number }> {
  const maxSchemaVersion = knownMigrations(ENROLLMENT_MIGRATIONS);
  const header = await readArchiveHeader(file);
  const secret: BackupSecret = { kind: "passphrase", passphrase: opts.passphrase };
  progress(`Checking ${file} (made ${header.createdAt}, database schema ${header.schemaVersion})…`);
  const verified = await verifyArchive(file, secret, { service: "enrollment", maxSchemaVersion });
  progress(`The backup is intact: ${Object.keys(verified.end.tables).length} tables, ${verified.files.length} files.`);

  const replaced: string[] = [];
  for (const folder of FOLDERS) {
    const dir = path.join(settings.dataDir, folder);
    const incoming = verified.files.filter((f) => f.name.startsWith(`${folder}/`));
    if (!fs.existsSync(dir)) continue;
    const same =
      incoming.length > 0 &&
      incoming.every((f) => {
        try {
          return fs.readFileSync(path.join(settings.dataDir, f.name)).equals(f.data);
        } catch {
          return false;
        }
      });
    if (same) continue;
    if (!opts.force) {
      throw new BackupError(
        "not_empty",
        `${dir} already exists and differs from the backup${folder === "ca" ? " (another CA hierarchy)" : ""}. Restore into an empty data folder, or pass --force to replace it (the old folder is kept beside it).`,
      );
    }
    replaced.push(folder);
  }

  fs.mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const handle = await openStore(settings);
  let tables: Record<string, number>;
  try {
    progress(`Restoring the store (${describeStore(settings)})…`);
    tables = await restoreRows(
      handle,
      ENROLLMENT_MIGRATIONS,
      { file, secret, header: verified.header, maxSchemaVersion, tables: verified.end.tables },
      { force: opts.force, progress, describe: `The enrollment store (${describeStore(settings)})` },
    );
  } finally {
    await handle.close();
  }
  for (const folder of replaced)
    fs.renameSync(path.join(settings.dataDir, folder), path.join(settings.dataDir, `${folder}.replaced-${stamp()}`));
  for (const f of verified.files) {
    const target = path.join(settings.dataDir, f.name);
    fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    if (fs.existsSync(target) && fs.readFileSync(target).equals(f.data)) continue;
    fs.writeFileSync(target, f.data, { mode: f.mode });
    fs.chmodSync(target, f.mode);
  }
  return { tables, files: verified.files.length };
}
