// First run: the web site "Default Web Site" with a demo cluster whose SLC, issued by the enrollment service, expires soon.
import { randomUUID } from "node:crypto";
import { count } from "drizzle-orm";
import { recordAudit } from "@/lib/audit/audit";
import type { KeyEncryptionKey } from "@/lib/certificates/key-encryption";
import { buildRenewalRequest } from "@/lib/certificates/renewal-request";
import { verifySlc } from "@/lib/certificates/verify-slc";
import { createClusterKey } from "@/lib/renewal/cluster-keys";
import { installCertificate } from "@/lib/renewal/install";
import { renewalRequestFields } from "@/lib/renewal/request-fields";
import type { Database } from "./client";
import { clusters, webSites } from "./schema";

export interface FirstRunOptions {
  serverName: string;
  kek: KeyEncryptionKey;
  trustAnchorsPem: string[];
  /** Sends the signed enrollment request to the enrollment service and returns its SLC document. */
  enroll: (requestXml: string) => Promise<string>;
  now?: () => Date;
}

/** Creates the demo web site and cluster once; returns false when the database already has web sites. */
export async function seedFirstRun(db: Database, opts: FirstRunOptions): Promise<boolean> {
  const now = opts.now ?? (() => new Date());
  const [existing] = await db.select({ n: count() }).from(webSites);
  if ((existing?.n ?? 0) > 0) return false;

  const host = opts.serverName.toLowerCase();
  const guid = `{${randomUUID().toUpperCase()}}`;
  // The key is made and stored first, so a failed enrollment leaves a cluster that can enroll later.
  const cluster = await db.transaction(async (tx) => {
    const [created] = await tx
      .insert(clusters)
      .values({
        guid,
        name: `${opts.serverName} RMS cluster`,
        serverName: opts.serverName,
        clusterUrl: `http://${host}/_wmcs`,
        configDatabase: `DRMS_Config_${host}_80 on ${opts.serverName}`,
      })
      .returning();
    if (!created) throw new Error("Creating the demo cluster returned no row");
    await tx.insert(webSites).values({ name: "Default Web Site", state: "started", clusterId: created.id });
    const key = await createClusterKey(tx, created.id, opts.kek);
    return { ...created, key };
  });

  const fields = renewalRequestFields(cluster, cluster.key.publicKeyPem, { now: now(), installedSlcFingerprint: null });
  const requestXml = buildRenewalRequest(fields, cluster.key.privateKeyPem);
  const slcXml = await opts.enroll(requestXml);
  const verification = verifySlc(slcXml, {
    trustAnchorsPem: opts.trustAnchorsPem,
    expect: {
      publicKeyBase64: fields.publicKeyBase64,
      clusterGuid: guid,
      clusterUrl: cluster.clusterUrl,
      pendingRequestId: fields.requestId,
      installedValidUntil: null,
      now: now(),
    },
  });
  if (!verification.ok) {
    throw new Error(`The enrollment service's certificate failed the ${verification.failed} check: ${verification.detail}`);
  }
  await db.transaction(async (tx) => {
    await installCertificate(tx, {
      clusterId: cluster.id,
      document: slcXml,
      slc: verification.slc,
      obtainedBy: "enroll",
      installedBy: "setup",
      now: now(),
    });
    await recordAudit(tx, {
      actor: "setup",
      remoteAddress: null,
      action: "enroll_succeeded",
      outcome: "success",
      clusterId: cluster.id,
      details: { fingerprint: verification.slc.fingerprint, validUntil: verification.slc.validUntil.toISOString() },
    });
  });
  return true;
}
