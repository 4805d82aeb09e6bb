// A console on the embedded database (PGlite, one process) serves `npm run rms -- backup` its snapshot on
// <RMS_DATA_DIR>/backup.sock; on PostgreSQL the command reads the database itself.
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import type { SnapshotDb } from "../../platform/backup/snapshot";
import { startBackupSocket } from "../../platform/backup/socket";

export async function startConsoleBackupSocket(): Promise<void> {
  const config = env();
  if (config.DATABASE_URL) return;
  const stop = await startBackupSocket(config.dataDir, async () => (await getDb()) as unknown as SnapshotDb, { schema: "public" });
  process.once("exit", () => void stop());
}
