// Both processes' /metrics as a Prometheus user adopts them: the real text linted by the real `promtool check metrics`
// (Debian's prometheus package), every counter the shipped alert rules use present at 0 before anything happened, and
// an offline Import of the wrong file counted as a refusal, never as a renewal failure.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConsoleMetrics } from "@/lib/console/metrics/registry";
import { scrapeConsoleMetrics } from "@/lib/console/metrics/scrape";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { confirmImport, exportRenewalRequest, validateImport } from "@/lib/console/renewal/offline";
import { generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { buildRenewalRequest } from "@/lib/core/certificates/renewal-request";
import type { EnrollmentService } from "@/lib/enrollment/server";
import { clusters } from "@/lib/platform/db/schema";
import { fetchTrusting, requestFieldsFor, type TrustingFetch } from "@/tests/support/enrollment-requests";
import { dbTest, describeOnEachDatabase } from "../support/db-test";
import { startTestEnrollment, testRenewalContext } from "../support/enrollment";
import { promtoolCheckMetrics, sample, samplesOf } from "../support/promtool";

const RULES_FILE = path.join(process.cwd(), "monitoring", "rms-alerts.yml");
const actor = { name: "RMS\\alice", remoteAddress: "127.0.0.1" };

/** Every rms_…_total counter the shipped alert rules read. */
function countersInRules(): string[] {
  return [...new Set(fs.readFileSync(RULES_FILE, "utf8").match(/\brms_[a-z_]+_total\b/g) ?? [])];
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-prometheus-test-"));
let enrollment: EnrollmentService;
let enrollmentRoot: string;
let tfetch: TrustingFetch;

async function scrapeEnrollment(): Promise<string> {
  const response = await tfetch(`${enrollment.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

beforeAll(async () => {
  // A service that has seen nothing yet: the first scrape is what Prometheus gets right after a start.
  const started = await startTestEnrollment(path.join(tmp, "enrollment"));
  enrollment = started.service;
  enrollmentRoot = started.root;
  tfetch = fetchTrusting(enrollmentRoot);
});

afterAll(async () => {
  await enrollment.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the enrollment service's /metrics", () => {
  it("has every counter of the alert rules at 0 from start, passes promtool, and counts the first refusal", async () => {
    const fresh = await scrapeEnrollment();
    const lint = promtoolCheckMetrics(fresh);
    expect(lint.output).toBe("");
    expect(lint.status).toBe(0);

    const rulesCounters = countersInRules().filter((name) => name.startsWith("rms_enrollment_"));
    expect(rulesCounters).toContain("rms_enrollment_submissions_total");
    for (const name of rulesCounters) {
      expect(fresh).toMatch(new RegExp(`^# TYPE ${name} counter$`, "m"));
      const series = samplesOf(fresh, name);
      // channel (api, web) × outcome (issued, replayed, pending_approval, rejected, refused, busy)
      expect(series).toHaveLength(12);
      expect(series.every((s) => s.value === 0)).toBe(true);
    }

    const keys = await generateClusterKeyPair();
    const tampered = buildRenewalRequest(requestFieldsFor(keys), keys.privateKeyPem).replace("<ServerName>RMS01<", "<ServerName>RMS99<");
    const refused = await tfetch(`${enrollment.url}/api/enroll`, {
      method: "POST",
      headers: { "content-type": "application/xml" },
      body: tampered,
    });
    expect(refused.status).toBe(422);
    const after = await scrapeEnrollment();
    expect(sample(after, "rms_enrollment_submissions_total", { channel: "api", outcome: "refused" })).toBe(1);
    expect(promtoolCheckMetrics(after).status).toBe(0);
  });
});

describeOnEachDatabase("the console's /metrics", ({ kind, sharedDatabase }) => {
  let ctx: RenewalContext;
  let cluster: { guid: string; serverName: string; id: string };

  beforeAll(async () => {
    const handle = await sharedDatabase();
    ctx = testRenewalContext(handle.db, {
      consoleDir: path.join(tmp, `console-${kind}`),
      trustAnchors: [enrollmentRoot],
      enrollmentUrl: enrollment.url,
    });
    const provisioned = await provisionFirstRun(ctx, { serverName: "RMS01", validityDays: DEMO_SLC_VALIDITY_DAYS });
    if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
    const [row] = await handle.db.select().from(clusters);
    if (!row) throw new Error("the seed made no cluster");
    cluster = row;
  });

  dbTest("passes promtool with every counter of the alert rules at 0 from start", async ({ sharedDb: handle }) => {
    const { body } = await scrapeConsoleMetrics(handle.db, createConsoleMetrics());
    const lint = promtoolCheckMetrics(body);
    expect(lint.output).toBe("");
    expect(lint.status).toBe(0);

    const rulesCounters = countersInRules().filter((name) => name.startsWith("rms_slc_"));
    expect(rulesCounters).toContain("rms_slc_renewals_total");
    const labels = { cluster_guid: cluster.guid, server_name: cluster.serverName };
    for (const name of rulesCounters) {
      expect(body).toMatch(new RegExp(`^# TYPE ${name} counter$`, "m"));
      expect(samplesOf(body, name).length).toBeGreaterThan(0);
      expect(samplesOf(body, name).every((s) => s.value === 0 && s.labels.startsWith(`{cluster_guid="${cluster.guid}"`))).toBe(true);
    }
    for (const method of ["online", "offline"]) {
      for (const outcome of ["success", "failure"]) {
        expect(sample(body, "rms_slc_renewals_total", { ...labels, method, outcome })).toBe(0);
      }
    }
    for (const reason of ["input", "signature", "trusted_chain", "public_key", "guid", "request", "changed", "no_pending"]) {
      expect(sample(body, "rms_slc_import_refusals_total", { ...labels, reason })).toBe(0);
    }
  });

  dbTest("counts a wrong file chosen in Import as an import refusal, not as a failed renewal", async ({ sharedDb: handle }) => {
    const metrics = createConsoleMetrics();
    await scrapeConsoleMetrics(handle.db, metrics);
    const exported = await exportRenewalRequest(ctx, { clusterId: cluster.id, actor });
    if (!exported.ok) throw new Error(`export failed: ${exported.code}`);
    // The wrong file: the request itself instead of the certificate the service answered with.
    const wrongFile = new TextEncoder().encode(exported.pending.document);
    const validated = await validateImport(ctx, { clusterId: cluster.id, file: wrongFile, actor });
    expect(validated.ok ? "ok" : validated.code).toBe("invalid_file");
    const confirmed = await confirmImport(ctx, { clusterId: cluster.id, file: wrongFile, expectedFingerprint: "x", actor });
    expect(confirmed.ok ? "ok" : confirmed.code).toBe("invalid_file");
    // A real failure of the console's own: its trust anchors cannot be read.
    const broken: RenewalContext = {
      ...ctx,
      trustAnchors: () => {
        throw new Error("RMS_TRUST_ANCHORS: no such file");
      },
    };
    const noAnchors = await validateImport(broken, { clusterId: cluster.id, file: wrongFile, actor });
    expect(noAnchors.ok ? "ok" : noAnchors.code).toBe("no_trust_anchors");

    const { body } = await scrapeConsoleMetrics(handle.db, metrics);
    const labels = { cluster_guid: cluster.guid, server_name: cluster.serverName };
    const refusals = samplesOf(body, "rms_slc_import_refusals_total");
    expect(refusals.reduce((sum, s) => sum + s.value, 0)).toBe(2);
    expect(refusals.filter((s) => s.value > 0)).toHaveLength(1);
    expect(sample(body, "rms_slc_renewals_total", { ...labels, method: "offline", outcome: "failure" })).toBe(1);
    expect(sample(body, "rms_slc_renewals_total", { ...labels, method: "online", outcome: "failure" })).toBe(0);
    expect(promtoolCheckMetrics(body).status).toBe(0);
  });
});
