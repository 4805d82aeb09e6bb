// A cluster just provisioned on a web site has a key and no SLC: Enroll gets its first one, online in one step, or
// offline with `<servername>EnrollRequest.xml` signed on the enrollment service's web site, imported and confirmed —
// the same functions renewal uses, against a real enrollment service (policy open) and a real database.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionWebSite } from "@/lib/console/provisioning/web-sites";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { confirmImport, exportRenewalRequest, validateImport } from "@/lib/console/renewal/offline";
import { renewOnline } from "@/lib/console/renewal/online";
import { getPendingRequest } from "@/lib/console/renewal/queries";
import type { EnrollmentService } from "@/lib/enrollment/server";
import { certificates, webSites } from "@/lib/platform/db/schema";
import { createTestDatabase } from "../support/databases";
import { startTestEnrollment, testRenewalContext } from "../support/enrollment";
import { request } from "../support/https-client";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-enroll-test-"));
const actor = { name: "RMS\\alice", remoteAddress: "127.0.0.1" };
let enrollment: EnrollmentService;
let root: string;
let handle: Awaited<ReturnType<typeof createTestDatabase>>;
let ctx: RenewalContext;

beforeAll(async () => {
  ({ service: enrollment, root } = await startTestEnrollment(path.join(tmp, "enrollment")));
  handle = await createTestDatabase("pglite");
  ctx = testRenewalContext(handle.db, { consoleDir: path.join(tmp, "console"), trustAnchors: [root], enrollmentUrl: enrollment.url });
}, 60_000);

afterAll(async () => {
  await handle.dispose();
  await enrollment.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function provision(site: string, serverName: string): Promise<string> {
  const [row] = await handle.db.insert(webSites).values({ name: site }).returning();
  if (!row) throw new Error("no web site");
  const provisioned = await provisionWebSite(handle.db, {
    webSiteId: row.id,
    fields: {
      clusterName: `${site} cluster`,
      clusterUrl: `https://${serverName.toLowerCase()}.contoso.com/_wmcs`,
      configDatabase: `DRMS_${serverName}`,
    },
    serverName,
    kek: ctx.kek(),
    actor,
  });
  if (!provisioned.ok) throw new Error(`provisioning failed: ${JSON.stringify(provisioned)}`);
  return provisioned.clusterId;
}

const installed = (clusterId: string) =>
  handle.db
    .select()
    .from(certificates)
    .where(and(eq(certificates.clusterId, clusterId), eq(certificates.active, true)));

describe("Enroll on a newly provisioned cluster", () => {
  it("online: the first SLC is issued and installed, with no previous expiry", async () => {
    const clusterId = await provision("Extranet", "RMS02");
    expect(await installed(clusterId)).toEqual([]);
    const result = await renewOnline(ctx, { clusterId, actor });
    expect(result).toMatchObject({ ok: true, previousValidUntil: null });
    expect(await installed(clusterId)).toMatchObject([{ obtainedBy: "online", installedBy: actor.name }]);
  });

  it("offline: RMS03EnrollRequest.xml, signed on the service's web site, imported and confirmed", async () => {
    const clusterId = await provision("Partners", "RMS03");
    const exported = await exportRenewalRequest(ctx, { clusterId, actor });
    if (!exported.ok) throw new Error(`export failed: ${exported.code}`);
    expect(exported.pending.fileName).toBe("RMS03EnrollRequest.xml");
    expect((await getPendingRequest(handle.db, clusterId))?.fileName).toBe("RMS03EnrollRequest.xml");

    const form = new FormData();
    form.append("request", new Blob([exported.pending.document], { type: "text/xml" }), exported.pending.fileName);
    const encoded = new Response(form);
    const posted = await request(`${enrollment.url}/submissions`, {
      method: "POST",
      ca: root,
      headers: { "content-type": encoded.headers.get("content-type") ?? "", origin: enrollment.url },
      body: Buffer.from(await encoded.arrayBuffer()),
    });
    expect(posted.status).toBe(303);
    const certificate = await request(`${enrollment.url}${String(posted.headers.location)}/certificate`, { ca: root });
    expect(certificate.status).toBe(200);
    const file = new Uint8Array(Buffer.from(certificate.body));

    const checked = await validateImport(ctx, { clusterId, file, actor });
    if (!checked.ok) throw new Error(`import refused: ${checked.code}`);
    expect(checked.answers).toMatchObject({ requestId: exported.pending.requestId, installed: null });
    const confirmed = await confirmImport(ctx, { clusterId, file, expectedFingerprint: checked.slc.fingerprint, actor });
    expect(confirmed).toMatchObject({ ok: true, previousValidUntil: null });
    expect(await installed(clusterId)).toMatchObject([{ obtainedBy: "offline", fingerprint: checked.slc.fingerprint }]);
    expect(await getPendingRequest(handle.db, clusterId)).toBeNull();
  });
});
