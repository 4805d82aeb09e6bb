// GET /metrics: Prometheus text format for scrapers on this machine or holding RMS_METRICS_TOKEN (lib/platform/metrics/access.ts).
import { getRemoteAddress } from "@/lib/console/auth/current";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { scrapeConsoleMetrics } from "@/lib/console/metrics/scrape";
import { metricsAccess } from "@/lib/platform/metrics/access";

const PLAIN_TEXT = "text/plain; charset=utf-8";

export async function GET(request: Request): Promise<Response> {
  const access = metricsAccess(await getRemoteAddress(), request.headers.get("authorization"), env().RMS_METRICS_TOKEN);
  if (access === "token_required") {
    return new Response("Metrics need the bearer token configured in RMS_METRICS_TOKEN.\n", {
      status: 401,
      headers: { "content-type": PLAIN_TEXT, "www-authenticate": 'Bearer realm="rms-metrics"' },
    });
  }
  if (access === "loopback_only") {
    return new Response("Metrics are served to this machine only; set RMS_METRICS_TOKEN to scrape from elsewhere.\n", {
      status: 403,
      headers: { "content-type": PLAIN_TEXT },
    });
  }
  const { contentType, body } = await scrapeConsoleMetrics(await getDb());
  return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
}
