// What a Prometheus server scrapes from the production build: the console's and the enrollment service's real
// /metrics over HTTP, linted by the real `promtool check metrics`; the alert rules' counters at 0 before anything
// happened; a wrong file chosen in the Renew dialog's Import (in Chromium) counted as an import refusal and never as a
// failed renewal; the service's first refusal counted.
import fs from "node:fs";
import path from "node:path";
import { expect as expectPage } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateClusterKeyPair } from "@/lib/core/certificates/keys";
import { buildRenewalRequest } from "@/lib/core/certificates/renewal-request";
import { clusters } from "@/lib/platform/db/schema";
import { requestFieldsFor } from "@/tests/support/enrollment-requests";
import { request } from "../support/https-client";
import { promtoolCheckMetrics, sample, samplesOf } from "../support/promtool";
import { clusterPath, createStack, type SystemStack } from "./support/stack";

let stack: SystemStack;
let labels: { cluster_guid: string; server_name: string };

async function scrapeConsole(): Promise<string> {
  const response = await fetch(`${stack.console?.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

async function scrapeEnrollment(): Promise<string> {
  const response = await request(`${stack.enrollment.url}/metrics`, { ca: fs.readFileSync(stack.enrollment.rootPath, "utf8") });
  expect(response.status).toBe(200);
  return response.text();
}

const totalOf = (text: string, name: string) => samplesOf(text, name).reduce((sum, s) => sum + s.value, 0);

beforeAll(async () => {
  stack = await createStack({ kind: "pglite", start: false });
  const cluster = await stack.withDb(async (db) => (await db.select().from(clusters)).find((c) => c.id === stack.clusterId));
  if (!cluster) throw new Error("no cluster");
  labels = { cluster_guid: cluster.guid, server_name: cluster.serverName };
  await stack.startConsole();
  await stack.signInAdmin();
});

afterAll(async () => stack?.dispose());

describe("/metrics of the production build", () => {
  it("passes promtool check metrics on both processes, with the rules' counters at 0", async () => {
    const consoleText = await scrapeConsole();
    const enrollmentText = await scrapeEnrollment();
    for (const text of [consoleText, enrollmentText]) {
      const lint = promtoolCheckMetrics(text);
      expect(lint.output).toBe("");
      expect(lint.status).toBe(0);
    }
    for (const method of ["online", "offline"]) {
      expect(sample(consoleText, "rms_slc_renewals_total", { ...labels, method, outcome: "failure" })).toBe(0);
    }
    expect(samplesOf(consoleText, "rms_slc_import_refusals_total").length).toBeGreaterThan(0);
    expect(totalOf(consoleText, "rms_slc_import_refusals_total")).toBe(0);
    for (const channel of ["api", "web"]) {
      for (const outcome of ["refused", "rejected"]) {
        expect(sample(enrollmentText, "rms_enrollment_submissions_total", { channel, outcome })).toBe(0);
      }
    }
  });

  it("counts a wrong file chosen in Import as an import refusal, not as a failed renewal", async () => {
    const page = stack.page;
    if (!page) throw new Error("no administrator page");
    await page.goto(clusterPath(stack));
    await page.getByRole("region", { name: "Cluster resources" }).getByRole("button", { name: "Renew", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Renew server licensor certificate" });
    await dialog.getByRole("radio", { name: "Offline" }).check();
    const download = page.waitForEvent("download");
    await dialog.getByRole("button", { name: "Export" }).click();
    // The wrong file: the request just exported, instead of the certificate the enrollment station signs for it.
    const requestFile = path.join(stack.dir, "request.xml");
    await (await download).saveAs(requestFile);
    await dialog.getByLabel("Browse").setInputFiles(requestFile);
    await expectPage(dialog.getByRole("alert")).toHaveCount(0);
    await dialog.getByRole("button", { name: "Import" }).click();
    await expectPage(dialog.getByRole("alert")).toBeVisible({ timeout: 30_000 });

    const text = await scrapeConsole();
    expect(totalOf(text, "rms_slc_import_refusals_total")).toBe(1);
    expect(sample(text, "rms_slc_renewals_total", { ...labels, method: "offline", outcome: "failure" })).toBe(0);
    expect(sample(text, "rms_slc_renewals_total", { ...labels, method: "online", outcome: "failure" })).toBe(0);
    expect(promtoolCheckMetrics(text).status).toBe(0);
  });

  it("counts the enrollment service's first refusal after its start", async () => {
    const keys = await generateClusterKeyPair();
    const signed = buildRenewalRequest(requestFieldsFor(keys), keys.privateKeyPem);
    const refused = await request(`${stack.enrollment.url}/api/enroll`, {
      method: "POST",
      headers: { "Content-Type": "application/xml" },
      body: signed.replace("<ServerName>RMS01<", "<ServerName>RMS99<"),
      ca: fs.readFileSync(stack.enrollment.rootPath, "utf8"),
    });
    expect(refused.status).toBe(422);
    const text = await scrapeEnrollment();
    expect(sample(text, "rms_enrollment_submissions_total", { channel: "api", outcome: "refused" })).toBe(1);
  });
});
