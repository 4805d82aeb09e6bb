// Runs once when a console server process starts, before it serves requests: the monitor, which checks every SLC's
// expiry (events 16–18, notified to the configured webhook and e-mail) and makes the automatic renewals that are due.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  // Before any request: the context long-lived resources are created in (lib/platform/db/outside-requests.ts).
  const { captureRootContext } = await import("@/lib/platform/db/outside-requests");
  captureRootContext();
  const started = globalThis as typeof globalThis & { rmsMonitorStarted?: boolean };
  if (started.rmsMonitorStarted) return;
  started.rmsMonitorStarted = true;
  const { startConsoleMonitor } = await import("@/lib/console/monitor/console-monitor");
  await startConsoleMonitor();
  // On PGlite, `npm run rms -- backup` gets its snapshot from this process (lib/platform/backup/socket.ts).
  const { startConsoleBackupSocket } = await import("@/lib/console/backup/console-socket");
  await startConsoleBackupSocket();
}
