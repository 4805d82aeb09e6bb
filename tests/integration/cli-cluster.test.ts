// The rms CLI's cluster commands against a real enrollment service (in-process, HTTPS verified with its root) and a
// real database: list and status with monitoring exit codes; the offline round trip export-request → the service's
// web site (upload form, certificate download) → import (refused without --yes and no terminal, installed with it);
// online renewal; every change audited under the CLI's actor.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import {
  type ClusterCommandIo,
  clusterStatus,
  exportRequestCommand,
  findCluster,
  formatClusterList,
  importCommand,
  listClusters,
  renewOnlineCommand,
} from "@/lib/console/cli/cluster-commands";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { CHECK_NAMES } from "@/lib/core/certificates/verify-slc";
import type { EnrollmentService } from "@/lib/enrollment/server";
import { clusters } from "@/lib/platform/db/schema";
import { createTestDatabase } from "../support/databases";
import { startTestEnrollment, testRenewalContext } from "../support/enrollment";
import { request } from "../support/https-client";

const DAY = 24 * 60 * 60 * 1000;
const actor = { name: "cli:operator", remoteAddress: null };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-cli-cluster-"));
let enrollment: EnrollmentService;
let root: string;
let handle: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: RenewalContext;

function recordingIo(answer: boolean | null = null) {
  const out: string[] = [];
  const err: string[] = [];
  const io: ClusterCommandIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    readFile: async (file) => new Uint8Array(fs.readFileSync(file)),
    writeFile: async (file, data) => fs.writeFileSync(file, data),
    confirm: async () => answer,
  };
  return { io, out, err };
}

/** What an operator does on the enrollment service's web site: upload the request file, download the certificate. */
async function signOnWebSite(requestFile: string): Promise<string> {
  const form = new FormData();
  form.append("request", new Blob([fs.readFileSync(requestFile)], { type: "text/xml" }), path.basename(requestFile));
  const encoded = new Response(form);
  const posted = await request(`${enrollment.url}/submissions`, {
    method: "POST",
    ca: root,
    headers: { "content-type": encoded.headers.get("content-type") ?? "", origin: enrollment.url },
    body: Buffer.from(await encoded.arrayBuffer()),
  });
  expect(posted.status).toBe(303);
  const submission = String(posted.headers.location);
  const certificate = await request(`${enrollment.url}${submission}/certificate`, { ca: root });
  expect(certificate.status).toBe(200);
  const file = path.join(tmp, "signed.xml");
  fs.writeFileSync(file, certificate.body);
  return file;
}

beforeAll(async () => {
  ({ service: enrollment, root } = await startTestEnrollment(path.join(tmp, "enrollment")));
  handle = await createTestDatabase("pglite");
  ctx = testRenewalContext(handle.db, { consoleDir: path.join(tmp, "console"), trustAnchors: [root], enrollmentUrl: enrollment.url });
  const provisioned = await provisionFirstRun(ctx, { serverName: "RMS01", validityDays: DEMO_SLC_VALIDITY_DAYS });
  if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
}, 60_000);

afterAll(async () => {
  await handle.dispose();
  await enrollment.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("rms cluster commands", () => {
  it("lists clusters and reports status with monitoring exit codes (0 valid, 1 warning, 2 expired, 3 unknown)", async () => {
    const rows = await listClusters(handle.db);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    if (!row?.validUntil) throw new Error("no installed SLC");
    const now = new Date();
    // CLUSTER is the cluster's own name; the web site it runs on has its own column.
    expect(formatClusterList(rows, now, false)).toMatch(
      /^CLUSTER +WEB SITE +SERVER +GUID +SLC EXPIRES +STATUS\nRMS01 RMS cluster +Default Web Site +RMS01 +\{.*WARNING: expires in 20 days$/,
    );
    expect(JSON.parse(formatClusterList(rows, now, true))).toMatchObject([
      { cluster: "RMS01 RMS cluster", webSite: "Default Web Site", serverName: "RMS01", status: "warning", daysLeft: 20 },
    ]);

    const expires = row.validUntil;
    const at = (days: number) => new Date(expires.getTime() - days * DAY);
    expect(clusterStatus(row, row.guid, at(60), false)).toMatchObject({ code: 0, text: expect.stringMatching(/^valid \(60 days left\)/) });
    expect(clusterStatus(row, row.guid, at(29), false)).toMatchObject({ code: 1, text: expect.stringContaining("Renew it") });
    expect(clusterStatus(row, row.guid, at(0), false).code).toBe(2);
    expect(JSON.parse(clusterStatus(row, row.guid, at(0), true).text)).toMatchObject({ status: "expired", daysLeft: 0 });
    expect(clusterStatus(null, "nope", now, false)).toMatchObject({ code: 3, text: expect.stringMatching(/^UNKNOWN/) });

    // By GUID (any case, braces optional), cluster name or web site name.
    const bare = row.guid.replace(/[{}]/g, "").toLowerCase();
    expect((await findCluster(handle.db, bare))?.id).toBe(row.id);
    expect((await findCluster(handle.db, row.name))?.id).toBe(row.id);
    expect(await findCluster(handle.db, "no such cluster")).toBeNull();
  });

  it("runs the offline round trip through the service's web site; import asks first and refuses without a terminal", async () => {
    const [row] = await listClusters(handle.db);
    if (!row?.validUntil) throw new Error("no installed SLC");
    const before = row.validUntil;
    const requestFile = path.join(tmp, "request.xml");
    const exported = recordingIo();
    expect(await exportRequestCommand(ctx, row.guid, requestFile, actor, exported.io)).toBe(0);
    expect(exported.out.join("\n")).toMatch(/Wrote .*request\.xml: request ID [0-9a-f-]{36}, SHA-256 (?:[0-9A-F]{2}:){31}[0-9A-F]{2}\./);
    const signed = await signOnWebSite(requestFile);

    const noTerminal = recordingIo(null);
    expect(await importCommand(ctx, { reference: row.guid, file: signed, yes: false, actor }, noTerminal.io)).toBe(1);
    expect(noTerminal.out.filter((line) => line.startsWith("  ok  "))).toHaveLength(CHECK_NAMES.length);
    expect(noTerminal.err.join("\n")).toContain("pass --yes");
    const declined = recordingIo(false);
    expect(await importCommand(ctx, { reference: row.guid, file: signed, yes: false, actor }, declined.io)).toBe(1);
    expect(declined.out.at(-1)).toBe("Not installed; the request is still pending.");
    expect((await findCluster(handle.db, row.guid))?.validUntil).toEqual(before);

    const yes = recordingIo();
    expect(await importCommand(ctx, { reference: row.guid, file: signed, yes: true, actor }, yes.io)).toBe(0);
    expect(yes.out.at(-1)).toMatch(/^Installed\. The server licensor certificate is valid until/);
    const after = await findCluster(handle.db, row.guid);
    expect(after?.validUntil?.getTime()).toBeGreaterThan(before.getTime());

    // The same file again: refused, with the console's words.
    const again = recordingIo();
    expect(await importCommand(ctx, { reference: row.guid, file: signed, yes: true, actor }, again.io)).toBe(1);
    expect(again.err.join("\n")).toMatch(/^Error: /);
  });

  it("renews online and audits every step under the CLI's actor; an unknown cluster changes nothing", async () => {
    const [row] = await listClusters(handle.db);
    if (!row) throw new Error("no cluster");
    const renewed = recordingIo();
    expect(await renewOnlineCommand(ctx, row.name, actor, renewed.io)).toBe(0);
    expect(renewed.out.at(-1)).toMatch(
      /^Renewed\. New server licensor certificate: serial \S+, SHA-256 (?:[0-9A-F]{2}:){31}[0-9A-F]{2}, valid until/,
    );
    const unknown = recordingIo();
    expect(await renewOnlineCommand(ctx, "no such cluster", actor, unknown.io)).toBe(1);
    expect(unknown.err.join("\n")).toContain("no single cluster matches");

    const audit = (await listAuditEvents(handle.db, { page: 1, pageSize: 100, clusterId: row.id })).events;
    const byCli = audit.filter((event) => event.actor === actor.name).map((event) => event.action);
    expect(byCli).toEqual(
      expect.arrayContaining([
        "request_exported",
        "import_validated",
        "import_declined",
        "import_confirmed",
        "renew_online_started",
        "renew_online_succeeded",
      ]),
    );
  });

  it("neither lists nor finds a cluster whose RMS was removed from its web site", async () => {
    await handle.db.insert(clusters).values({
      guid: "{0B8E5C1A-2222-4333-8444-555566667777}",
      name: "Retired cluster",
      serverName: "RMS00",
      clusterUrl: "https://retired.contoso.com/_wmcs",
      configDatabase: "DRMS_Config_retired",
      removedAt: new Date(),
      removedBy: "RMS\\alice",
    });
    expect((await listClusters(handle.db)).map((row) => row.name)).not.toContain("Retired cluster");
    expect(await findCluster(handle.db, "Retired cluster")).toBeNull();
    expect(await findCluster(handle.db, "0b8e5c1a-2222-4333-8444-555566667777")).toBeNull();
  });
});
