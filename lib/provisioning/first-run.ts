// First-run provisioning, written once for `npm start` and the tests: trust the enrollment service's root, make the
// key-encryption key, and enroll the demo cluster over the service's HTTP API (the console never holds CA keys).
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { count } from "drizzle-orm";
import { recordAudit } from "@/lib/audit/audit";
import type { KeyEncryptionKey } from "@/lib/certificates/key-encryption";
import { buildRenewalRequest } from "@/lib/certificates/renewal-request";
import { parseTrustAnchors, verifySlc } from "@/lib/certificates/verify-slc";
import type { Database } from "@/lib/db/client";
import { clusterKeys, clusters, webSites } from "@/lib/db/schema";
import { consoleKeyEncryptionKey, createClusterKey } from "@/lib/renewal/cluster-keys";
import { exchange, type HttpOptions, postRenewalRequest } from "@/lib/renewal/enrollment-client";
import { installCertificate } from "@/lib/renewal/install";
import { renewalRequestFields } from "@/lib/renewal/request-fields";

/** The demo's first SLC expires soon, so renewal is due on the first visit. */
export const DEMO_SLC_VALIDITY_DAYS = 20;

export type ProvisioningFailure =
  | { ok: false; code: "root_unavailable"; detail: string }
  | { ok: false; code: "enrollment_failed"; detail: string }
  | { ok: false; code: "invalid_certificate"; detail: string };

export interface DemoClusterOptions {
  serverName: string;
  kek: KeyEncryptionKey;
  trustAnchorsPem: string[];
  enrollmentUrl: string;
  http: HttpOptions;
  /** Asked of the enrollment service, which caps it by its own policy. */
  validityDays?: number;
  now?: () => Date;
}

/**
 * Creates "Default Web Site" with a demo cluster enrolled at the enrollment service, once; `created: false` when the
 * database already has web sites. A failed enrollment leaves the cluster and its key, so it can enroll later.
 */
export async function provisionDemoCluster(
  db: Database,
  opts: DemoClusterOptions,
): Promise<{ ok: true; created: false } | { ok: true; created: true; clusterId: string; validUntil: Date } | ProvisioningFailure> {
  const now = opts.now ?? (() => new Date());
  const [existing] = await db.select({ n: count() }).from(webSites);
  if ((existing?.n ?? 0) > 0) return { ok: true, created: false };

  const host = opts.serverName.toLowerCase();
  const guid = `{${randomUUID().toUpperCase()}}`;
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
  const response = await postRenewalRequest(opts.enrollmentUrl, requestXml, opts.http, { validityDays: opts.validityDays });
  if (!response.ok) {
    const detail = response.kind === "rejected" ? `${response.reason}: ${response.message}` : response.kind;
    return { ok: false, code: "enrollment_failed", detail: `${opts.enrollmentUrl}/api/enroll answered ${detail}` };
  }
  const slcXml = response.body.toString("utf8");
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
    return { ok: false, code: "invalid_certificate", detail: `the ${verification.failed} check failed: ${verification.detail}` };
  }
  const { slc } = verification;
  await db.transaction(async (tx) => {
    await installCertificate(tx, { clusterId: cluster.id, document: slcXml, slc, obtainedBy: "enroll", installedBy: "setup", now: now() });
    await recordAudit(tx, {
      actor: "setup",
      remoteAddress: null,
      action: "enroll_succeeded",
      outcome: "success",
      clusterId: cluster.id,
      details: { fingerprint: slc.fingerprint, validUntil: slc.validUntil.toISOString() },
    });
  });
  return { ok: true, created: true, clusterId: cluster.id, validUntil: slc.validUntil };
}

export interface FirstRunOptions {
  dataDir: string;
  /** Where the trusted roots live; downloaded from the enrollment service when the file is missing. */
  trustAnchorsPath: string;
  masterKey?: string;
  serverName: string;
  enrollmentUrl: string;
  http: HttpOptions;
  validityDays?: number;
  now?: () => Date;
}

export type FirstRunResult =
  | { ok: true; rootDownloaded: boolean; demo: { created: false } | { created: true; clusterId: string; validUntil: Date } }
  | ProvisioningFailure;

/** Everything a fresh, migrated console database needs before it serves; safe to run on every start. */
export async function provisionFirstRun(db: Database, opts: FirstRunOptions): Promise<FirstRunResult> {
  let rootDownloaded = false;
  if (!fs.existsSync(opts.trustAnchorsPath)) {
    const rootUrl = `${opts.enrollmentUrl.replace(/\/+$/, "")}/root.pem`;
    const response = await exchange(rootUrl, { method: "GET" }, opts.http);
    const pem = response.ok ? response.body.toString("utf8") : "";
    if (parseTrustAnchors(pem).length === 0) {
      return { ok: false, code: "root_unavailable", detail: `no root certificate could be downloaded from ${rootUrl}` };
    }
    fs.mkdirSync(path.dirname(opts.trustAnchorsPath), { recursive: true, mode: 0o700 });
    fs.writeFileSync(opts.trustAnchorsPath, pem, { mode: 0o644 });
    rootDownloaded = true;
  }
  // A key-encryption key is created only while no cluster key exists; later a missing one is an error, never replaced.
  const [keys] = await db.select({ n: count() }).from(clusterKeys);
  const kek = consoleKeyEncryptionKey({ dataDir: opts.dataDir, masterKey: opts.masterKey, createIfMissing: (keys?.n ?? 0) === 0 });
  const demo = await provisionDemoCluster(db, {
    serverName: opts.serverName,
    kek,
    trustAnchorsPem: parseTrustAnchors(fs.readFileSync(opts.trustAnchorsPath, "utf8")),
    enrollmentUrl: opts.enrollmentUrl,
    http: opts.http,
    validityDays: opts.validityDays,
    now: opts.now,
  });
  if (!demo.ok) return demo;
  return {
    ok: true,
    rootDownloaded,
    demo: demo.created ? { created: true, clusterId: demo.clusterId, validUntil: demo.validUntil } : demo,
  };
}
