// The rms CLI's cluster commands for automation: list, status (a monitoring check: exit 0 valid, 1 warning, 2 expired,
// 3 unknown), online renewal, request export and import. They call the same domain functions as the pages
// (lib/console/renewal/*), audited under the CLI's actor (cli:<os user>); only the wording and the exit codes are the CLI's.
import { and, eq, isNull, or, sql } from "drizzle-orm";
import { daysLeft, type ExpiryStatus, expiryStatus } from "@/lib/console/clusters/expiry";
import type { RenewalActor, RenewalContext } from "@/lib/console/renewal/context";
import { englishFailureMessage } from "@/lib/console/renewal/failure-messages";
import type { RenewalFailure } from "@/lib/console/renewal/failures";
import { confirmImport, declineImport, exportRenewalRequest, validateImport } from "@/lib/console/renewal/offline";
import { renewOnline } from "@/lib/console/renewal/online";
import type { Queryable } from "@/lib/platform/db/client";
import { certificates, clusters, webSites } from "@/lib/platform/db/schema";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { textTable, utcMinute } from "./text";

/** Exit codes of `cluster status`, as monitoring plugins use them. */
export const STATUS_EXIT = { valid: 0, warning: 1, expired: 2, unknown: 3 } as const;

export interface ClusterRow {
  id: string;
  name: string;
  guid: string;
  serverName: string;
  webSiteName: string | null;
  validUntil: Date | null;
}

interface StatusReport {
  /** The cluster's own name (not its web site's). */
  cluster: string;
  /** The IIS web site RMS runs on, or null when none is recorded. */
  webSite: string | null;
  guid: string;
  serverName: string;
  validUntil: string | null;
  daysLeft: number | null;
  status: "valid" | "warning" | "expired" | "no_certificate";
}

function statusOf(validUntil: Date | null, now: Date): StatusReport["status"] {
  if (!validUntil) return "no_certificate";
  const status: ExpiryStatus = expiryStatus(validUntil, now);
  return status === "valid" ? "valid" : status === "expired" ? "expired" : "warning";
}

function report(row: ClusterRow, now: Date): StatusReport {
  return {
    cluster: row.name,
    webSite: row.webSiteName,
    guid: row.guid,
    serverName: row.serverName,
    validUntil: row.validUntil?.toISOString() ?? null,
    daysLeft: row.validUntil ? daysLeft(row.validUntil, now) : null,
    status: statusOf(row.validUntil, now),
  };
}

const clusterColumns = {
  id: clusters.id,
  name: clusters.name,
  guid: clusters.guid,
  serverName: clusters.serverName,
  webSiteName: webSites.name,
  validUntil: certificates.validUntil,
};

function clusterQuery(db: Queryable) {
  return db
    .select(clusterColumns)
    .from(clusters)
    .leftJoin(webSites, eq(webSites.clusterId, clusters.id))
    .leftJoin(certificates, sql`${certificates.clusterId} = ${clusters.id} AND ${certificates.active}`);
}

/** Clusters in use; a removed one (RMS taken off its web site) keeps its history but is not listed or renewed. */
export async function listClusters(db: Queryable): Promise<ClusterRow[]> {
  return clusterQuery(db).where(isNull(clusters.removedAt)).orderBy(clusters.name);
}

/** A cluster by its GUID (braces and case optional), its cluster name, or its web site's name. */
export async function findCluster(db: Queryable, reference: string): Promise<ClusterRow | null> {
  const text = reference.trim();
  if (text.length === 0 || text.length > 256) return null;
  const guid = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(text)?.[1];
  const rows = await clusterQuery(db)
    .where(
      and(
        isNull(clusters.removedAt),
        guid ? sql`lower(${clusters.guid}) = ${`{${guid.toLowerCase()}}`}` : or(eq(clusters.name, text), eq(webSites.name, text)),
      ),
    )
    .limit(2);
  return rows.length === 1 ? (rows[0] ?? null) : null;
}

/** An ISO time as the CLI shows it, or "-". */
function day(iso: string | null): string {
  return iso ? utcMinute(new Date(iso)) : "-";
}

export function formatClusterList(rows: ClusterRow[], now: Date, json: boolean): string {
  const reports = rows.map((row) => report(row, now));
  if (json) return JSON.stringify(reports, null, 2);
  if (reports.length === 0) return "No clusters.";
  return textTable([
    ["CLUSTER", "WEB SITE", "SERVER", "GUID", "SLC EXPIRES", "STATUS"],
    ...reports.map((r) => [r.cluster, r.webSite ?? "-", r.serverName, r.guid, day(r.validUntil), statusText(r)]),
  ]);
}

function statusText(r: StatusReport): string {
  switch (r.status) {
    case "valid":
      return `valid (${r.daysLeft} days left)`;
    case "warning":
      return `WARNING: expires in ${r.daysLeft} day${r.daysLeft === 1 ? "" : "s"}`;
    case "expired":
      return "EXPIRED";
    case "no_certificate":
      return "no certificate installed";
  }
}

/** `cluster status`: one line (or JSON) and the monitoring exit code. */
export function clusterStatus(row: ClusterRow | null, reference: string, now: Date, json: boolean): { code: number; text: string } {
  if (!row) {
    const text = `UNKNOWN: no single cluster matches "${reference.slice(0, 80)}". Give its GUID, cluster name or web site name (npm run rms -- cluster list).`;
    return { code: STATUS_EXIT.unknown, text: json ? JSON.stringify({ status: "unknown", message: text }) : text };
  }
  const r = report(row, now);
  const code =
    r.status === "valid"
      ? STATUS_EXIT.valid
      : r.status === "warning"
        ? STATUS_EXIT.warning
        : r.status === "expired"
          ? STATUS_EXIT.expired
          : STATUS_EXIT.unknown;
  if (json) return { code, text: JSON.stringify(r, null, 2) };
  const advice = r.status === "valid" ? "" : " Renew it: npm run rms -- renew <cluster> --online, or export-request for offline renewal.";
  return { code, text: `${statusText(r)} — ${r.cluster} (${r.serverName}, ${r.guid}); SLC expires ${day(r.validUntil)}.${advice}` };
}

function describeFailure(failure: RenewalFailure, ctx: RenewalContext): string {
  return englishFailureMessage(failure, { enrollmentUrl: ctx.enrollmentUrl });
}

export interface ClusterCommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: string): Promise<void>;
  /** Asks a yes/no question on the terminal; null when there is no terminal to ask on. */
  confirm(question: string): Promise<boolean | null>;
}

const NO_CLUSTER = (reference: string) =>
  `Error: no single cluster matches "${reference.slice(0, 80)}". Give its GUID, cluster name or web site name (npm run rms -- cluster list).`;

export async function renewOnlineCommand(
  ctx: RenewalContext,
  reference: string,
  actor: RenewalActor,
  io: ClusterCommandIo,
): Promise<number> {
  const cluster = await findCluster(ctx.db, reference);
  if (!cluster) return fail(io, NO_CLUSTER(reference));
  io.stdout(`Renewing ${cluster.name} online at ${ctx.enrollmentUrl}…`);
  const result = await renewOnline(ctx, { clusterId: cluster.id, actor });
  if (!result.ok) return fail(io, `Error: ${describeFailure(result, ctx)}`);
  io.stdout(
    `Renewed. New server licensor certificate: serial ${result.slc.serialNumber}, SHA-256 ${result.slc.fingerprint}, valid until ${utcMinute(result.slc.validUntil)}` +
      (result.previousValidUntil ? ` (was ${utcMinute(result.previousValidUntil)}).` : "."),
  );
  return 0;
}

export async function exportRequestCommand(
  ctx: RenewalContext,
  reference: string,
  out: string | undefined,
  actor: RenewalActor,
  io: ClusterCommandIo,
): Promise<number> {
  const cluster = await findCluster(ctx.db, reference);
  if (!cluster) return fail(io, NO_CLUSTER(reference));
  const result = await exportRenewalRequest(ctx, { clusterId: cluster.id, actor });
  if (!result.ok) return fail(io, `Error: ${describeFailure(result, ctx)}`);
  const { pending } = result;
  const path = out ?? pending.fileName;
  await io.writeFile(path, pending.document);
  io.stdout(
    `Wrote ${path}: request ID ${pending.requestId}, SHA-256 ${pending.fingerprint}. Have it signed at the enrollment service, then: npm run rms -- import ${JSON.stringify(reference)} <certificate file>`,
  );
  return 0;
}

export async function importCommand(
  ctx: RenewalContext,
  input: { reference: string; file: string; yes: boolean; actor: RenewalActor },
  io: ClusterCommandIo,
): Promise<number> {
  const cluster = await findCluster(ctx.db, input.reference);
  if (!cluster) return fail(io, NO_CLUSTER(input.reference));
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(input.file);
  } catch (error) {
    return fail(io, `Error: cannot read ${input.file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const t = translatorFor("en");
  const checked = await validateImport(ctx, { clusterId: cluster.id, file: bytes, actor: input.actor });
  if (!checked.ok) return fail(io, `Error: ${describeFailure(checked, ctx)}`);
  for (const check of checked.checks) io.stdout(`  ${check.ok ? "ok  " : "FAIL"}  ${t(`check.${check.name}`)}: ${check.detail}`);
  const { slc } = checked;
  io.stdout(
    `Certificate for ${slc.serverName} (${slc.serverGuid}), serial ${slc.serialNumber}, SHA-256 ${slc.fingerprint}, valid until ${utcMinute(slc.validUntil)}.`,
  );
  if (!input.yes) {
    const answer = await io.confirm("Install this certificate? [y/N] ");
    if (answer === null) return fail(io, "Error: not installed: pass --yes to install without a question (no terminal to ask on).");
    if (!answer) {
      await declineImport(ctx, { clusterId: cluster.id, fingerprint: slc.fingerprint, actor: input.actor });
      io.stdout("Not installed; the request is still pending.");
      return 1;
    }
  }
  const installed = await confirmImport(ctx, {
    clusterId: cluster.id,
    file: bytes,
    expectedFingerprint: slc.fingerprint,
    actor: input.actor,
  });
  if (!installed.ok) return fail(io, `Error: ${describeFailure(installed, ctx)}`);
  io.stdout(`Installed. The server licensor certificate is valid until ${utcMinute(installed.slc.validUntil)}.`);
  return 0;
}

function fail(io: ClusterCommandIo, message: string): number {
  io.stderr(message);
  return 1;
}
