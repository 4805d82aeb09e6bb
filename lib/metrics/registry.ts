// The console's Prometheus metrics (prom-client): one registry per process, kept on globalThis so every bundle of the
// server shares it. Certificate figures are read from the database at scrape time (lib/metrics/scrape.ts); what only
// this process sees (enrollment round trips) is observed where it happens.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export interface ConsoleMetrics {
  registry: Registry;
  slcExpiration: Gauge<"cluster_guid" | "server_name">;
  lastRenewal: Gauge<"cluster_guid" | "server_name">;
  renewals: Counter<"method" | "outcome">;
  /** The audit totals the renewals counter has been brought up to. */
  renewalsCounted: Map<string, number>;
  enrollmentRequestDuration: Histogram<"outcome">;
}

const holder = globalThis as typeof globalThis & { rmsConsoleMetrics?: ConsoleMetrics };

/** The process's metrics (created on first use). */
export function consoleMetrics(): ConsoleMetrics {
  holder.rmsConsoleMetrics ??= createConsoleMetrics();
  return holder.rmsConsoleMetrics;
}

/** A registry of its own (tests: one per database). */
export function createConsoleMetrics(): ConsoleMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    slcExpiration: new Gauge({
      name: "rms_slc_expiration_timestamp_seconds",
      help: "When the installed server licensor certificate of each cluster expires (Unix time).",
      labelNames: ["cluster_guid", "server_name"],
      registers: [registry],
    }),
    lastRenewal: new Gauge({
      name: "rms_slc_last_renewal_timestamp_seconds",
      help: "When each cluster's installed certificate was last renewed, online or offline (Unix time).",
      labelNames: ["cluster_guid", "server_name"],
      registers: [registry],
    }),
    // Counted from the append-only audit log (brought up to its totals at each scrape), so every console reports the
    // renewals of all consoles, and a restart starts again from the log rather than from zero.
    renewalsCounted: new Map(),
    renewals: new Counter({
      name: "rms_slc_renewals_total",
      help: "Renewals by method (online, offline) and outcome (success, failure), from the audit log.",
      labelNames: ["method", "outcome"],
      registers: [registry],
    }),
    enrollmentRequestDuration: new Histogram({
      name: "rms_enrollment_request_duration_seconds",
      help: "Duration of online renewal requests to the enrollment service, by outcome, as this console saw them.",
      labelNames: ["outcome"],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
