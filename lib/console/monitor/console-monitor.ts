// The console process's monitor, wired from its validated environment: expiry checks with notifications, then the
// automatic renewals that are due; each attempt logged as a JSON line, and a failed one notified.
import "server-only";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { channelsInForce } from "@/lib/console/notifications/console-channels";
import {
  autoRenewalFailureNotification,
  expiryNotification,
  notificationChannelsFrom,
  revokedSlcNotification,
  sendNotification,
} from "@/lib/console/notifications/notifier";
import { checkHeldRequests } from "@/lib/console/renewal/approval";
import { autoRenewalRound } from "@/lib/console/renewal/auto-renewal";
import { renewalContext } from "@/lib/console/renewal/server-context";
import { checkRevocation } from "@/lib/console/revocation/check";
import { jsonLogLine, toStdout } from "@/lib/platform/log";
import { systemClock } from "@/lib/platform/time/clock";
import { startExpiryMonitor } from "./expiry-monitor";

/**
 * Starts the monitor and resolves once its first expiry check is done (and logged), before the console serves: whatever
 * the console prints at start-up comes before `npm start`'s last lines, the setup link. Deliveries and automatic
 * renewals of that first round are not waited for.
 */
export async function startConsoleMonitor(): Promise<void> {
  const config = env();
  let firstCheckDone = () => {};
  const firstCheck = new Promise<void>((resolve) => {
    firstCheckDone = resolve;
  });
  // Read at each delivery: the Settings page may have changed the channels since the last round. Stored settings that
  // cannot be read (database down, master key changed) leave the environment's channels, and say so.
  const channels = async () => {
    try {
      return await channelsInForce(await getDb());
    } catch (error) {
      toStdout(
        jsonLogLine({
          time: new Date(),
          level: "error",
          source: "rms-notifications",
          message: `The notification settings could not be read; using only the environment's channels: ${error instanceof Error ? error.message : String(error)}`,
        }),
      );
      return notificationChannelsFrom(config);
    }
  };
  startExpiryMonitor({
    db: getDb,
    clock: systemClock,
    intervalMs: config.RMS_MONITOR_INTERVAL,
    onEvents: async (events) => {
      firstCheckDone();
      const current = await channels();
      await Promise.all(events.map((event) => sendNotification(current, expiryNotification(event))));
    },
    afterCheck: async (now) => {
      firstCheckDone();
      // Requests held for the operator's approval: is the certificate ready? (Check → Yes still installs it.)
      for (const held of await checkHeldRequests(await renewalContext(), now)) {
        toStdout(
          jsonLogLine({
            time: now,
            level: held.outcome === "failed" ? "error" : "info",
            source: "rms-held-requests",
            requestId: held.requestId,
            message: held.detail,
          }),
        );
      }
      // The enrollment service's signed revocation list: a revoked installed SLC is audited, logged and notified once.
      const revocation = await checkRevocation(await renewalContext(), { now, actor: "monitor" });
      // A verified list is logged only when it names something (below); a status that cannot be known is news each round.
      if (revocation.state !== "current") {
        toStdout(
          jsonLogLine({
            time: now,
            level: "warning",
            source: "rms-revocation",
            message: `Revocation status unknown: ${revocation.detail}`,
          }),
        );
      }
      for (const event of revocation.events) {
        toStdout(
          jsonLogLine({
            time: now,
            level: "error",
            source: "rms-revocation",
            clusterGuid: event.clusterGuid,
            serverName: event.serverName,
            serialNumber: event.serialNumber,
            message: `The server licensor certificate of cluster ${event.clusterName} was revoked by the enrollment service (${event.reason}).`,
          }),
        );
        await sendNotification(await channels(), revokedSlcNotification(event));
      }
      // The renewal context reads the same system clock.
      for (const attempt of await autoRenewalRound(await renewalContext(), { now })) {
        toStdout(
          jsonLogLine({
            time: now,
            level: attempt.ok ? "info" : "error",
            source: "rms-auto-renewal",
            clusterGuid: attempt.guid,
            serverName: attempt.serverName,
            message: attempt.ok ? attempt.detail : `Automatic renewal failed (${attempt.failures} in a row): ${attempt.detail}`,
            nextAttemptAt: attempt.nextAttemptAt?.toISOString() ?? null,
          }),
        );
        if (!attempt.ok) await sendNotification(await channels(), autoRenewalFailureNotification(attempt, now));
      }
    },
  });
  await firstCheck;
}
