// The expiry monitor's schedule in a console process: a check at start and then every RMS_MONITOR_INTERVAL. A failed
// check (database briefly unreachable) is logged and retried at the next round; it never stops the console.
import type { Database } from "@/lib/platform/db/client";
import { jsonLogLine, type LineWriter, toStdout } from "@/lib/platform/log";
import type { Clock } from "@/lib/platform/time/clock";
import { checkExpiries, type ExpiryEvent } from "./expiry-events";

export interface MonitorOptions {
  db: () => Promise<Database>;
  clock: Clock;
  intervalMs: number;
  /** What else to do with each event once it is recorded (notifications). */
  onEvents?: (events: ExpiryEvent[]) => Promise<void>;
  /** Then, in the same round: automatic renewals that are due (lib/console/renewal/auto-renewal.ts). */
  afterCheck?: (now: Date) => Promise<void>;
  log?: LineWriter;
}

/** Runs one round; resolves when it is done (the scheduler and tests share it). */
export async function monitorRound(opts: MonitorOptions): Promise<void> {
  const log = opts.log ?? toStdout;
  const failed = (what: string, error: unknown) =>
    log(
      jsonLogLine({
        time: opts.clock.now(),
        level: "error",
        source: "rms-monitor",
        message: `${what} failed; retrying in ${Math.round(opts.intervalMs / 1000)} s: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
  try {
    const check = await checkExpiries(await opts.db(), { now: opts.clock.now(), log });
    if (check.events.length > 0) await opts.onEvents?.(check.events);
  } catch (error) {
    failed("Expiry check", error);
  }
  try {
    await opts.afterCheck?.(opts.clock.now());
  } catch (error) {
    failed("Automatic renewal", error);
  }
}

/** Starts the schedule; returns a function that stops it. Rounds never overlap. */
export function startExpiryMonitor(opts: MonitorOptions): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const loop = async () => {
    await monitorRound(opts);
    if (!stopped) {
      timer = setTimeout(loop, opts.intervalMs);
      timer.unref();
    }
  };
  void loop();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
