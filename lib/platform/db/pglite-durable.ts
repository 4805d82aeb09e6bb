// Makes PGlite's commits durable: its Node filesystem ignores fsync, so a committed change could be lost on power loss.
import fs from "node:fs";
import path from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { PGlite } from "@electric-sql/pglite";
import { NodeFS } from "@electric-sql/pglite/nodefs";
import { sharedBuffersFromEnv } from "./pglite-memory";

/*
 * PGlite 0.5 starts Postgres with `-F` (fsync off). Dropping it is not enough: in its Emscripten build, fsync() goes to
 * `_fd_sync`, which calls the stream's `fsync` operation only if the filesystem has one, and NODEFS has none; fdatasync()
 * (`___syscall_fdatasync`) does nothing at all. So durable commits need both: Postgres told to sync (fsync=on,
 * synchronous_commit=on, wal_sync_method=fsync — never fdatasync) and NODEFS given an fsync that calls fsync(2).
 */
const DURABLE_SETTINGS = ["fsync=on", "synchronous_commit=on", "wal_sync_method=fsync", "full_page_writes=on"];

const durableStartParams: readonly string[] = [
  ...PGlite.defaultStartParams.filter((param) => param !== "-F"),
  ...DURABLE_SETTINGS.flatMap((setting) => ["-c", setting]),
];

/** The parts of Emscripten's NODEFS this relies on (not in PGlite's types). */
interface NodefsStream {
  nfd?: number;
  node: unknown;
}
interface Nodefs {
  stream_ops: { fsync?: (stream: NodefsStream) => number };
  realPath(node: unknown): string;
  tryFSOperation<T>(operation: () => T): T;
}

type EmscriptenOptions = Awaited<ReturnType<NodeFS["init"]>>["emscriptenOpts"];
type Module = Parameters<NonNullable<EmscriptenOptions["preRun"]>[number]>[0];

function fsyncPath(target: string): void {
  const fd = fs.openSync(target, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/*
 * Two reaches into PGlite's internals, each checked when a database opens (a changed shape fails the start with this
 * message rather than silently losing durability or the event-loop yield): Emscripten's NODEFS (`FS.filesystems.NODEFS`
 * with `stream_ops`, `realPath`, `tryFSOperation`, reached through NodeFS.init's `preRun`), and the instance's
 * `execProtocolStream`, which every statement must go through. package.json pins PGlite to the exact version checked.
 */
export class PgliteShapeError extends Error {
  constructor(what: string) {
    super(
      `PGlite's internals are not what lib/platform/db/pglite-durable.ts relies on: ${what}. ` +
        "Was @electric-sql/pglite upgraded? Keep it at the version package.json pins, or adapt pglite-durable.ts to the new one.",
    );
    this.name = "PgliteShapeError";
  }
}

/** Gives NODEFS an fsync: files through their open host descriptor, folders (for created or renamed entries) by path. */
export function addFsync(mod: { FS?: { filesystems?: Record<string, unknown> } }): void {
  const nodefs = mod.FS?.filesystems?.NODEFS as Nodefs | undefined;
  if (typeof nodefs?.stream_ops !== "object" || typeof nodefs.realPath !== "function" || typeof nodefs.tryFSOperation !== "function") {
    throw new PgliteShapeError("Emscripten's FS.filesystems.NODEFS has no stream_ops, realPath or tryFSOperation");
  }
  if (nodefs.stream_ops.fsync) return; // a later PGlite that syncs by itself
  nodefs.stream_ops.fsync = (stream) =>
    nodefs.tryFSOperation(() => {
      if (stream.nfd !== undefined) fs.fsyncSync(stream.nfd);
      else fsyncPath(nodefs.realPath(stream.node));
      return 0;
    });
}

/** PGlite's Node filesystem whose fsync reaches the disk. */
class DurableNodeFS extends NodeFS {
  /** Set once the preRun hook gave NODEFS its fsync: checked after start. */
  hooked = false;
  override async init(pg: PGlite, opts: Parameters<NodeFS["init"]>[1]) {
    const { emscriptenOpts } = await super.init(pg, opts);
    const hook = (mod: Module) => {
      addFsync(mod);
      this.hooked = true;
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), hook] } };
  }
}

/** Syncs every file and folder under `dir`. */
function syncTree(dir: string): void {
  const walk = (current: string) => {
    const stat = fs.lstatSync(current);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(current)) walk(path.join(current, entry));
      fsyncPath(current);
    } else if (stat.isFile()) {
      fsyncPath(current);
    }
  };
  walk(dir);
}

/*
 * Postgres syncs only what it writes itself. The files PGlite unpacks when it creates a database, and whatever an earlier
 * run without fsync wrote, may still sit in the page cache: the whole folder is synced at open (≈ 2,000 fsyncs, about a
 * second) unless the last run was a durable one that closed cleanly. That run leaves a mark naming pg_control's identity
 * and modification time; any later start (ours, a crash, an older version, a copy) rewrites or replaces pg_control.
 */
const CLEAN_CLOSE_MARK = "rms-durable-close";

function controlStamp(dir: string): string | null {
  try {
    const stat = fs.statSync(path.join(dir, "global", "pg_control"), { bigint: true });
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}`;
  } catch {
    return null;
  }
}

function closedDurably(dir: string): boolean {
  const stamp = controlStamp(dir);
  try {
    return stamp !== null && fs.readFileSync(path.join(dir, CLEAN_CLOSE_MARK), "utf8") === stamp;
  } catch {
    return false;
  }
}

function markCleanClose(dir: string): void {
  const stamp = controlStamp(dir);
  if (stamp === null) return;
  const mark = path.join(dir, CLEAN_CLOSE_MARK);
  fs.writeFileSync(mark, stamp, { mode: 0o600 });
  fsyncPath(mark);
  fsyncPath(dir);
}

interface DurablePglite {
  client: PGlite;
  close(): Promise<void>;
}

/*
 * PGlite runs each statement synchronously in WebAssembly (its fsync included) and resolves it as a microtask, so a
 * chain of awaited statements (a renewal's reads, its transaction, the audit) never gives the event loop a turn: every
 * other request and timer of the console waits for the whole chain. Each statement therefore starts on a new turn of
 * the event loop (setImmediate); the longest stall becomes one statement, not one operation. Every query, exec and
 * transaction statement of PGlite goes through execProtocolStream.
 */
export async function yieldBeforeEachStatement(client: Pick<PGlite, "execProtocolStream" | "query">): Promise<void> {
  if (typeof client.execProtocolStream !== "function") {
    throw new PgliteShapeError("the instance has no execProtocolStream method");
  }
  const run = client.execProtocolStream.bind(client);
  let calls = 0;
  client.execProtocolStream = async (...args: Parameters<PGlite["execProtocolStream"]>) => {
    calls += 1;
    await nextTurn();
    return run(...args);
  };
  // A statement that does not pass through the replacement would run without the yield: prove one does.
  await client.query("SELECT 1");
  if (calls === 0) throw new PgliteShapeError("a query did not go through the instance's execProtocolStream");
}

/**
 * Opens (creating if needed) a PGlite database in `dir` whose acknowledged commits survive power loss. Its page cache
 * (shared_buffers) is RMS_PGLITE_SHARED_BUFFERS, 16 MB by default (lib/platform/db/pglite-memory.ts).
 */
export async function openDurablePglite(dir: string): Promise<DurablePglite> {
  const synced = closedDurably(dir);
  const durableFs = new DurableNodeFS(dir);
  const startParams = [...durableStartParams, "-c", `shared_buffers=${sharedBuffersFromEnv()}`];
  const client = await PGlite.create({ fs: durableFs, startParams });
  try {
    if (!durableFs.hooked) throw new PgliteShapeError("NodeFS.init's preRun hook never ran, so NODEFS got no fsync");
    await yieldBeforeEachStatement(client);
    if (!synced) {
      syncTree(dir);
      fsyncPath(path.dirname(dir));
    }
  } catch (error) {
    await client.close();
    throw error;
  }
  return {
    client,
    close: async () => {
      await client.close();
      markCleanClose(dir);
    },
  };
}
