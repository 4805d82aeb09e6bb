// Global Administration's two changes to a web site: provision RMS on it (a new cluster with its own key, no SLC yet)
// and remove RMS from it (the cluster detached and marked removed, its key destroyed, its history and audit kept).
import { randomUUID } from "node:crypto";
import { and, eq, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/lib/console/audit/audit";
import { createClusterKey, discardTokenKey, type KeyCustody } from "@/lib/console/renewal/cluster-keys";
import type { RenewalActor } from "@/lib/console/renewal/context";
import type { KeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { HsmError, type Pkcs11Settings } from "@/lib/core/certificates/pkcs11-token";
import { PROVISIONING_LOCK_ID } from "@/lib/platform/db/advisory-locks";
import type { Database, Queryable } from "@/lib/platform/db/client";
import { autoRenewals, certificates, clusterKeys, clusters, renewalRequests, webSites } from "@/lib/platform/db/schema";

// C0 controls, DEL and the bidi/line-separator characters that could disguise a name.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** What the administrator types on the provisioning page; each field fails with its own code. */
const provisionFieldsSchema = z.object({
  clusterName: z
    .string()
    .trim()
    .min(1, "cluster_name_invalid")
    .max(128, "cluster_name_invalid")
    .refine((v) => !UNSAFE.test(v), "cluster_name_invalid"),
  clusterUrl: z
    .string()
    .trim()
    .max(2048, "cluster_url_invalid")
    .transform((v, ctx) => {
      const url = URL.canParse(v) ? new URL(v) : null;
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "" || url.username || url.password) {
        ctx.addIssue({ code: "custom", message: "cluster_url_invalid" });
        return z.NEVER;
      }
      if (url.search || url.hash) {
        ctx.addIssue({ code: "custom", message: "cluster_url_invalid" });
        return z.NEVER;
      }
      // The canonical form (lower-case host, no trailing slash) is what is stored and compared.
      return url.href.replace(/\/+$/, "");
    }),
  // A SQL Server database name: a regular identifier of at most 123 characters.
  configDatabase: z
    .string()
    .trim()
    .regex(/^[A-Za-z_@#][A-Za-z0-9_@#$]{0,122}$/, "config_database_invalid"),
});
export type ProvisionFields = z.input<typeof provisionFieldsSchema>;
export type ProvisionField = keyof ProvisionFields;
export const PROVISION_FIELDS: readonly ProvisionField[] = ["clusterName", "clusterUrl", "configDatabase"];

type ProvisionFieldError =
  | "cluster_name_invalid"
  | "cluster_name_taken"
  | "cluster_url_invalid"
  | "cluster_url_taken"
  | "config_database_invalid"
  | "config_database_taken";

export type ProvisionResult =
  | { ok: true; clusterId: string; guid: string; keyFingerprint: string }
  | { ok: false; code: "fields"; fields: Partial<Record<ProvisionField, ProvisionFieldError>> }
  | { ok: false; code: "not_found" | "already_provisioned" }
  /** RMS_CLUSTER_KEY_STORE=pkcs11 and the token could not make the key (module, token, PIN): nothing was created. */
  | { ok: false; code: "token_unavailable"; detail: string };

/** Serialises provisioning and removal across consoles sharing one PostgreSQL (PGlite has one process anyway). */
async function lockProvisioning(tx: Queryable): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${PROVISIONING_LOCK_ID})`);
}

const notRemoved = isNull(clusters.removedAt);

/** Which of the values another cluster still in use already has (case-insensitive; removed clusters free theirs). */
async function takenFields(tx: Queryable, fields: z.output<typeof provisionFieldsSchema>) {
  const rows = await tx
    .select({ name: clusters.name, url: clusters.clusterUrl, db: clusters.configDatabase })
    .from(clusters)
    .where(
      and(
        notRemoved,
        or(
          sql`lower(${clusters.name}) = lower(${fields.clusterName})`,
          sql`lower(rtrim(${clusters.clusterUrl}, '/')) = lower(${fields.clusterUrl})`,
          sql`lower(${clusters.configDatabase}) = lower(${fields.configDatabase})`,
        ),
      ),
    );
  const taken: Partial<Record<ProvisionField, ProvisionFieldError>> = {};
  for (const row of rows) {
    if (row.name.toLowerCase() === fields.clusterName.toLowerCase()) taken.clusterName = "cluster_name_taken";
    if (row.url.replace(/\/+$/, "").toLowerCase() === fields.clusterUrl.toLowerCase()) taken.clusterUrl = "cluster_url_taken";
    if (row.db.toLowerCase() === fields.configDatabase.toLowerCase()) taken.configDatabase = "config_database_taken";
  }
  return taken;
}

const FIELD_ERRORS: readonly string[] = ["cluster_name_invalid", "cluster_url_invalid", "config_database_invalid"];
const isFieldError = (message: string): message is ProvisionFieldError => FIELD_ERRORS.includes(message);
const INVALID: Record<ProvisionField, ProvisionFieldError> = {
  clusterName: "cluster_name_invalid",
  clusterUrl: "cluster_url_invalid",
  configDatabase: "config_database_invalid",
};

function fieldErrors(error: z.ZodError): Partial<Record<ProvisionField, ProvisionFieldError>> {
  const fields: Partial<Record<ProvisionField, ProvisionFieldError>> = {};
  for (const issue of error.issues) {
    const field = issue.path[0];
    if (field !== "clusterName" && field !== "clusterUrl" && field !== "configDatabase") continue;
    // A missing or non-text value fails with zod's own message: it is still this field's "invalid".
    fields[field] ??= isFieldError(issue.message) ? issue.message : INVALID[field];
  }
  return fields;
}

/**
 * Provisions RMS on a web site that has none: a new cluster (new GUID, this server's name) and its RSA key, made here
 * and stored encrypted; no SLC yet — the cluster is enrolled next, from its Cluster resources. One transaction, audited.
 */
export async function provisionWebSite(
  db: Database,
  input: {
    webSiteId: string;
    fields: ProvisionFields;
    serverName: string;
    kek: KeyEncryptionKey;
    actor: RenewalActor;
    /** The PKCS#11 token the cluster key is generated in (RMS_CLUSTER_KEY_STORE=pkcs11); null: a file key. */
    token?: Pkcs11Settings | null;
  },
): Promise<ProvisionResult> {
  const parsed = provisionFieldsSchema.safeParse(input.fields);
  if (!parsed.success) return { ok: false, code: "fields", fields: fieldErrors(parsed.error) };
  const fields = parsed.data;
  const token = input.token ?? null;
  let made: KeyCustody | null = null;
  try {
    return await provisionInTransaction(db, input, fields, token, (custody) => {
      made = custody;
    });
  } catch (error) {
    // The transaction rolled back: a key already made in the token goes too, so nothing is left anywhere.
    if (made) discardTokenKey(made, token);
    if (!(error instanceof HsmError)) throw error;
    await recordAudit(db, {
      actor: input.actor.name,
      remoteAddress: input.actor.remoteAddress,
      action: "cluster_provisioned",
      outcome: "failure",
      clusterId: null,
      details: { code: "token_unavailable", hsmError: error.code, detail: error.message, clusterName: fields.clusterName },
    });
    return { ok: false, code: "token_unavailable", detail: error.message };
  }
}

async function provisionInTransaction(
  db: Database,
  input: { webSiteId: string; serverName: string; kek: KeyEncryptionKey; actor: RenewalActor },
  fields: z.output<typeof provisionFieldsSchema>,
  token: Pkcs11Settings | null,
  onKey: (custody: KeyCustody) => void,
): Promise<ProvisionResult> {
  return db.transaction(async (tx): Promise<ProvisionResult> => {
    await lockProvisioning(tx);
    const [site] = await tx.select().from(webSites).where(eq(webSites.id, input.webSiteId)).for("update");
    if (!site) return { ok: false, code: "not_found" };
    if (site.clusterId !== null) return { ok: false, code: "already_provisioned" };
    const taken = await takenFields(tx, fields);
    if (Object.keys(taken).length > 0) return { ok: false, code: "fields", fields: taken };
    const guid = `{${randomUUID().toUpperCase()}}`;
    const [cluster] = await tx
      .insert(clusters)
      .values({
        guid,
        name: fields.clusterName,
        serverName: input.serverName,
        clusterUrl: fields.clusterUrl,
        configDatabase: fields.configDatabase,
      })
      .returning({ id: clusters.id });
    if (!cluster) throw new Error("Creating the cluster returned no row");
    const key = await createClusterKey(tx, cluster.id, input.kek, token);
    onKey(key.custody);
    await tx
      .update(webSites)
      .set({ clusterId: cluster.id })
      .where(and(eq(webSites.id, site.id), isNull(webSites.clusterId)));
    await recordAudit(tx, {
      actor: input.actor.name,
      remoteAddress: input.actor.remoteAddress,
      action: "cluster_provisioned",
      outcome: "success",
      clusterId: cluster.id,
      details: {
        webSite: site.name,
        clusterName: fields.clusterName,
        clusterUrl: fields.clusterUrl,
        configDatabase: fields.configDatabase,
        guid,
        keyFingerprint: key.fingerprint,
        keyCustody: key.custody.kind,
        ...(key.custody.kind === "pkcs11" ? { tokenLabel: key.custody.tokenLabel, tokenKeyLabel: key.custody.keyLabel } : {}),
      },
    });
    return { ok: true, clusterId: cluster.id, guid, keyFingerprint: key.fingerprint };
  });
}

export type RemoveResult =
  | { ok: true; clusterId: string; keysDestroyed: number; cancelledRequestId: string | null }
  | { ok: false; code: "not_found" | "not_provisioned" | "stale" | "confirmation_mismatch" | "in_progress" };

/**
 * Removes RMS from a web site. The cluster the form was shown for must still be the web site's (a second or stale
 * submission changes nothing), and the administrator must have typed its name exactly. In one transaction: the web site
 * is detached, the cluster marked removed, its private key rows deleted (destroyed: no key, no signing), a pending
 * request cancelled, automatic renewal switched off and its SLC no longer active (the monitor and metrics stop watching
 * it); certificates, requests and audit rows stay. A renewal holding the cluster's lease makes it refuse.
 */
export async function removeRmsFromWebSite(
  db: Database,
  input: { webSiteId: string; clusterId: string; confirmation: string; actor: RenewalActor; now: Date },
): Promise<RemoveResult> {
  const refused = async (code: Exclude<RemoveResult, { ok: true }>["code"], clusterId: string | null, details = {}) => {
    await recordAudit(db, {
      actor: input.actor.name,
      remoteAddress: input.actor.remoteAddress,
      action: "cluster_removed",
      outcome: "failure",
      clusterId,
      details: { code, ...details },
    });
    return { ok: false, code } as const;
  };
  const result = await db.transaction(async (tx): Promise<RemoveResult | { refuse: Exclude<RemoveResult, { ok: true }>["code"] }> => {
    await lockProvisioning(tx);
    const [site] = await tx.select().from(webSites).where(eq(webSites.id, input.webSiteId)).for("update");
    if (!site) return { ok: false, code: "not_found" };
    if (site.clusterId === null) return { ok: false, code: "not_provisioned" };
    if (site.clusterId !== input.clusterId) return { ok: false, code: "stale" };
    const [cluster] = await tx.select().from(clusters).where(eq(clusters.id, site.clusterId)).for("update");
    if (!cluster) return { ok: false, code: "not_found" };
    if (input.confirmation.trim() !== cluster.name) return { refuse: "confirmation_mismatch" };
    if (cluster.renewalLockedUntil && cluster.renewalLockedUntil.getTime() > Date.now()) return { refuse: "in_progress" };

    const [activeKey] = await tx
      .select({ fingerprint: clusterKeys.fingerprint })
      .from(clusterKeys)
      .where(and(eq(clusterKeys.clusterId, cluster.id), eq(clusterKeys.active, true)));
    const destroyed = await tx.delete(clusterKeys).where(eq(clusterKeys.clusterId, cluster.id)).returning({ id: clusterKeys.id });
    const [cancelled] = await tx
      .update(renewalRequests)
      .set({ status: "cancelled", closedAt: input.now })
      .where(and(eq(renewalRequests.clusterId, cluster.id), eq(renewalRequests.status, "pending")))
      .returning({ requestId: renewalRequests.requestId });
    await tx
      .update(autoRenewals)
      .set({ enabled: false, changedBy: input.actor.name, changedAt: input.now })
      .where(eq(autoRenewals.clusterId, cluster.id));
    const [slc] = await tx
      .update(certificates)
      .set({ active: false })
      .where(and(eq(certificates.clusterId, cluster.id), eq(certificates.active, true)))
      .returning({ fingerprint: certificates.fingerprint });
    await tx.update(webSites).set({ clusterId: null }).where(eq(webSites.id, site.id));
    await tx.update(clusters).set({ removedAt: input.now, removedBy: input.actor.name }).where(eq(clusters.id, cluster.id));
    await recordAudit(tx, {
      actor: input.actor.name,
      remoteAddress: input.actor.remoteAddress,
      action: "cluster_removed",
      outcome: "success",
      clusterId: cluster.id,
      details: {
        webSite: site.name,
        clusterName: cluster.name,
        guid: cluster.guid,
        keyDestroyed: activeKey?.fingerprint ?? null,
        keyRowsDeleted: destroyed.length,
        cancelledRequestId: cancelled?.requestId ?? null,
        slcFingerprint: slc?.fingerprint ?? null,
      },
    });
    return { ok: true, clusterId: cluster.id, keysDestroyed: destroyed.length, cancelledRequestId: cancelled?.requestId ?? null };
  });
  if ("refuse" in result) return refused(result.refuse, input.clusterId);
  if (!result.ok) return refused(result.code, null, { webSiteId: input.webSiteId });
  return result;
}
