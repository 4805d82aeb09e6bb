// GET /metrics: Prometheus text format, for a scraper on this machine or one presenting RMS_METRICS_TOKEN.
import { metricsAccess } from "@/lib/platform/metrics/access";
import type { AppContext, ServiceDeps } from "../web/context";

export function metrics(deps: ServiceDeps) {
  return async (c: AppContext) => {
    const access = metricsAccess(c.var.client, c.req.header("authorization") ?? null, deps.config.metricsToken ?? undefined);
    if (access === "token_required") {
      c.header("WWW-Authenticate", 'Bearer realm="rms-enrollment-metrics"');
      return c.text("Metrics need the bearer token configured in RMS_METRICS_TOKEN.\n", 401);
    }
    if (access === "loopback_only")
      return c.text("Metrics are served to this machine only; set RMS_METRICS_TOKEN to scrape from elsewhere.\n", 403);
    c.header("Cache-Control", "no-store");
    c.header("Content-Type", deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics(), 200);
  };
}
