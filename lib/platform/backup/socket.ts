// PGlite allows one process: a running console or enrollment service on the embedded database serves the snapshot
// itself, on an owner-only Unix socket in its data folder (<data>/backup.sock, the folder 0700, the socket 0600), the
// way the enrollment service's commands reach it through admin.sock. The backup command encrypts what it receives;
// the snapshot never leaves the machine's user and is never written in clear.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { z } from "zod";
import { backupRecordSchema } from "./archive";
import { dumpDatabase, type SnapshotDb, type SnapshotTarget } from "./snapshot";

export type SnapshotLine =
  | { t: "snapshot"; schemaVersion: number }
  | Extract<z.infer<typeof backupRecordSchema>, { t: "table" | "rows" }>
  | { t: "snapshot-end"; tables: Record<string, number> }
  | { t: "error"; message: string };

const snapshotLineSchema = z.union([
  z.object({ t: z.literal("snapshot"), schemaVersion: z.number().int().min(0) }),
  backupRecordSchema,
  z.object({ t: z.literal("snapshot-end"), tables: z.record(z.string(), z.number().int().min(0)) }),
  z.object({ t: z.literal("error"), message: z.string() }),
]);

function backupSocketPath(dataDir: string): string {
  return path.join(dataDir, "backup.sock");
}

/** Serves GET /snapshot on <dataDir>/backup.sock; returns the function that stops it. */
export async function startBackupSocket(
  dataDir: string,
  open: () => Promise<SnapshotDb>,
  target: SnapshotTarget,
): Promise<() => Promise<void>> {
  const socketPath = backupSocketPath(dataDir);
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/snapshot") {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/x-ndjson" });
    const send = (line: SnapshotLine) =>
      new Promise<void>((resolve, reject) => {
        if (res.destroyed) return reject(new Error("The backup command went away."));
        if (res.write(`${JSON.stringify(line)}\n`)) resolve();
        else res.once("drain", resolve);
      });
    open()
      .then((db) => dumpDatabase(db, target, send))
      .then(
        (done) => res.end(`${JSON.stringify({ t: "snapshot-end", tables: done.tables })}\n`),
        (error: unknown) => res.end(`${JSON.stringify({ t: "error", message: error instanceof Error ? error.message : String(error) })}\n`),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
      fs.rmSync(socketPath, { force: true });
    });
}

/**
 * Asks the process serving <dataDir>/backup.sock for a snapshot and passes each line on; null when no process listens
 * there (nothing runs on this data folder, or it crashed and left the socket file).
 */
export function fetchSnapshot(
  dataDir: string,
  emit: (line: Exclude<SnapshotLine, { t: "snapshot-end" | "error" }>) => Promise<void>,
): Promise<{ schemaVersion: number; tables: Record<string, number> } | null> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: backupSocketPath(dataDir), method: "GET", path: "/snapshot" }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`The running process answered ${res.statusCode} on ${backupSocketPath(dataDir)}.`));
      }
      let carry = "";
      let schemaVersion: number | null = null;
      let finished = false;
      const handle = async (text: string) => {
        const parsed = snapshotLineSchema.safeParse(JSON.parse(text));
        if (!parsed.success) throw new Error(`The running process sent an unexpected snapshot line: ${z.prettifyError(parsed.error)}`);
        const line = parsed.data;
        if (line.t === "error") throw new Error(`The running process could not take the snapshot: ${line.message}`);
        if (line.t === "snapshot-end") {
          if (schemaVersion === null) throw new Error("The running process sent no snapshot header.");
          finished = true;
          return resolve({ schemaVersion, tables: line.tables });
        }
        if (line.t === "snapshot") schemaVersion = line.schemaVersion;
        if (line.t === "snapshot" || line.t === "table" || line.t === "rows") await emit(line);
      };
      (async () => {
        for await (const chunk of res) {
          const lines = (carry + (chunk as Buffer).toString("utf8")).split("\n");
          carry = lines.pop() ?? "";
          for (const text of lines) await handle(text);
        }
        if (!finished) throw new Error("The running process ended the snapshot early.");
      })().catch(reject);
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") resolve(null);
      else reject(error);
    });
    req.end();
  });
}
