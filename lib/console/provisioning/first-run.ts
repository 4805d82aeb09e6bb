// First run of a console, as one domain step for the start script and the tests: create "Default Web Site" with a demo
// cluster enrolled over the service's HTTPS API (the console never holds CA keys, and never downloads a trust anchor:
// the start script installs it from disk, or the operator supplies it).
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { createClusterKey } from "@/lib/console/renewal/cluster-keys";
import type { RenewalContext } from "@/lib/console/renewal/context";
import type { RenewalFailure } from "@/lib/console/renewal/failures";
import { installCertificate } from "@/lib/console/renewal/install";
import { keepHeldRequest, requestSlcOnline } from "@/lib/console/renewal/online";
import { runClusterOperation } from "@/lib/console/renewal/operation";
import { KeyEncryptionError, type KeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { clusters, webSites } from "@/lib/platform/db/schema";

/** The demo's first SLC is short-lived so that renewal is due at once (the service caps it by its own policy). */
export const DEMO_SLC_VALIDITY_DAYS = 20;

/** IIS's first web site: where the demo cluster lives. */
const DEFAULT_WEB_SITE = "Default Web Site";

const SETUP_ACTOR = { name: "setup", remoteAddress: null };

export type FirstRunResult =
  | { ok: true; provisioned: false }
  | { ok: true; provisioned: true; clusterId: string; validUntil: Date }
  | (RenewalFailure & { clusterId: string | null });

/**
 * Creates the demo web site and cluster once, then enrolls the cluster with the enrollment service at ctx.enrollmentUrl.
 * Does nothing once "Default Web Site" exists (whatever RMS on it has become since: removed, provisioned anew). A failed enrollment leaves the cluster with its key, so the
 * administrator can enroll it later (Enroll in Cluster resources); one the service holds for approval becomes the
 * cluster's pending request, to import once approved.
 */
export async function provisionFirstRun(ctx: RenewalContext, opts: { serverName: string; validityDays?: number }): Promise<FirstRunResult> {
  const { db } = ctx;
  const [existing] = await db.select({ id: webSites.id }).from(webSites).where(eq(webSites.name, DEFAULT_WEB_SITE)).limit(1);
  if (existing) return { ok: true, provisioned: false };

  let kek: KeyEncryptionKey;
  try {
    kek = ctx.kek();
  } catch (error) {
    if (error instanceof KeyEncryptionError) return { ok: false, code: "key_unavailable", detail: error.message, clusterId: null };
    throw error;
  }
  const host = opts.serverName.toLowerCase();
  const clusterId = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(clusters)
      .values({
        guid: `{${randomUUID().toUpperCase()}}`,
        name: `${opts.serverName} RMS cluster`,
        serverName: opts.serverName,
        clusterUrl: `http://${host}/_wmcs`,
        configDatabase: `DRMS_Config_${host.replace(/[^a-z0-9_]/g, "_")}_80`,
      })
      .returning({ id: clusters.id });
    if (!created) throw new Error("Creating the demo cluster returned no row");
    await tx.insert(webSites).values({ name: DEFAULT_WEB_SITE, state: "started", clusterId: created.id });
    await createClusterKey(tx, created.id, kek);
    return created.id;
  });

  const spec = { clusterId, actor: SETUP_ACTOR, exclusive: true, load: "keyed", failureAudit: null } as const;
  const enrolled = await runClusterOperation(ctx, spec, async (op) => {
    const obtained = await requestSlcOnline(ctx, op.cluster, { validityDays: opts.validityDays });
    if (!obtained.ok) return obtained;
    if (obtained.outcome === "held") return keepHeldRequest(ctx, op, obtained, SETUP_ACTOR.name);
    const { slc, document } = obtained;
    return op.commit("enroll_succeeded", async (tx) => {
      await installCertificate(tx, { clusterId, document, slc, obtainedBy: "enroll", installedBy: SETUP_ACTOR.name, now: ctx.now() });
      return {
        ok: true,
        result: { validUntil: slc.validUntil },
        audit: { fingerprint: slc.fingerprint, validUntil: slc.validUntil.toISOString() },
      };
    });
  });
  if (!enrolled.ok) return { ...enrolled, clusterId };
  return { ok: true, provisioned: true, clusterId, validUntil: enrolled.validUntil };
}
