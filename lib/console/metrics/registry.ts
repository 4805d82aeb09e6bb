// The console's Prometheus metrics (prom-client): one registry per process, kept on globalThis so every bundle of the
// server shares it. Certificate figures are read from the database at scrape time (lib/console/metrics/scrape.ts); what only
// this process sees (enrollment round trips) is observed where it happens.
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { collectProcessMetrics } from "../../platform/metrics/process-metrics";

/** One series of a counter brought up to the audit log's totals, and the total it has been brought up to. */
export interface CountedSeries {
  metric: "renewals" | "importRefusals";
  labels: Record<string, string>;
  total: number;
}

export interface ConsoleMetrics {
  registry: Registry;
  slcExpiration: Gauge<"cluster_guid" | "server_name">;
  lastRenewal: Gauge<"cluster_guid" | "server_name">;
  revocationStatus: Gauge<"cluster_guid" | "server_name" | "status">;
  renewals: Counter<"cluster_guid" | "server_name" | "method" | "outcome">;
  importRefusals: Counter<"cluster_guid" | "server_name" | "reason">;
  /** The audit totals each series of the two counters has been brought up to (by metric name and labels). */
  counted: Map<string, CountedSeries>;
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
  collectProcessMetrics(registry);
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
    revocationStatus: new Gauge({
      name: "rms_slc_revocation_status",
      help: "The installed certificate's revocation status per cluster, from the last verified revocation list: 1 for the status it has (good, revoked, unknown), 0 for the others.",
      labelNames: ["cluster_guid", "server_name", "status"],
      registers: [registry],
    }),
    // Both counted from the append-only audit log (brought up to its totals at each scrape), so every console reports
    // the renewals of all consoles, a restart starts again from the log rather than from zero, and every series of a
    // cluster exists (at 0) from the first scrape after the cluster is added.
    counted: new Map(),
    renewals: new Counter({
      name: "rms_slc_renewals_total",
      help: "Renewals of each cluster's certificate by method (online, offline) and outcome (success, failure), from the audit log; a wrong file chosen in Import is not a failure (rms_slc_import_refusals_total).",
      labelNames: ["cluster_guid", "server_name", "method", "outcome"],
      registers: [registry],
    }),
    importRefusals: new Counter({
      name: "rms_slc_import_refusals_total",
      help: "Files refused by an offline Import, by the check the file failed (or changed, no_pending), from the audit log.",
      labelNames: ["cluster_guid", "server_name", "reason"],
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
