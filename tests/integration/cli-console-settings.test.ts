// The rms CLI (spawned, as `npm run rms` runs it) renews with the console's own settings: with HOST and
// RMS_ENROLLMENT_PORT as `npm start` is given them (no RMS_ENROLLMENT_URL), it reaches the bundled service where that
// service listens — on HOST, not on a loopback default — and verifies it with the console's trust anchors; the audit names
// the invoking OS user as sudo reports it (SUDO_USER before USER).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { keyForNewSecrets } from "@/lib/console/provisioning/master-key";
import type { EnrollmentService } from "@/lib/enrollment/server";
import { migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { seedBlankPglite } from "../support/databases";
import { startTestEnrollment } from "../support/enrollment";
import { type ProgramRun, runProgram } from "../support/processes";

/** Not 127.0.0.1: a console listening on a named address, whose bundled service listens there too. */
const HOST = "127.0.0.2";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-cli-settings-"));
const dataDir = path.join(tmp, "console");
let enrollment: EnrollmentService;
let enrollmentPort: string;

function rms(args: string[], settings: Record<string, string>): Promise<ProgramRun> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: "production", NODE_NO_WARNINGS: "1", ...settings };
  return runProgram("rms", args, env);
}

beforeAll(async () => {
  const started = await startTestEnrollment(path.join(tmp, "enrollment"), { host: HOST });
  enrollment = started.service;
  enrollmentPort = new URL(enrollment.url).port;
  // The console's data folder as its first start leaves it: the service's root as trust anchor, master.key, the demo.
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(path.join(dataDir, "trust-anchors.pem"), started.root);
  seedBlankPglite(path.join(dataDir, "pglite"));
  const handle = await openDatabase({ dataDir });
  try {
    await migrateDatabase(handle);
    const kek = await keyForNewSecrets(handle.db, { dataDir });
    const provisioned = await provisionFirstRun(
      {
        db: handle.db,
        kek: () => kek,
        trustAnchors: () => [started.root],
        enrollmentUrl: enrollment.url,
        http: { connectTimeoutMs: 1_000, totalTimeoutMs: 10_000 },
        now: () => new Date(),
        leaseMs: 30_000,
      },
      { serverName: "RMS01", validityDays: DEMO_SLC_VALIDITY_DAYS },
    );
    if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
  } finally {
    await handle.close();
  }
}, 120_000);

afterAll(async () => {
  await enrollment?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("rms renew --online with the console's settings", () => {
  it("reaches the bundled service on HOST:RMS_ENROLLMENT_PORT, and audits the user who ran sudo", async () => {
    expect(enrollment.url).toBe(`https://${HOST}:${enrollmentPort}`);
    const run = await rms(["renew", "Default Web Site", "--online"], {
      RMS_DATA_DIR: dataDir,
      HOST,
      PORT: "3530",
      RMS_ENROLLMENT_PORT: enrollmentPort,
      SUDO_USER: "alice",
      USER: "root",
    });
    expect(run.stderr).not.toContain("Error");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Renewing RMS01 RMS cluster online at https://${HOST}:${enrollmentPort}…`);
    expect(run.stdout).toMatch(/^Renewed\. New server licensor certificate: serial /m);

    const exported = await rms(["export-request", "Default Web Site", "--out", path.join(tmp, "request.xml")], {
      RMS_DATA_DIR: dataDir,
      HOST,
      RMS_ENROLLMENT_PORT: enrollmentPort,
      USER: "bob",
    });
    expect(exported.code).toBe(0);

    const handle = await openDatabase({ dataDir });
    try {
      const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 20 });
      const byAction = new Map(events.map((event) => [event.action, event.actor]));
      expect(byAction.get("renew_online_succeeded")).toBe("cli:alice");
      expect(byAction.get("request_exported")).toBe("cli:bob");
    } finally {
      await handle.close();
    }
  }, 180_000);
});
