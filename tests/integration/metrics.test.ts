// The console's /metrics body, scraped and parsed: expiry and last renewal per cluster, renewal totals per cluster from
// the audit log (monotonic across scrapes, gone with their cluster), the enrollment histogram and the process defaults.
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { recordAudit } from "@/lib/console/audit/audit";
import { createConsoleMetrics } from "@/lib/console/metrics/registry";
import { scrapeConsoleMetrics } from "@/lib/console/metrics/scrape";
import { certificates, clusters } from "@/lib/platform/db/schema";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition format, the lines a scraper reads: `name{label="value",…} number`. */
function parse(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split("\n")) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type?.[1] && type[2]) types.set(type[1], type[2]);
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match?.[1] || !match[3]) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1] ?? ""] = pair[2] ?? "";
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return { samples, types };
}

const VALID_UNTIL = new Date("2031-03-01T12:00:00Z");
const INSTALLED = new Date("2030-03-01T12:00:00Z");

describeOnEachDatabase("console metrics", () => {
  let clusterId: string;
  dbTest.beforeEach(async ({ db: handle }) => {
    const [cluster] = await handle.db
      .insert(clusters)
      .values({
        guid: "{AB12CD34-0000-4000-8000-000000000001}",
        name: "c",
        serverName: "RMS01",
        clusterUrl: "https://c/_wmcs",
        configDatabase: "d",
      })
      .returning();
    if (!cluster) throw new Error("no cluster");
    clusterId = cluster.id;
    await handle.db.insert(certificates).values({
      clusterId: cluster.id,
      document: "<XrML/>",
      fingerprint: "f".repeat(64),
      serialNumber: "01",
      issuerName: "CA",
      issuerSubject: "CN=CA",
      subjectName: "c",
      issuedAt: INSTALLED,
      validFrom: INSTALLED,
      validUntil: VALID_UNTIL,
      obtainedBy: "offline",
      installedBy: "RMS\\alice",
      installedAt: INSTALLED,
      active: true,
    });
    for (const action of ["renew_online_succeeded", "renew_online_failed", "renew_online_failed", "import_confirmed"] as const) {
      await recordAudit(handle.db, { actor: "RMS\\alice", remoteAddress: null, action, outcome: "success", clusterId: cluster.id });
    }
  });

  dbTest("exposes expiry, last renewal and renewal totals per the issue's names, and counts only upwards", async ({ db: handle }) => {
    const metrics = createConsoleMetrics();
    const first = await scrapeConsoleMetrics(handle.db, metrics);
    expect(first.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parse(first.body);
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    const cluster = { cluster_guid: "{AB12CD34-0000-4000-8000-000000000001}", server_name: "RMS01" };
    expect(value("rms_slc_expiration_timestamp_seconds", cluster)).toBe(VALID_UNTIL.getTime() / 1000);
    expect(value("rms_slc_last_renewal_timestamp_seconds", cluster)).toBe(INSTALLED.getTime() / 1000);
    expect(types.get("rms_slc_renewals_total")).toBe("counter");
    expect(types.get("rms_enrollment_request_duration_seconds")).toBe("histogram");
    expect(types.has("process_cpu_seconds_total")).toBe(true);
    const renewals = (method: string, outcome: string) => value("rms_slc_renewals_total", { ...cluster, method, outcome });
    expect([
      renewals("online", "success"),
      renewals("online", "failure"),
      renewals("offline", "success"),
      renewals("offline", "failure"),
    ]).toEqual([1, 2, 1, 0]);

    await recordAudit(handle.db, {
      actor: "RMS\\alice",
      remoteAddress: null,
      action: "renew_online_succeeded",
      outcome: "success",
      clusterId,
    });
    const again = parse((await scrapeConsoleMetrics(handle.db, metrics)).body).samples;
    const total = (method: string, outcome: string) =>
      again.find((s) => s.name === "rms_slc_renewals_total" && s.labels.method === method && s.labels.outcome === outcome)?.value;
    expect([total("online", "success"), total("online", "failure"), total("offline", "success")]).toEqual([2, 2, 1]);

    // A cluster removed from the console takes its series with it (its audit rows stay, without the cluster).
    await handle.db.delete(clusters).where(eq(clusters.id, clusterId));
    const gone = parse((await scrapeConsoleMetrics(handle.db, metrics)).body).samples;
    expect(gone.filter((s) => s.name.startsWith("rms_slc_"))).toEqual([]);
  });
});
