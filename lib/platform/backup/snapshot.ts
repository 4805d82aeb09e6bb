// A consistent logical snapshot of one schema's tables, and its restore. The dump reads every table in one REPEATABLE
// READ, READ ONLY transaction (one snapshot of the whole database: a renewal committing meanwhile is in it entirely or
// not at all), each row as PostgreSQL's own JSON (`row_to_json`), through a cursor so memory stays flat; the restore
// turns the same JSON back into rows with `json_populate_recordset`, so every value goes through its type's own input
// function. Being logical, a snapshot taken on PGlite restores on PostgreSQL and the other way round, and the dump
// runs the same on both: on PostgreSQL from any process, on PGlite inside the process that holds the data folder.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type SQL, sql } from "drizzle-orm";
import type { BackupRecord } from "./archive";

export interface SqlRunner {
  execute(query: SQL): Promise<{ rows: unknown[] }>;
}
export interface SnapshotDb extends SqlRunner {
  transaction<T>(
    work: (tx: SqlRunner) => Promise<T>,
    config?: { isolationLevel?: "repeatable read"; accessMode?: "read only" | "read write" },
  ): Promise<T>;
}

/** Where a schema's tables and its migration journal live (as lib/platform/db/client.ts's migrateDrizzle puts them). */
export interface SnapshotTarget {
  schema: string;
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const JOURNAL_TABLE = "__drizzle_migrations";
/**
 * Not data but a version of it (the console's data_versions, which its migration fills and its triggers replace): left
 * out of the dump, the emptying and the "holds data" check, so a restored database gets versions of its own.
 */
const DERIVED_TABLE = "data_versions";
const BATCH_ROWS = 500;
const PROGRESS_EVERY_ROWS = 5_000;

function ident(name: string): string {
  if (!NAME.test(name)) throw new Error(`Unexpected identifier: ${name}`);
  return `"${name}"`;
}
const journalSchema = (target: SnapshotTarget) => (target.schema === "public" ? "drizzle" : target.schema);
const qualified = (target: SnapshotTarget, table: string) => sql.raw(`${ident(target.schema)}.${ident(table)}`);

function rowsOf<T>(result: { rows: unknown[] }): T[] {
  return result.rows as T[];
}

/** How many migrations the database has applied (0 for a database never migrated). */
export async function appliedMigrations(db: SqlRunner, target: SnapshotTarget): Promise<number> {
  const journal = `${ident(journalSchema(target))}.${ident(JOURNAL_TABLE)}`;
  const [exists] = rowsOf<{ present: boolean }>(await db.execute(sql`SELECT to_regclass(${journal}) IS NOT NULL AS present`));
  if (!exists?.present) return 0;
  const [row] = rowsOf<{ count: number | string }>(await db.execute(sql.raw(`SELECT count(*) AS count FROM ${journal}`)));
  return Number(row?.count ?? 0);
}

/** The schema's tables, parents before the tables whose foreign keys point at them. */
async function tablesInOrder(db: SqlRunner, target: SnapshotTarget): Promise<string[]> {
  const tables = rowsOf<{ name: string }>(
    await db.execute(sql`
      SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ${target.schema} AND c.relkind IN ('r', 'p') AND c.relname <> ${JOURNAL_TABLE} AND c.relname <> ${DERIVED_TABLE}
      ORDER BY c.relname`),
  ).map((r) => r.name);
  const edges = rowsOf<{ child: string; parent: string }>(
    await db.execute(sql`
      SELECT c.relname AS child, p.relname AS parent FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = ${target.schema}`),
  );
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (ordered.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const edge of edges) if (edge.child === table && edge.parent !== table) visit(edge.parent);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

export type Progress = (line: string) => void;

/**
 * Streams a snapshot of every table to `emit` (table records, then batches of rows), inside one read-only
 * REPEATABLE READ transaction; returns the schema version and each table's row count.
 */
export async function dumpDatabase(
  db: SnapshotDb,
  target: SnapshotTarget,
  emit: (record: Extract<BackupRecord, { t: "table" | "rows" }> | { t: "snapshot"; schemaVersion: number }) => Promise<void>,
  progress: Progress = () => {},
): Promise<{ schemaVersion: number; tables: Record<string, number> }> {
  return db.transaction(
    async (tx) => {
      const schemaVersion = await appliedMigrations(tx, target);
      await emit({ t: "snapshot", schemaVersion });
      const tables: Record<string, number> = {};
      for (const table of await tablesInOrder(tx, target)) {
        const columns = rowsOf<{ name: string }>(
          await tx.execute(sql`
            SELECT attname AS name FROM pg_attribute WHERE attrelid = to_regclass(${`${ident(target.schema)}.${ident(table)}`})
            AND attnum > 0 AND NOT attisdropped ORDER BY attnum`),
        ).map((r) => r.name);
        await emit({ t: "table", name: table, columns });
        await tx.execute(
          sql`DECLARE rms_backup_rows NO SCROLL CURSOR FOR SELECT row_to_json(t)::text AS row FROM ${qualified(target, table)} t`,
        );
        let count = 0;
        let reported = 0;
        for (;;) {
          const batch = rowsOf<{ row: string }>(await tx.execute(sql.raw(`FETCH ${BATCH_ROWS} FROM rms_backup_rows`))).map((r) => r.row);
          if (batch.length === 0) break;
          await emit({ t: "rows", table, rows: batch });
          count += batch.length;
          if (count - reported >= PROGRESS_EVERY_ROWS) {
            progress(`  ${table}: ${count} rows so far…`);
            reported = count;
          }
        }
        await tx.execute(sql.raw("CLOSE rms_backup_rows"));
        tables[table] = count;
        progress(`  ${table}: ${count} ${count === 1 ? "row" : "rows"}`);
      }
      return { schemaVersion, tables };
    },
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );
}

/** Whether any of the schema's tables holds a row. */
export async function hasRows(db: SqlRunner, target: SnapshotTarget): Promise<boolean> {
  for (const table of await tablesInOrder(db, target)) {
    const [row] = rowsOf<{ any: boolean }>(await db.execute(sql`SELECT EXISTS (SELECT 1 FROM ${qualified(target, table)}) AS any`));
    if (row?.any) return true;
  }
  return false;
}

/** Empties every table of the schema (restore --force). TRUNCATE fires no row triggers, so the audit log's guard allows it. */
export async function emptyTables(db: SqlRunner, target: SnapshotTarget): Promise<void> {
  const tables = await tablesInOrder(db, target);
  if (tables.length === 0) return;
  await db.execute(sql.raw(`TRUNCATE ${tables.map((t) => `${ident(target.schema)}.${ident(t)}`).join(", ")} RESTART IDENTITY CASCADE`));
}

/** Inserts one batch of a table's rows as the dump wrote them. */
export async function insertRows(db: SqlRunner, target: SnapshotTarget, table: string, rows: string[]): Promise<void> {
  if (rows.length === 0) return;
  const name = qualified(target, table);
  await db.execute(
    sql`INSERT INTO ${name} OVERRIDING SYSTEM VALUE SELECT * FROM json_populate_recordset(NULL::${name}, ${`[${rows.join(",")}]`}::json)`,
  );
}

/** Moves every sequence owned by a column past the restored rows, so new rows do not collide with restored ones. */
export async function resetSequences(db: SqlRunner, target: SnapshotTarget): Promise<void> {
  const owned = rowsOf<{ table: string; column: string }>(
    await db.execute(sql`
      SELECT table_name AS table, column_name AS column FROM information_schema.columns
      WHERE table_schema = ${target.schema} AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')`),
  );
  for (const { table, column } of owned) {
    const name = `${ident(target.schema)}.${ident(table)}`;
    await db.execute(
      sql.raw(
        `SELECT setval(pg_get_serial_sequence('${name}', '${column}'), GREATEST(COALESCE(MAX(${ident(column)}), 0), 1), MAX(${ident(column)}) IS NOT NULL) FROM ${name}`,
      ),
    );
  }
}

/**
 * A copy of a migrations folder that stops after `count` migrations: a restore first brings an empty database to the
 * backup's own schema, loads the rows, then applies the later migrations as any upgrade would. Remove it after use.
 */
export function migrationsUpTo(folder: string, count: number): string {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
    entries: Array<{ tag: string }>;
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-restore-migrations-"));
  fs.mkdirSync(path.join(dir, "meta"));
  const entries = journal.entries.slice(0, count);
  for (const entry of entries) fs.copyFileSync(path.join(folder, `${entry.tag}.sql`), path.join(dir, `${entry.tag}.sql`));
  fs.writeFileSync(path.join(dir, "meta", "_journal.json"), JSON.stringify({ ...journal, entries }));
  return dir;
}

/** How many migrations a folder holds: the schema version this code writes and the newest it can restore. */
export function knownMigrations(folder: string): number {
  const journal = JSON.parse(fs.readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
  return journal.entries.length;
}
