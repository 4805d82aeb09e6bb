// A byte-modified SLC must not be installed and then silently break renewal: the genuine SLC, carried offline
// through every change a transfer can make, is either refused with a named reason (nothing installed) or installed as
// the file the service issued, after which the next online renewal (the path automatic renewal takes too) is issued
// at once by a service whose policy holds every unknown request for approval. A real enrollment service, real database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionFirstRun } from "@/lib/console/provisioning/first-run";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { exchange } from "@/lib/console/renewal/enrollment-client";
import { confirmImport, exportRenewalRequest, validateImport } from "@/lib/console/renewal/offline";
import { renewOnline } from "@/lib/console/renewal/online";
import { documentFingerprint } from "@/lib/core/certificates/keys";
import { type EnrollmentService, startEnrollmentService } from "@/lib/enrollment/server";
import { certificates, clusters } from "@/lib/platform/db/schema";
import { createTestDatabase } from "../support/databases";
import { seedEnrollmentStore, testRenewalContext } from "../support/enrollment";

const actor = { name: "RMS01\\alice", remoteAddress: "127.0.0.1" };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-slc-transfer-"));
let service: EnrollmentService;
let root: string;
let handle: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: RenewalContext;
let clusterId: string;

/** Sends the cluster's exported request to the service; a held one is approved by the operator first. */
async function signOffline(): Promise<{ slc: Buffer; held: boolean }> {
  const exported = await exportRenewalRequest(ctx, { clusterId, actor });
  if (!exported.ok) throw new Error(`export failed: ${exported.code}`);
  const send = () =>
    exchange(
      `${service.url}/api/enroll`,
      { method: "POST", body: exported.pending.document },
      { connectTimeoutMs: 1000, totalTimeoutMs: 5000, ca: [root] },
    );
  let response = await send();
  if (!response.ok) throw new Error(`enrollment refused: ${JSON.stringify(response)}`);
  const held = response.status === 202;
  if (held) {
    const { submissionId } = JSON.parse(response.body.toString("utf8")) as { submissionId: string };
    expect(await service.desk.approve(submissionId, "operator", "cli")).toMatchObject({ ok: true });
    response = await send();
    if (!response.ok) throw new Error(`collecting the approved SLC failed: ${JSON.stringify(response)}`);
  }
  expect(response.status).toBe(200);
  return { slc: response.body, held };
}

async function activeCertificate() {
  const [row] = await handle.db
    .select()
    .from(certificates)
    .where(and(eq(certificates.clusterId, clusterId), eq(certificates.active, true)));
  return row ?? null;
}

beforeAll(async () => {
  seedEnrollmentStore(path.join(tmp, "enrollment"));
  service = await startEnrollmentService({
    host: "127.0.0.1",
    policy: "approval",
    port: 0,
    dataDir: path.join(tmp, "enrollment"),
    validityDays: 365,
    issuerName: "Test Enrollment Service",
  });
  root = fs.readFileSync(path.join(tmp, "enrollment", "ca", "root.pem"), "utf8");
  handle = await createTestDatabase("pglite");
  ctx = testRenewalContext(handle.db, { consoleDir: path.join(tmp, "console"), trustAnchors: [root], enrollmentUrl: service.url });
  // The first run's online enrollment is held (a new cluster); the cluster and its key exist.
  await provisionFirstRun(ctx, { serverName: "RMS01" });
  const [cluster] = await handle.db.select().from(clusters);
  if (!cluster) throw new Error("no cluster");
  clusterId = cluster.id;
  const first = await signOffline();
  expect(first.held).toBe(true); // a new cluster waits for the operator
  const checked = await validateImport(ctx, { clusterId, file: first.slc, actor });
  if (!checked.ok) throw new Error(`first import failed: ${JSON.stringify(checked)}`);
  expect((await confirmImport(ctx, { clusterId, file: first.slc, expectedFingerprint: checked.slc.fingerprint, actor })).ok).toBe(true);
});

afterAll(async () => {
  await service.close();
  await handle.dispose();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const installed: Array<[string, (xml: string) => Buffer]> = [
  ["CRLF line endings", (x) => Buffer.from(x.replace(/\n/g, "\r\n"))],
  ["a UTF-8 byte-order mark", (x) => Buffer.from(`\uFEFF${x}`)],
  ["BOM, CRLF and a final newline", (x) => Buffer.from(`\uFEFF${x.replace(/\n/g, "\r\n")}\r\n`)],
];

const refused: Array<[string, (xml: string) => Buffer, string]> = [
  [
    "a character reference and unsigned KeyInfo content",
    (x) =>
      Buffer.from(x.replace('version="1.2"', 'version="1&#x2E;2"').replace("</ds:X509Data>", "</ds:X509Data><ds:KeyName>x</ds:KeyName>")),
    // The signature profile check refuses content nothing signs before any cryptography.
    "unsigned_content",
  ],
  ["a character reference", (x) => Buffer.from(x.replace('version="1.2"', 'version="1&#x2E;2"')), "character_reference"],
  ["XML 1.1", (x) => Buffer.from(x.replace('<?xml version="1.0"', '<?xml version="1.1"')), "xml_version"],
  [
    "reordered attributes",
    (x) => Buffer.from(x.replace('<BODY type="LICENSE" version="3.0">', '<BODY version="3.0" type="LICENSE">')),
    "reformatted",
  ],
  ["a re-indented signature", (x) => Buffer.from(x.replace("<ds:KeyInfo>", "\n  <ds:KeyInfo>")), "unsigned_content"],
  ["a re-indented body", (x) => Buffer.from(x.replace("<VALIDITYTIME>", "\n  <VALIDITYTIME>")), "digest_mismatch"],
];

describe("an SLC carried offline", () => {
  for (const [name, change] of installed) {
    it(`with ${name} is installed as issued, and the next online renewal is issued without approval`, async () => {
      const { slc, held } = await signOffline();
      expect(held).toBe(false);
      const file = change(slc.toString("utf8"));
      const checked = await validateImport(ctx, { clusterId, file, actor });
      if (!checked.ok) throw new Error(`refused: ${JSON.stringify(checked)}`);
      expect((await confirmImport(ctx, { clusterId, file, expectedFingerprint: checked.slc.fingerprint, actor })).ok).toBe(true);
      const active = await activeCertificate();
      expect(active?.document).toBe(slc.toString("utf8"));
      expect(active?.fingerprint).toBe(documentFingerprint(slc.toString("utf8")));

      const renewed = await renewOnline(ctx, { clusterId, actor });
      if (!renewed.ok) throw new Error(`the next online renewal was not issued: ${JSON.stringify(renewed)}`);
      expect((await activeCertificate())?.obtainedBy).toBe("online");
    });
  }

  for (const [name, change, reason] of refused) {
    it(`with ${name} is refused (${reason}) and nothing is installed`, async () => {
      const before = await activeCertificate();
      const { slc } = await signOffline();
      const file = change(slc.toString("utf8"));
      const checked = await validateImport(ctx, { clusterId, file, actor });
      expect(checked).toMatchObject({ ok: false, code: "invalid_file", rejectReason: reason });
      const confirmed = await confirmImport(ctx, {
        clusterId,
        file,
        expectedFingerprint: documentFingerprint(slc.toString("utf8")),
        actor,
      });
      expect(confirmed.ok).toBe(false);
      expect((await activeCertificate())?.id).toBe(before?.id);
      // The genuine file still imports, and renewal goes on without approval.
      const genuine = await validateImport(ctx, { clusterId, file: slc, actor });
      if (!genuine.ok) throw new Error(`the genuine file was refused: ${JSON.stringify(genuine)}`);
      expect((await confirmImport(ctx, { clusterId, file: slc, expectedFingerprint: genuine.slc.fingerprint, actor })).ok).toBe(true);
      expect((await renewOnline(ctx, { clusterId, actor })).ok).toBe(true);
    });
  }

  it("renews without approval even when an older console stored a byte-changed copy (recognised by serial, GUID and key)", async () => {
    const active = await activeCertificate();
    if (!active) throw new Error("nothing installed");
    const changed = active.document.replace(/\n/g, "\r\n");
    // What a console before this fix stored after importing a CRLF copy: other bytes, another fingerprint.
    await handle.db
      .update(certificates)
      .set({ document: changed, fingerprint: documentFingerprint(changed) })
      .where(eq(certificates.id, active.id));
    const renewed = await renewOnline(ctx, { clusterId, actor });
    if (!renewed.ok) throw new Error(`held or refused: ${JSON.stringify(renewed)}`);
  });
});
