// The /metrics scrape of the running console, through its own database handle (server-only), so the route holds no
// handle. No access check here: the route answers only scrapers that metricsAccess lets through.
import "server-only";
import { getDb } from "@/lib/console/db";
import { scrapeConsoleMetrics } from "./scrape";

/** The console's metrics in Prometheus text format, the database-backed ones read now. */
export async function readConsoleMetrics(): Promise<{ contentType: string; body: string }> {
  return scrapeConsoleMetrics(await getDb());
}
