// Runs once when a console server process starts, before it serves requests: the SLC expiry monitor, which notifies
// the configured webhook and e-mail recipients of each event.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { env } = await import("@/lib/env");
  const { getDb } = await import("@/lib/db");
  const { systemClock } = await import("@/lib/time/clock");
  const { startExpiryMonitor } = await import("@/lib/monitor/expiry-monitor");
  const { expiryNotification, notificationChannelsFrom, sendNotification } = await import("@/lib/notifications/notifier");
  const started = globalThis as typeof globalThis & { rmsMonitorStarted?: boolean };
  if (started.rmsMonitorStarted) return;
  started.rmsMonitorStarted = true;
  const channels = notificationChannelsFrom(env());
  startExpiryMonitor({
    db: getDb,
    clock: systemClock,
    intervalMs: env().RMS_MONITOR_INTERVAL,
    onEvents: async (events) => {
      await Promise.all(events.map((event) => sendNotification(channels, expiryNotification(event))));
    },
  });
}
