// The operator's commands (`npm run enrollment -- …`), one executor for both ways they run: through the running
// service's admin socket (<data>/admin.sock, owner-only: PGlite allows one process), or on the store directly.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { z } from "zod";
import type { EnrollmentDbHandle } from "./db/client";
import type { Desk, SubmissionView } from "./desk";
import { addOperator, listOperators, operatorNameSchema, operatorPasswordSchema, removeOperator } from "./operators";
import { listIssuedSlcs, REVOCATION_REASONS, revokeSlc, SLC_SERIAL } from "./revocations";

const id = z.string().regex(/^[0-9a-f]{32}$/, "A submission id is 32 hexadecimal characters (see `requests list`).");
const guid = z.string().regex(/^\{[0-9A-Fa-f-]{36}\}$/, "A cluster GUID looks like {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}.");
const actor = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, "The operator name may use letters, digits and . _ @ - only.");

export const adminCommandSchema = z.discriminatedUnion("command", [
  z.object({
    command: z.literal("requests.list"),
    state: z.enum(["pending_approval", "issued", "rejected", "all"]).default("pending_approval"),
  }),
  z.object({ command: z.literal("requests.show"), id: z.union([id, z.uuid()]) }),
  z.object({ command: z.literal("requests.approve"), id, actor }),
  z.object({ command: z.literal("requests.reject"), id, actor, reason: z.string().trim().min(1).max(500) }),
  z.object({
    command: z.literal("requests.rejectPending"),
    actor,
    reason: z.string({ error: "Give --reason <text>: it is recorded with every rejection." }).trim().min(1).max(500),
    source: z.union([z.ipv4(), z.ipv6()], "--source is the client address shown on the operator page (an IP address).").optional(),
  }),
  z.object({ command: z.literal("events.page"), afterId: z.number().int().min(0), limit: z.number().int().min(1).max(10_000) }),
  z.object({ command: z.literal("registrations.list") }),
  z.object({ command: z.literal("registrations.revoke"), guid, actor }),
  z.object({ command: z.literal("slcs.list"), limit: z.number().int().min(1).max(10_000).default(50) }),
  z.object({
    command: z.literal("slcs.revoke"),
    serial: z.string().regex(SLC_SERIAL, "An SLC serial is 32 hexadecimal digits (see `slcs list`)."),
    reason: z.enum(REVOCATION_REASONS, `--reason is one of: ${REVOCATION_REASONS.join(", ")}.`),
    actor,
  }),
  z.object({ command: z.literal("operators.add"), name: operatorNameSchema, password: operatorPasswordSchema }),
  z.object({ command: z.literal("operators.list") }),
  z.object({ command: z.literal("operators.remove"), name: operatorNameSchema }),
]);
export type AdminCommand = z.infer<typeof adminCommandSchema>;
export type AdminResult = { ok: true; value: unknown } | { ok: false; message: string };

function submissionJson(s: SubmissionView) {
  return { ...s };
}

export async function runAdminCommand(desk: Desk, handle: EnrollmentDbHandle, command: AdminCommand, now: Date): Promise<AdminResult> {
  const { db } = handle;
  switch (command.command) {
    case "requests.list": {
      const list = await desk.list(command.state === "all" ? {} : { state: command.state });
      return { ok: true, value: list.map(submissionJson) };
    }
    case "requests.show": {
      const found = await desk.find(/^[0-9a-f]{32}$/.test(command.id) ? { id: command.id } : { requestId: command.id.toLowerCase() });
      if (!found) return { ok: false, message: `There is no submission or request ${command.id}.` };
      return { ok: true, value: { ...submissionJson(found.submission), slcXml: found.slcXml } };
    }
    case "requests.approve": {
      const result = await desk.approve(command.id, command.actor, "cli");
      return result.ok ? { ok: true, value: submissionJson(result.submission) } : { ok: false, message: result.detail };
    }
    case "requests.reject": {
      const result = await desk.reject(command.id, command.actor, "cli", command.reason);
      return result.ok ? { ok: true, value: submissionJson(result.submission) } : { ok: false, message: result.detail };
    }
    case "requests.rejectPending":
      return { ok: true, value: await desk.rejectPending({ source: command.source }, command.actor, "cli", command.reason) };
    case "events.page":
      return { ok: true, value: await desk.eventsAfter(command.afterId, command.limit) };
    case "registrations.list":
      return { ok: true, value: await desk.listRegistrations() };
    case "registrations.revoke":
      return (await desk.revokeRegistration(command.guid, command.actor))
        ? { ok: true, value: { guid: command.guid, state: "revoked" } }
        : { ok: false, message: `There is no registration for ${command.guid}.` };
    case "slcs.list":
      return { ok: true, value: await listIssuedSlcs(db, command.limit) };
    case "slcs.revoke": {
      const result = await revokeSlc(handle, { serial: command.serial, reason: command.reason, actor: command.actor, channel: "cli", now });
      return result.ok ? { ok: true, value: result } : { ok: false, message: result.detail };
    }
    case "operators.add":
      return (await addOperator(db, command.name, command.password, now))
        ? { ok: true, value: { name: command.name } }
        : { ok: false, message: `An operator named ${command.name} already exists.` };
    case "operators.list":
      return { ok: true, value: await listOperators(db) };
    case "operators.remove":
      return (await removeOperator(db, command.name))
        ? { ok: true, value: { name: command.name } }
        : { ok: false, message: `There is no operator named ${command.name}.` };
  }
}

function adminSocketPath(dataDir: string): string {
  return path.join(dataDir, "admin.sock");
}

const MAX_COMMAND_BYTES = 16 * 1024;

/** Serves runAdminCommand on a Unix socket only the service's user can open (the folder is 0700, the socket 0600). */
export async function startAdminSocket(
  dataDir: string,
  execute: (command: AdminCommand) => Promise<AdminResult>,
): Promise<() => Promise<void>> {
  const socketPath = adminSocketPath(dataDir);
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_COMMAND_BYTES) req.destroy();
      else chunks.push(chunk);
    });
    req.on("end", () => {
      let parsed: ReturnType<typeof adminCommandSchema.safeParse>;
      try {
        parsed = adminCommandSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        parsed = adminCommandSchema.safeParse(undefined);
      }
      const reply = (result: AdminResult) => {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify(result));
      };
      if (!parsed.success) return reply({ ok: false, message: z.prettifyError(parsed.error) });
      execute(parsed.data).then(reply, (error: unknown) =>
        reply({ ok: false, message: error instanceof Error ? error.message : String(error) }),
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  fs.chmodSync(socketPath, 0o600);
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
}

/** Sends one command to a running service; null when no service listens on the socket. */
export function sendAdminCommand(dataDir: string, command: AdminCommand): Promise<AdminResult | null> {
  const payload = JSON.stringify(command);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: adminSocketPath(dataDir), method: "POST", path: "/", headers: { "Content-Type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")) as AdminResult);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT" || error.code === "ECONNREFUSED") resolve(null);
      else reject(error);
    });
    req.end(payload);
  });
}
