// Opens the database: PGlite in the data folder by default, PostgreSQL when DATABASE_URL is set.
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { Client, Pool } from "pg";
import { processAlive } from "../process-alive";
import { STARTUP_LOCK_ID } from "./advisory-locks";
import { outsideRequests } from "./outside-requests";
import { openDurablePglite } from "./pglite-durable";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction handle; the same query code takes either. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];
export type Queryable = Database | Tx;

export interface DatabaseHandle {
  db: Database;
  kind: "pglite" | "postgres";
  /** PostgreSQL schema holding the tables (tests isolate themselves in their own). */
  schema: string;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  dataDir: string;
  databaseUrl?: string;
  /** PostgreSQL only: use this schema (created if missing) instead of public. */
  pgSchema?: string;
  /** Called with every statement Drizzle sends (tests count a page's or a renewal's statements with it). */
  onStatement?: (sql: string) => void;
}

export class DatabaseLockedError extends Error {}

const MIGRATIONS = path.join(process.cwd(), "lib", "platform", "db", "migrations");

/**
 * The data folder holds the database and keys: the folder and everything in it become private to this user (folders
 * 0700, files 0600), also when an older version or another umask made them readable. Links and sockets are left alone.
 */
function makePrivate(dir: string): void {
  const walk = (current: string) => {
    const stat = fs.lstatSync(current);
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== 0o700) fs.chmodSync(current, 0o700);
      for (const entry of fs.readdirSync(current)) walk(path.join(current, entry));
    } else if (stat.isFile() && (stat.mode & 0o077) !== 0) {
      fs.chmodSync(current, stat.mode & 0o700);
    }
  };
  walk(dir);
}

/** PGlite is single-process: a lock file makes a second opener fail fast instead of corrupting data. */
function lockDataFolder(dir: string): () => void {
  const lockPath = path.join(dir, "pglite.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: "wx", mode: 0o600 });
      return () => {
        try {
          if (fs.readFileSync(lockPath, "utf8") === String(process.pid)) fs.unlinkSync(lockPath);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(fs.readFileSync(lockPath, "utf8"), 10);
      if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) {
        throw new DatabaseLockedError(
          `The data folder ${dir} is in use by process ${owner}. The embedded database allows one process at a time: ` +
            "stop the running console first, or set DATABASE_URL to share a PostgreSQL database between processes.",
        );
      }
      fs.unlinkSync(lockPath); // stale lock from a process that died
    }
  }
  throw new DatabaseLockedError(`Could not lock the data folder ${dir}.`);
}

export async function openDatabase(opts: DatabaseOptions): Promise<DatabaseHandle> {
  return openDrizzle(schema, opts);
}

export { embeddedDatabaseExists } from "./embedded";

function statementLogger(opts: DatabaseOptions): { logQuery: (sql: string) => void } | undefined {
  const { onStatement } = opts;
  return onStatement ? { logQuery: (sql) => onStatement(sql) } : undefined;
}

/** A Drizzle handle over any schema module (the console's, or the enrollment service's own). */
export interface DrizzleHandle<TSchema extends Record<string, unknown>> {
  db: PgDatabase<PgQueryResultHKT, TSchema>;
  kind: "pglite" | "postgres";
  schema: string;
  close(): Promise<void>;
}

/**
 * A pg client that connects (socket, timers, their callbacks) outside whichever request made the pool grow, and lets
 * go of the pool's connect callback once it has run: pg keeps the listeners it attached while connecting (its
 * `sslconnect` listener stays on a plain connection for good), and the pool's callback holds the request that asked
 * for the connection (its pending item, its timeout).
 */
class DetachedClient extends Client {
  override connect(): Promise<Client>;
  override connect(callback: Parameters<Client["connect"]>[0]): void;
  override connect(callback?: Parameters<Client["connect"]>[0]): Promise<Client> | undefined {
    if (!callback) return outsideRequests(() => super.connect());
    let pending: ((...args: unknown[]) => void) | undefined = callback as (...args: unknown[]) => void;
    outsideRequests(() =>
      super.connect(((...args: unknown[]) => {
        const run = pending;
        pending = undefined;
        run?.(...args);
      }) as Parameters<Client["connect"]>[0]),
    );
    return undefined;
  }
}

/** Opens PostgreSQL (opts.databaseUrl, tables in opts.pgSchema) or PGlite in opts.dataDir, for the given schema module. */
export async function openDrizzle<TSchema extends Record<string, unknown>>(
  tables: TSchema,
  opts: DatabaseOptions,
): Promise<DrizzleHandle<TSchema>> {
  if (opts.databaseUrl) {
    const pgSchema = opts.pgSchema ?? "public";
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(pgSchema)) throw new Error(`Invalid PostgreSQL schema name: ${pgSchema}`);
    const pool = new Pool({
      Client: DetachedClient,
      connectionString: opts.databaseUrl,
      max: 10,
      connectionTimeoutMillis: 5_000,
      options: `-c search_path=${pgSchema}`,
    });
    if (pgSchema !== "public") await pool.query(`CREATE SCHEMA IF NOT EXISTS ${pgSchema}`);
    const db = drizzlePg(pool, { schema: tables, logger: statementLogger(opts) }) as unknown as PgDatabase<PgQueryResultHKT, TSchema>;
    return { db, kind: "postgres", schema: pgSchema, close: () => pool.end() };
  }
  fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const unlock = lockDataFolder(opts.dataDir);
  try {
    const { client, close } = await openDurablePglite(path.join(opts.dataDir, "pglite"));
    makePrivate(opts.dataDir);
    const db = drizzlePglite(client, { schema: tables, logger: statementLogger(opts) }) as unknown as PgDatabase<PgQueryResultHKT, TSchema>;
    let closed = false;
    const release = () => {
      if (!closed) unlock();
    };
    process.once("exit", release);
    return {
      db,
      kind: "pglite",
      schema: "public",
      close: async () => {
        await close();
        release();
        closed = true;
        process.off("exit", release);
      },
    };
  } catch (error) {
    unlock();
    throw error;
  }
}

/**
 * Runs `work` while holding the start-up lock: consoles starting together on one PostgreSQL migrate and seed
 * one after another. (PGlite is single-process already.)
 */
export async function withStartupLock<T>(handle: DatabaseHandle, work: () => Promise<T>): Promise<T> {
  if (handle.kind !== "postgres") return work();
  return handle.db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(${STARTUP_LOCK_ID})`);
    return work();
  });
}

export async function migrateDatabase(handle: DatabaseHandle): Promise<void> {
  await migrateDrizzle(handle, MIGRATIONS);
}

/** Applies a migrations folder; on PostgreSQL the journal lives in the handle's own schema (or `drizzle` for public). */
export async function migrateDrizzle<TSchema extends Record<string, unknown>>(
  handle: DrizzleHandle<TSchema>,
  migrationsFolder: string,
): Promise<void> {
  if (handle.kind === "postgres") {
    await migratePg(handle.db as unknown as Parameters<typeof migratePg>[0], {
      migrationsFolder,
      migrationsSchema: handle.schema === "public" ? "drizzle" : handle.schema,
    });
  } else {
    await migratePglite(handle.db as unknown as Parameters<typeof migratePglite>[0], { migrationsFolder });
  }
}
