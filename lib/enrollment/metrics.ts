// The enrollment service's Prometheus metrics (prom-client): every submission counted by channel and outcome, its
// handling time (verification, issuing in the worker pool, storing) as a histogram, and the process defaults. One
// registry per service instance, read at GET /metrics by loopback or RMS_METRICS_TOKEN (routes/metrics.ts). Every
// channel × outcome series exists at 0 from start, so `increase()` sees the first refusal after a start.
import { Counter, Histogram, Registry } from "prom-client";
import { collectProcessMetrics } from "@/lib/platform/metrics/process-metrics";
import type { Desk, SubmitOutcome } from "./desk";

const CHANNELS = ["api", "web"] as const satisfies ReadonlyArray<Parameters<Desk["submit"]>[0]["channel"]>;
const OUTCOMES = ["issued", "replayed", "pending_approval", "rejected", "refused", "busy"] as const;
type OutcomeLabel = (typeof OUTCOMES)[number];

export interface EnrollmentMetrics {
  registry: Registry;
  submissions: Counter<"channel" | "outcome">;
  duration: Histogram<"channel" | "outcome">;
}

export function createEnrollmentMetrics(): EnrollmentMetrics {
  const registry = new Registry();
  collectProcessMetrics(registry);
  const submissions = new Counter({
    name: "rms_enrollment_submissions_total",
    help: "Renewal requests received, by channel (api, web) and outcome (issued, replayed, pending_approval, rejected, refused, busy).",
    labelNames: ["channel", "outcome"],
    registers: [registry],
  });
  for (const channel of CHANNELS) for (const outcome of OUTCOMES) submissions.inc({ channel, outcome }, 0);
  return {
    registry,
    submissions,
    duration: new Histogram({
      name: "rms_enrollment_submission_duration_seconds",
      help: "Time from a request's body to its answer (verification, issuing, storing), by channel and outcome.",
      labelNames: ["channel", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
  };
}

function outcomeLabel(outcome: SubmitOutcome): OutcomeLabel {
  if ((outcome.kind === "issued" || outcome.kind === "pending_approval") && outcome.replayed) return "replayed";
  return outcome.kind;
}

/** The desk with every submission counted and timed. */
export function instrumentDesk(desk: Desk, metrics: EnrollmentMetrics): Desk {
  return {
    ...desk,
    submit: async (input) => {
      const stop = metrics.duration.startTimer({ channel: input.channel });
      const outcome = await desk.submit(input);
      const labels = { channel: input.channel, outcome: outcomeLabel(outcome) };
      stop({ outcome: labels.outcome });
      metrics.submissions.inc(labels);
      return outcome;
    },
  };
}
