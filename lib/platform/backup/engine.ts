// What the console's and the enrollment service's backup and restore share: writing an archive from a snapshot and
// the files beside the database, and loading an archive's rows into an empty (or, with --force, emptied) database.
import fs from "node:fs";
import { type DrizzleHandle, migrateDrizzle } from "@/lib/platform/db/client";
import { BackupError, type BackupHeader, type BackupRecord, type BackupSecret, createArchive, readArchive } from "./archive";
import {
  appliedMigrations,
  emptyTables,
  hasRows,
  insertRows,
  migrationsUpTo,
  type Progress,
  resetSequences,
  type SnapshotDb,
} from "./snapshot";

/** A snapshot producer: the database itself (dumpDatabase) or the running process holding it (fetchSnapshot). */
export type SnapshotSource = (
  emit: (record: Extract<BackupRecord, { t: "table" | "rows" }> | { t: "snapshot"; schemaVersion: number }) => Promise<void>,
) => Promise<{ schemaVersion: number; tables: Record<string, number> }>;

export interface BackupSummary {
  schemaVersion: number;
  tables: Record<string, number>;
  rows: number;
  files: number;
  bytes: number;
}

/**
 * Writes `file`: the files (read at the start, before the snapshot), the master key when given, then the snapshot's
 * tables, then a closing record with every count. A failure leaves no file under the name.
 */
export async function writeBackup(
  file: string,
  opts: {
    service: BackupHeader["service"];
    source: BackupHeader["source"];
    secret: BackupSecret;
    snapshot: SnapshotSource;
    files: Array<{ name: string; path: string }>;
    masterKey?: Buffer;
    progress: Progress;
  },
): Promise<BackupSummary> {
  const files = opts.files.flatMap(({ name, path }) => {
    try {
      const stat = fs.statSync(path);
      return [{ name, mode: stat.mode & 0o777, data: fs.readFileSync(path) }];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  });
  let archive: Awaited<ReturnType<typeof createArchive>> | null = null;
  let rows = 0;
  try {
    const done = await opts.snapshot(async (record) => {
      if (record.t === "snapshot") {
        if (record.schemaVersion === 0) {
          throw new Error(
            "There is no database to back up there (no migrations were ever applied): check the settings the command was given.",
          );
        }
        archive = await createArchive(file, {
          service: opts.service,
          schemaVersion: record.schemaVersion,
          source: opts.source,
          includesMasterKey: opts.masterKey !== undefined,
          secret: opts.secret,
        });
        for (const f of files) await archive.write({ t: "file", name: f.name, mode: f.mode, data: f.data.toString("base64") });
        if (opts.masterKey) await archive.write({ t: "master-key", key: opts.masterKey.toString("base64") });
        opts.progress(`Snapshot taken (database schema ${record.schemaVersion}); writing ${file}…`);
        return;
      }
      if (!archive) throw new Error("The snapshot began without its header.");
      if (record.t === "rows") rows += record.rows.length;
      await archive.write(record);
    });
    const writer = archive as Awaited<ReturnType<typeof createArchive>> | null;
    if (!writer) throw new Error("The snapshot produced nothing.");
    await writer.write({ t: "end", tables: done.tables, files: files.length });
    await writer.finish();
    return { schemaVersion: done.schemaVersion, tables: done.tables, rows, files: files.length, bytes: fs.statSync(file).size };
  } catch (error) {
    await (archive as Awaited<ReturnType<typeof createArchive>> | null)?.abort();
    throw error;
  }
}

/**
 * Loads an archive's rows into the database behind `handle`, which must hold no rows (or `force`: they are removed in
 * the same transaction) and no newer schema than the backup's. The database is first brought to the backup's schema,
 * the rows go in in one transaction, then the later migrations run as in any upgrade. Verify the archive first.
 */
export async function restoreRows<T extends Record<string, unknown>>(
  handle: DrizzleHandle<T>,
  migrationsFolder: string,
  archive: { file: string; secret: BackupSecret; header: BackupHeader; maxSchemaVersion: number; tables: Record<string, number> },
  opts: { force: boolean; progress: Progress; describe: string },
): Promise<Record<string, number>> {
  const db = handle.db as unknown as SnapshotDb;
  const target = { schema: handle.schema };
  const applied = await appliedMigrations(db, target);
  if (applied > archive.header.schemaVersion) {
    throw new BackupError(
      "not_empty",
      `${opts.describe} already has a newer database schema (${applied} migrations) than the backup (${archive.header.schemaVersion}). ` +
        "Restore onto a new, empty database, or with the version that made the backup.",
    );
  }
  if (!opts.force && (await hasRows(db, target))) {
    throw new BackupError(
      "not_empty",
      `${opts.describe} is not empty: restoring would replace what it holds. Restore onto an empty one, or pass --force to replace its contents (stop every process using it first).`,
    );
  }
  const partial = migrationsUpTo(migrationsFolder, archive.header.schemaVersion);
  try {
    await migrateDrizzle(handle, partial);
  } finally {
    fs.rmSync(partial, { recursive: true, force: true });
  }
  // Every table of the backup, also those it holds no rows of.
  const counts: Record<string, number> = Object.fromEntries(Object.keys(archive.tables).map((table) => [table, 0]));
  await db.transaction(async (tx) => {
    if (opts.force) await emptyTables(tx, target);
    for await (const record of readArchive(archive.file, archive.secret, {
      service: archive.header.service,
      maxSchemaVersion: archive.maxSchemaVersion,
    })) {
      if (record.t !== "rows") continue;
      await insertRows(tx, target, record.table, record.rows);
      const before = counts[record.table] ?? 0;
      const after = before + record.rows.length;
      counts[record.table] = after;
      if (Math.floor(before / 5_000) !== Math.floor(after / 5_000)) opts.progress(`  ${record.table}: ${after} rows so far…`);
    }
    await resetSequences(tx, target);
  });
  await migrateDrizzle(handle, migrationsFolder);
  return counts;
}
