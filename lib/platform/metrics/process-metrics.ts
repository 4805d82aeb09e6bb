// prom-client's default process metrics, as `promtool check metrics` accepts them. Its gauges nodejs_active_handles_total,
// nodejs_active_requests_total and nodejs_active_resources_total carry a counter's suffix (promtool: "non-counter
// metrics should not have "_total" suffix"), and prom-client 15 has no option to leave them out. They are removed;
// nothing is lost: each is the sum over `type` of the gauge beside it (nodejs_active_handles, nodejs_active_requests,
// nodejs_active_resources), e.g. `sum without (type) (nodejs_active_handles)`.
import { collectDefaultMetrics, type Registry } from "prom-client";

const MISNAMED_DEFAULT_GAUGES = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

/** Registers the process metrics (CPU, memory, file descriptors, event loop, heap, GC, handles by type) on registry. */
export function collectProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(name);
}
