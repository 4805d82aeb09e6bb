// Runs once when a console server process starts, before it serves requests: the SLC expiry monitor.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { env } = await import("@/lib/env");
  const { getDb } = await import("@/lib/db");
  const { systemClock } = await import("@/lib/time/clock");
  const { startExpiryMonitor } = await import("@/lib/monitor/expiry-monitor");
  const started = globalThis as typeof globalThis & { rmsMonitorStarted?: boolean };
  if (started.rmsMonitorStarted) return;
  started.rmsMonitorStarted = true;
  startExpiryMonitor({ db: getDb, clock: systemClock, intervalMs: env().RMS_MONITOR_INTERVAL });
}
