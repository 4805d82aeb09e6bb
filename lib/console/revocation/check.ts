// The console's revocation check, on the monitor's round and on demand: fetch the enrollment service's CRL and its
// issuing CA certificate over the same outbound path as online renewal (HTTPS verified against the trust anchors, the
// RMS proxy settings, timeouts), verify the CRL against the configured trust anchors only (./crl.ts), store what it
// says, and announce each installed SLC found revoked once (audit event slc_revoked; the caller notifies). A CRL that
// cannot be fetched, does not verify or is stale leaves the last verified entries and makes the status "unknown".
import { eq } from "drizzle-orm";
import { recordAudit } from "@/lib/console/audit/audit";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { exchange } from "@/lib/console/renewal/enrollment-client";
import { revocationEntryFor } from "@/lib/core/certificates/slc";
import type { Queryable } from "@/lib/platform/db/client";
import { certificates, clusters, revocationLists, revocationNotices } from "@/lib/platform/db/schema";
import { type CrlEntry, verifyCrl } from "./crl";

/** The one revocation list this console checks: its enrollment service's. */
const REVOCATION_LIST_ID = "enrollment";

export interface RevokedSlcEvent {
  clusterId: string;
  clusterName: string;
  clusterGuid: string;
  serverName: string;
  certificateFingerprint: string;
  serialNumber: string;
  reason: string;
  revokedAt: string;
  occurredAt: Date;
}

export type RevocationCheck =
  | { state: "current"; entries: number; nextUpdate: Date; events: RevokedSlcEvent[] }
  | { state: "unknown"; detail: string; events: RevokedSlcEvent[] };

async function fetchText(ctx: RenewalContext, anchors: string[], path: string) {
  return exchange(`${ctx.enrollmentUrl.replace(/\/+$/, "")}${path}`, { method: "GET" }, { ...ctx.http, ca: anchors });
}

/** Fetches and verifies the CRL: its entries and dates, or why the status is unknown. */
async function fetchVerified(ctx: RenewalContext, now: Date) {
  let anchors: string[];
  try {
    anchors = ctx.trustAnchors();
  } catch (error) {
    return {
      ok: false as const,
      detail: `No trust anchor to verify the revocation list with: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const [crl, ca] = await Promise.all([fetchText(ctx, anchors, "/crl"), fetchText(ctx, anchors, "/ca.pem")]);
  if (!crl.ok)
    return {
      ok: false as const,
      detail: `The revocation list could not be fetched (${crl.kind}${"detail" in crl ? `: ${crl.detail}` : ""}).`,
    };
  if (crl.contentType !== "application/pkix-crl") {
    return {
      ok: false as const,
      detail: `The enrollment service answered ${crl.contentType || "no content type"}, not a revocation list.`,
    };
  }
  if (!ca.ok) return { ok: false as const, detail: `The revocation list's issuer certificate could not be fetched (${ca.kind}).` };
  const verified = verifyCrl(new Uint8Array(crl.body), { issuersPem: ca.body.toString("utf8"), anchorsPem: anchors, now });
  if (!verified.ok) return { ok: false as const, detail: `The revocation list was refused (${verified.code}): ${verified.detail}` };
  return { ok: true as const, crl: verified };
}

/**
 * One check at `now`: stores the outcome and returns the revoked installed SLCs announced for the first time (each is
 * audited here in the same transaction; the caller sends the notifications once it is committed).
 */
export async function checkRevocation(ctx: RenewalContext, opts: { now: Date; actor: string }): Promise<RevocationCheck> {
  const { now } = opts;
  const fetched = await fetchVerified(ctx, now);
  return ctx.db.transaction(async (tx) => {
    if (fetched.ok) {
      const { crl } = fetched;
      const row = {
        state: "current" as const,
        detail: null,
        checkedAt: now,
        issuer: crl.issuer,
        thisUpdate: crl.thisUpdate,
        nextUpdate: crl.nextUpdate,
        crlNumber: crl.crlNumber,
        entries: crl.entries,
      };
      await tx
        .insert(revocationLists)
        .values({ id: REVOCATION_LIST_ID, ...row })
        .onConflictDoUpdate({ target: revocationLists.id, set: row });
    } else {
      await tx
        .insert(revocationLists)
        .values({ id: REVOCATION_LIST_ID, state: "unknown", detail: fetched.detail, checkedAt: now })
        .onConflictDoUpdate({ target: revocationLists.id, set: { state: "unknown", detail: fetched.detail, checkedAt: now } });
    }
    await recordAudit(tx, {
      actor: opts.actor,
      remoteAddress: null,
      action: "revocation_checked",
      outcome: fetched.ok ? "success" : "failure",
      occurredAt: now,
      details: fetched.ok
        ? {
            entries: fetched.crl.entries.length,
            nextUpdate: fetched.crl.nextUpdate.toISOString(),
            detail: `${fetched.crl.entries.length} revoked`,
          }
        : { code: "revocation_unknown", detail: fetched.detail },
    });
    const [stored] = await tx
      .select({ entries: revocationLists.entries })
      .from(revocationLists)
      .where(eq(revocationLists.id, REVOCATION_LIST_ID));
    const events = await announceRevoked(tx, stored?.entries ?? [], now, opts.actor);
    return fetched.ok
      ? { state: "current", entries: fetched.crl.entries.length, nextUpdate: fetched.crl.nextUpdate, events }
      : { state: "unknown", detail: fetched.detail, events };
  });
}

/** Installed SLCs on the list not yet announced: one notice row, one audit event each (the primary key makes it once). */
async function announceRevoked(tx: Queryable, entries: readonly CrlEntry[], now: Date, actor: string): Promise<RevokedSlcEvent[]> {
  if (entries.length === 0) return [];
  const installed = await tx
    .select({
      certificateId: certificates.id,
      fingerprint: certificates.fingerprint,
      serialNumber: certificates.serialNumber,
      clusterId: clusters.id,
      clusterName: clusters.name,
      clusterGuid: clusters.guid,
      serverName: clusters.serverName,
    })
    .from(certificates)
    .innerJoin(clusters, eq(clusters.id, certificates.clusterId))
    .where(eq(certificates.active, true)); // one per cluster, matched below by the serial's value
  const events: RevokedSlcEvent[] = [];
  for (const slc of installed) {
    const entry = revocationEntryFor(entries, slc.serialNumber);
    if (!entry) continue;
    const inserted = await tx
      .insert(revocationNotices)
      .values({ certificateId: slc.certificateId, clusterId: slc.clusterId, reason: entry.reason, noticedAt: now })
      .onConflictDoNothing()
      .returning({ certificateId: revocationNotices.certificateId });
    if (inserted.length === 0) continue;
    await recordAudit(tx, {
      actor,
      remoteAddress: null,
      action: "slc_revoked",
      outcome: "failure",
      clusterId: slc.clusterId,
      occurredAt: now,
      details: { serialNumber: slc.serialNumber, fingerprint: slc.fingerprint, reason: entry.reason, revokedAt: entry.revokedAt },
    });
    events.push({
      clusterId: slc.clusterId,
      clusterName: slc.clusterName,
      clusterGuid: slc.clusterGuid,
      serverName: slc.serverName,
      certificateFingerprint: slc.fingerprint,
      serialNumber: slc.serialNumber,
      reason: entry.reason,
      revokedAt: entry.revokedAt,
      occurredAt: now,
    });
  }
  return events;
}
