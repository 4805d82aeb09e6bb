// The rms CLI's re-key commands: start (online, or offline writing the request file), send again to collect
// the approved certificate, import its file, cancel, status. The same domain functions as the re-key page
// (lib/console/renewal/rekey.ts), audited under the CLI's actor; only the wording and the exit codes are the CLI's.

import type { RenewalActor, RenewalContext } from "@/lib/console/renewal/context";
import { englishFailureMessage } from "@/lib/console/renewal/failure-messages";
import type { RenewalFailure } from "@/lib/console/renewal/failures";
import {
  cancelRekey,
  exportRekeyRequest,
  getPendingRekey,
  importRekeyCertificate,
  type RekeyOnline,
  sendRekeyOnline,
  startRekey,
} from "@/lib/console/renewal/rekey";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { type ClusterCommandIo, findCluster } from "./cluster-commands";
import { utcMinute } from "./text";

export const REKEY_USAGE = `  rekey start <cluster> --online | --offline [--out <file>]
                        Re-key (the key may be compromised): generate a new key pair, kept beside the
                        current key as the pending key, and a request signed by it naming the installed
                        SLC; send it online, or write it for offline signing. The operator must approve it.
  rekey send <cluster>  Send the pending re-key request again: installs the certificate once approved.
  rekey import <cluster> <file> [--yes]
                        Check the re-key certificate against the pending key and install it; the pending
                        key becomes the key and the old key is destroyed.
  rekey cancel <cluster>
                        Discard the pending key and request; the current key stays.
  rekey status <cluster>
                        Show the pending re-key, if any.`;

type Input = { reference: string; actor: RenewalActor };

function fail(io: ClusterCommandIo, message: string): number {
  io.stderr(message);
  return 1;
}

async function clusterOf(ctx: RenewalContext, reference: string, io: ClusterCommandIo): Promise<string | null> {
  const cluster = await findCluster(ctx.db, reference);
  if (cluster) return cluster.id;
  io.stderr(
    `Error: no single cluster matches "${reference.slice(0, 80)}". Give its GUID, cluster name or web site name (npm run rms -- cluster list).`,
  );
  return null;
}

function failed(io: ClusterCommandIo, ctx: RenewalContext, failure: RenewalFailure): number {
  return fail(io, `Error: ${englishFailureMessage(failure, { enrollmentUrl: ctx.enrollmentUrl })}`);
}

function reportOnline(io: ClusterCommandIo, reference: string, result: { ok: true } & RekeyOnline): number {
  if (result.outcome === "held") {
    io.stdout(
      `Held for the enrollment service operator's approval (request ID ${result.requestId}, submission ${result.submissionId}). ` +
        `The current key stays in use. Once approved: npm run rms -- rekey send ${JSON.stringify(reference)}`,
    );
    return 0;
  }
  io.stdout(
    `Re-keyed. The new key (SHA-256 ${result.keyFingerprint}) is the cluster's key; the old key (${result.oldKeyFingerprint}) was destroyed. ` +
      `Server licensor certificate: serial ${result.slc.serialNumber}, valid until ${utcMinute(result.slc.validUntil)}.`,
  );
  return 0;
}

export async function rekeyStartCommand(
  ctx: RenewalContext,
  input: Input & { online: boolean; out: string | undefined },
  io: ClusterCommandIo,
): Promise<number> {
  const clusterId = await clusterOf(ctx, input.reference, io);
  if (!clusterId) return 1;
  const started = await startRekey(ctx, { clusterId, actor: input.actor });
  if (!started.ok) return failed(io, ctx, started);
  io.stdout(`New key pair generated (public key SHA-256 ${started.rekey.newKeyFingerprint}); re-key request ${started.rekey.requestId}.`);
  if (input.online) {
    io.stdout(`Sending it to ${ctx.enrollmentUrl}…`);
    const sent = await sendRekeyOnline(ctx, { clusterId, actor: input.actor });
    if (!sent.ok) {
      return fail(
        io,
        `Error: ${englishFailureMessage(sent, { enrollmentUrl: ctx.enrollmentUrl })} The re-key stays pending: send it again with rekey send, or cancel it.`,
      );
    }
    return reportOnline(io, input.reference, sent);
  }
  const exported = await exportRekeyRequest(ctx, { clusterId, actor: input.actor });
  if (!exported.ok) return failed(io, ctx, exported);
  const path = input.out ?? exported.rekey.fileName;
  await io.writeFile(path, exported.rekey.document);
  io.stdout(
    `Wrote ${path}. Submit it on the enrollment service's web site; once the operator approved it, download the certificate, then: npm run rms -- rekey import ${JSON.stringify(input.reference)} <certificate file>`,
  );
  return 0;
}

export async function rekeySendCommand(ctx: RenewalContext, input: Input, io: ClusterCommandIo): Promise<number> {
  const clusterId = await clusterOf(ctx, input.reference, io);
  if (!clusterId) return 1;
  const sent = await sendRekeyOnline(ctx, { clusterId, actor: input.actor });
  if (!sent.ok) return failed(io, ctx, sent);
  return reportOnline(io, input.reference, sent);
}

export async function rekeyImportCommand(
  ctx: RenewalContext,
  input: Input & { file: string; yes: boolean },
  io: ClusterCommandIo,
): Promise<number> {
  const clusterId = await clusterOf(ctx, input.reference, io);
  if (!clusterId) return 1;
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(input.file);
  } catch (error) {
    return fail(io, `Error: cannot read ${input.file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const pending = await getPendingRekey(ctx.db, clusterId);
  if (!pending) return failed(io, ctx, { ok: false, code: "no_pending" });
  if (!input.yes) {
    const answer = await io.confirm(
      `Install the certificate from ${input.file} for the new key ${pending.newKeyFingerprint}, and destroy the old key? [y/N] `,
    );
    if (answer === null) return fail(io, "Error: not installed: pass --yes to install without a question (no terminal to ask on).");
    if (!answer) {
      io.stdout("Not installed; the re-key is still pending.");
      return 1;
    }
  }
  const installed = await importRekeyCertificate(ctx, { clusterId, file: bytes, actor: input.actor });
  if (!installed.ok) {
    if (installed.code === "invalid_file") {
      const t = translatorFor("en");
      for (const check of installed.checks) io.stdout(`  ${check.ok ? "ok  " : "FAIL"}  ${t(`check.${check.name}`)}: ${check.detail}`);
    }
    return failed(io, ctx, installed);
  }
  return reportOnline(io, input.reference, installed);
}

export async function rekeyCancelCommand(ctx: RenewalContext, input: Input, io: ClusterCommandIo): Promise<number> {
  const clusterId = await clusterOf(ctx, input.reference, io);
  if (!clusterId) return 1;
  const cancelled = await cancelRekey(ctx, { clusterId, actor: input.actor });
  if (!cancelled.ok) return failed(io, ctx, cancelled);
  io.stdout(`Cancelled re-key request ${cancelled.requestId}; the pending key was discarded. The current key stays in use.`);
  return 0;
}

export async function rekeyStatusCommand(ctx: RenewalContext, reference: string, io: ClusterCommandIo): Promise<number> {
  const clusterId = await clusterOf(ctx, reference, io);
  if (!clusterId) return 1;
  const pending = await getPendingRekey(ctx.db, clusterId);
  if (!pending) {
    io.stdout("No re-key is pending.");
    return 0;
  }
  io.stdout(
    [
      `Re-key pending since ${utcMinute(pending.startedAt)} (by ${pending.startedBy}), request ID ${pending.requestId}.`,
      `  current key: ${pending.oldKeyFingerprint}`,
      `  new key:     ${pending.newKeyFingerprint}`,
      `  replaces SLC serial ${pending.replacesSlcSerial}`,
      pending.submissionId ? `  sent online, held by the enrollment service (submission ${pending.submissionId})` : null,
      pending.exportedAt ? `  request file exported ${utcMinute(pending.exportedAt)}` : null,
    ]
      .filter((line) => line !== null)
      .join("\n"),
  );
  return 0;
}
