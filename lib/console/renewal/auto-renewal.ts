// Opt-in automatic online renewal (off by default, switched per cluster, audited). For the installed certificate a
// console plans one attempt at a random time inside its renewal window — the window the enrollment service suggests
// (GET /api/renewal-info/<guid>, in the spirit of ACME ARI), else the default: from two thirds of the validity or 30
// days before expiry, whichever comes first, a week long. A failed attempt backs off 1 h, doubling to 24 h (longer if
// the service says Retry-After). One UPDATE claims each attempt, and the renewal lease still guards the cluster, so
// several consoles never attempt at once. Each attempt is audited by renewOnline itself.
import { and, eq, lte, sql } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/lib/console/audit/audit";
import type { Database, Queryable } from "@/lib/platform/db/client";
import { autoRenewals, certificates, clusters } from "@/lib/platform/db/schema";
import type { RenewalContext } from "./context";
import { exchange } from "./enrollment-client";
import { englishFailureMessage } from "./failure-messages";
import type { RenewalFailure } from "./failures";
import { renewOnline } from "./online";

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** How long a claimed attempt holds off the other consoles (longer than any renewal's lease). */
const CLAIM_MS = 15 * 60 * 1000;
const AUTO_RENEWAL_ACTOR = "auto-renewal";

export interface RenewalWindow {
  start: Date;
  end: Date;
  source: "service" | "default";
}

/** The default window: from two thirds of the validity or 30 days before expiry, whichever is first; a week long. */
export function defaultWindow(validFrom: Date, validUntil: Date): RenewalWindow {
  const twoThirds = validFrom.getTime() + Math.floor(((validUntil.getTime() - validFrom.getTime()) * 2) / 3);
  const start = Math.max(validFrom.getTime(), Math.min(twoThirds, validUntil.getTime() - 30 * DAY_MS));
  const end = Math.min(start + 7 * DAY_MS, validUntil.getTime() - DAY_MS);
  return { start: new Date(start), end: new Date(end > start ? end : start + HOUR_MS), source: "default" };
}

/** 1 h after the first failure, doubling up to 24 h; a Retry-After from the service is honoured when longer. */
export function backoffMs(failures: number, retryAfterSeconds?: number): number {
  const doubling = Math.min(HOUR_MS * 2 ** Math.max(0, failures - 1), DAY_MS);
  return Math.max(doubling, (retryAfterSeconds ?? 0) * 1000);
}

const renewalInfoSchema = z.object({
  suggestedWindow: z.object({ start: z.iso.datetime({ offset: true }), end: z.iso.datetime({ offset: true }) }),
});

/** The service's suggested window for this certificate, or null (none published, unreachable, or not plausible). */
async function fetchSuggestedWindow(ctx: RenewalContext, guid: string, validUntil: Date): Promise<RenewalWindow | null> {
  let anchors: string[];
  try {
    anchors = ctx.trustAnchors();
  } catch {
    return null;
  }
  const url = `${ctx.enrollmentUrl.replace(/\/+$/, "")}/api/renewal-info/${encodeURIComponent(guid)}`;
  const response = await exchange(url, { method: "GET" }, { ...ctx.http, ca: anchors });
  if (!response.ok || response.status !== 200) return null;
  let parsed: z.infer<typeof renewalInfoSchema>;
  try {
    parsed = renewalInfoSchema.parse(JSON.parse(response.body.toString("utf8")));
  } catch {
    return null;
  }
  const start = new Date(parsed.suggestedWindow.start);
  const end = new Date(parsed.suggestedWindow.end);
  // A window after expiry, or inverted, is not one to wait for.
  if (!(start < end) || end > validUntil) return null;
  return { start, end, source: "service" };
}

/** Turns automatic renewal on or off for a cluster (audited); turning it on makes the next round plan afresh. */
export async function setAutoRenewal(
  db: Database,
  input: { clusterId: string; enabled: boolean; actor: { name: string; remoteAddress: string | null }; now: Date },
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx
      .insert(autoRenewals)
      .values({ clusterId: input.clusterId, enabled: input.enabled, changedBy: input.actor.name, changedAt: input.now })
      .onConflictDoUpdate({
        target: autoRenewals.clusterId,
        set: {
          enabled: input.enabled,
          changedBy: input.actor.name,
          changedAt: input.now,
          plannedFor: null,
          nextAttemptAt: null,
          failures: 0,
        },
      });
    await recordAudit(tx, {
      actor: input.actor.name,
      remoteAddress: input.actor.remoteAddress,
      action: input.enabled ? "auto_renewal_enabled" : "auto_renewal_disabled",
      outcome: "success",
      clusterId: input.clusterId,
      occurredAt: input.now,
    });
  });
}

export interface AutoRenewalView {
  enabled: boolean;
  nextAttemptAt: Date | null;
  windowSource: "service" | "default" | null;
  failures: number;
  lastAttemptAt: Date | null;
  lastOutcome: "success" | "failure" | null;
  lastDetail: string | null;
}

export async function getAutoRenewal(db: Queryable, clusterId: string): Promise<AutoRenewalView> {
  const [row] = await db.select().from(autoRenewals).where(eq(autoRenewals.clusterId, clusterId));
  return {
    enabled: row?.enabled ?? false,
    nextAttemptAt: row?.nextAttemptAt ?? null,
    windowSource: row?.windowSource ?? null,
    failures: row?.failures ?? 0,
    lastAttemptAt: row?.lastAttemptAt ?? null,
    lastOutcome: row?.lastOutcome ?? null,
    lastDetail: row?.lastDetail ?? null,
  };
}

export interface AutoRenewalAttempt {
  clusterId: string;
  clusterName: string;
  serverName: string;
  guid: string;
  ok: boolean;
  detail: string;
  failures: number;
  nextAttemptAt: Date | null;
}

interface PlannedRow {
  clusterId: string;
  clusterName: string;
  serverName: string;
  guid: string;
  fingerprint: string;
  nextAttemptAt: Date | null;
}

/**
 * Plans every enabled cluster (or the one given) whose installed certificate has no plan yet: a random point
 * (`random`, 0..1) in the service's suggested window or the default one. Returns the enabled clusters with their plans.
 */
export async function planAutoRenewals(
  ctx: RenewalContext,
  opts: { random?: () => number; clusterId?: string } = {},
): Promise<PlannedRow[]> {
  const random = opts.random ?? Math.random;
  const rows = await ctx.db
    .select({
      clusterId: autoRenewals.clusterId,
      plannedFor: autoRenewals.plannedFor,
      nextAttemptAt: autoRenewals.nextAttemptAt,
      clusterName: clusters.name,
      serverName: clusters.serverName,
      guid: clusters.guid,
      fingerprint: certificates.fingerprint,
      validFrom: certificates.validFrom,
      validUntil: certificates.validUntil,
    })
    .from(autoRenewals)
    .innerJoin(clusters, eq(clusters.id, autoRenewals.clusterId))
    .innerJoin(certificates, and(eq(certificates.clusterId, clusters.id), eq(certificates.active, true)))
    .where(and(eq(autoRenewals.enabled, true), opts.clusterId ? eq(autoRenewals.clusterId, opts.clusterId) : undefined));

  const planned: PlannedRow[] = [];
  for (const row of rows) {
    let nextAttemptAt = row.nextAttemptAt;
    if (row.plannedFor !== row.fingerprint) {
      const window = (await fetchSuggestedWindow(ctx, row.guid, row.validUntil)) ?? defaultWindow(row.validFrom, row.validUntil);
      const at = new Date(window.start.getTime() + Math.floor(random() * (window.end.getTime() - window.start.getTime())));
      const [plan] = await ctx.db
        .update(autoRenewals)
        .set({
          plannedFor: row.fingerprint,
          windowStart: window.start,
          windowEnd: window.end,
          windowSource: window.source,
          nextAttemptAt: at,
          failures: 0,
        })
        .where(and(eq(autoRenewals.clusterId, row.clusterId), sql`${autoRenewals.plannedFor} IS DISTINCT FROM ${row.fingerprint}`))
        .returning({ nextAttemptAt: autoRenewals.nextAttemptAt });
      // Another console planned it first: its plan stands; the next round reads it.
      if (!plan) continue;
      nextAttemptAt = plan.nextAttemptAt;
    }
    planned.push({ ...row, nextAttemptAt });
  }
  return planned;
}

/**
 * One round at `now`: plans for clusters whose installed certificate has no plan yet, and attempts those that are
 * due. `random` picks the point in the window (0..1). Returns the attempts made (for notifications and logs).
 */
export async function autoRenewalRound(ctx: RenewalContext, opts: { now: Date; random?: () => number }): Promise<AutoRenewalAttempt[]> {
  const { now } = opts;
  const attempts: AutoRenewalAttempt[] = [];
  for (const row of await planAutoRenewals(ctx, { random: opts.random })) {
    if (!row.nextAttemptAt || row.nextAttemptAt > now) continue;
    const [claimed] = await ctx.db
      .update(autoRenewals)
      .set({ nextAttemptAt: new Date(now.getTime() + CLAIM_MS), lastAttemptAt: now })
      .where(
        and(
          eq(autoRenewals.clusterId, row.clusterId),
          eq(autoRenewals.enabled, true),
          eq(autoRenewals.plannedFor, row.fingerprint),
          lte(autoRenewals.nextAttemptAt, now),
        ),
      )
      .returning({ failures: autoRenewals.failures });
    if (!claimed) continue;
    attempts.push(await attempt(ctx, row, claimed.failures, now));
  }
  return attempts;
}

async function attempt(
  ctx: RenewalContext,
  row: { clusterId: string; clusterName: string; serverName: string; guid: string },
  failuresBefore: number,
  now: Date,
): Promise<AutoRenewalAttempt> {
  const base = { clusterId: row.clusterId, clusterName: row.clusterName, serverName: row.serverName, guid: row.guid };
  const result = await renewOnline(ctx, { clusterId: row.clusterId, actor: { name: AUTO_RENEWAL_ACTOR, remoteAddress: null } });
  if (result.ok) {
    const detail = `Renewed; the new certificate is valid until ${result.slc.validUntil.toISOString()}.`;
    // The new certificate gets its own plan in the next round.
    await ctx.db
      .update(autoRenewals)
      .set({ failures: 0, lastOutcome: "success", lastDetail: detail, nextAttemptAt: null })
      .where(eq(autoRenewals.clusterId, row.clusterId));
    return { ...base, ok: true, detail, failures: 0, nextAttemptAt: null };
  }
  const failures = failuresBefore + 1;
  const retryAfter = retryAfterOf(result);
  const nextAttemptAt = new Date(now.getTime() + backoffMs(failures, retryAfter));
  const detail = englishFailureMessage(result, { enrollmentUrl: ctx.enrollmentUrl });
  await ctx.db
    .update(autoRenewals)
    .set({ failures, lastOutcome: "failure", lastDetail: detail.slice(0, 1000), nextAttemptAt })
    .where(eq(autoRenewals.clusterId, row.clusterId));
  return { ...base, ok: false, detail, failures, nextAttemptAt };
}

function retryAfterOf(failure: RenewalFailure): number | undefined {
  return failure.code === "busy" ? (failure.retryAfterSeconds ?? undefined) : undefined;
}
