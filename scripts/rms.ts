// The rms command-line tool: accounts and groups, and the cluster commands for automation (list, status as a
// monitoring check, online renewal, offline export and import), directly on the database and the same domain
// functions as the pages (audited as cli:<os user>), and the master key check a console sharing a database runs.
import fs from "node:fs";
import os from "node:os";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import {
  type Account,
  type AccountFailure,
  type AuditContext,
  addGroupMember,
  createAccount,
  groupNameSchema,
  listAccounts,
  MIN_PASSWORD_LENGTH,
  removeAccount,
  removeGroupMember,
  userNameSchema,
} from "@/lib/console/auth/accounts";
import { createSetupToken, needsSetup } from "@/lib/console/auth/setup-tokens";
import { BACKUP_USAGE, isBackupCommand, runConsoleBackupCli } from "@/lib/console/cli/backup-commands";
import {
  type ClusterCommandIo,
  clusterStatus,
  exportRequestCommand,
  findCluster,
  formatClusterList,
  importCommand,
  listClusters,
  renewOnlineCommand,
  STATUS_EXIT,
} from "@/lib/console/cli/cluster-commands";
import { rotateMasterKeyCommand, stageMasterKeyCommand, verifyKeysCommand, whereKeysCommand } from "@/lib/console/cli/keys-command";
import {
  REKEY_USAGE,
  rekeyCancelCommand,
  rekeyImportCommand,
  rekeySendCommand,
  rekeyStartCommand,
  rekeyStatusCommand,
} from "@/lib/console/cli/rekey-commands";
import { textTable, utcMinute } from "@/lib/console/cli/text";
import { setupLink } from "@/lib/console/config/console-origin";
import { EnvError, env } from "@/lib/console/env";
import { masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { renewalContextFrom } from "@/lib/console/renewal/settings-context";
import { checkRevocation } from "@/lib/console/revocation/check";
import type { MasterKeySettings } from "@/lib/core/certificates/key-encryption";
import { type Database, DatabaseLockedError, embeddedDatabaseExists, migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { tuneForShortLivedProcess } from "@/lib/platform/db/short-lived";

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
const SETUP_LINK_MINUTES = 60;

export const USAGE = `Usage: npm run rms -- <command>

Commands:
  user add <name> --group <group> [--group <group>...] --password-stdin
                        Create an account. The password is the first line of standard input
                        (at least ${MIN_PASSWORD_LENGTH} characters), e.g.  printf '%s\\n' "$PW" | npm run rms -- user add ...
  user list             List accounts with their groups.
  user remove <name>    Remove an account and end its sessions.
  group add-member <group> <name>
  group remove-member <group> <name>
                        Change group membership; the account's sessions end.
  cluster list [--json] List clusters with their SLC expiry and status.
  cluster status <cluster> [--json]
                        One cluster's SLC status, as a monitoring check: exit 0 valid, 1 expires
                        within 30 days, 2 expired, 3 unknown (no such cluster, no database).
  renew <cluster> --online
                        Renew the SLC online at the enrollment service (RMS_ENROLLMENT_URL).
  export-request <cluster> [--out <file>]
                        Offline renewal, step 1: write a signed renewal request (replaces any pending one).
  import <cluster> <file> [--yes]
                        Offline renewal, last step: check the signed certificate, print every check,
                        and install it after asking (on a terminal) or with --yes.
${REKEY_USAGE}
  keys verify           Check that this console's master key (RMS_MASTER_KEY, RMS_MASTER_KEY_FILE or
                        RMS_DATA_DIR/master.key) decrypts every cluster key in the database:
                        exit 0 if it does, 1 if not. Run it before starting a second console.
  keys stage            Reset the master key, step 1 with several consoles: make the next master key
                        (<key file>.next, mode 600) to copy to every other console first.
  keys rotate           Reset the master key: re-encrypt every stored key under the next key (the
                        staged one, else a new one) in one transaction, then wipe the old key file.
                        With several consoles: stage, copy, rotate on one, then on each other one.
  keys where            Where each cluster's key lives: a file key (encrypted under the master key) or
                        a PKCS#11 token (token label, key label, CKA_ID), checked in the token when
                        RMS_PKCS11_* is set. New keys go to the token with RMS_CLUSTER_KEY_STORE=pkcs11.
${BACKUP_USAGE}
  revocation check      Fetch the enrollment service's signed revocation list (CRL), verify it against the
                        trust anchors, store it and report revoked installed SLCs: exit 0 when verified,
                        1 when the status is unknown (unreachable, not signed by a trusted CA, stale).
  setup-link            Print a new one-time link that creates the first administrator in the
                        browser (valid for ${SETUP_LINK_MINUTES} minutes), while there is none.
  help                  Show this help.

Options:
  --create              Create a new, empty embedded database if RMS_DATA_DIR holds none.

<cluster> is the cluster GUID, its cluster name or its web site's name.
Only members of "Administrators" or "Domain Admins" may administer RMS. Quote group names
that contain spaces: --group "Domain Admins".
The database is DATABASE_URL when set, else the embedded one in RMS_DATA_DIR (default ./data):
use the same settings as the console. Each command names the database it opened.`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads the first line of standard input (without the line ending). */
  readPasswordLine: () => Promise<string>;
  /** Opens the database, creating a new embedded one only when `create`; throws MissingDatabaseError otherwise. */
  openDatabase: (opts: { create: boolean }) => Promise<OpenedDatabase>;
  /** RMS_ADMIN_GROUPS: membership in any other group grants nothing. */
  adminGroups: string[];
  /** The console's setup link for a token. */
  setupLink: (token: string) => string;
  /** What a renewal needs besides the database (keys, trust anchors, enrollment service), from the console's settings. */
  renewalContext: (db: Database) => RenewalContext;
  /** Where this console's master key comes from. */
  masterKeySettings: () => MasterKeySettings;
  /** Files and the terminal for the cluster commands. */
  cluster: Omit<ClusterCommandIo, "stdout" | "stderr">;
  actor: string;
}

export interface OpenedDatabase {
  db: Database;
  /** Which database, for the operator: the embedded data folder, or the PostgreSQL URL without its password. */
  name: string;
  close(): Promise<void>;
}

/** No console database where the settings point, and --create was not given. */
export class MissingDatabaseError extends Error {}

/** The PostgreSQL URL as it may be shown: any password replaced by ***. */
export function maskDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(DATABASE_URL, not shown: it is not a valid URL)";
  }
}

/**
 * Whether the CLI may open the embedded database in dataDir: one exists there, or --create was given. Otherwise a
 * mistyped or missing RMS_DATA_DIR would silently create an empty database (./data by default) and report no accounts.
 */
export function missingDatabaseMessage(opts: { dataDir: string; create: boolean; dataDirNamed: boolean }): string | null {
  if (opts.create || embeddedDatabaseExists(opts.dataDir)) return null;
  return (
    `There is no console database in ${opts.dataDir}${opts.dataDirNamed ? "" : " (RMS_DATA_DIR is not set; ./data is the default)"}. ` +
    "Set RMS_DATA_DIR to the console's data folder (the one `npm start` uses), or DATABASE_URL if the console uses PostgreSQL; " +
    "or pass --create to make a new, empty database there."
  );
}

const name = userNameSchema;
const group = groupNameSchema;
const clusterReference = z.string().trim().min(1, "Give the cluster's GUID, name or web site name.").max(256);

const commandSchema = z.discriminatedUnion("command", [
  z.object({ command: z.literal("help") }),
  z.object({
    command: z.literal("user add"),
    userName: name,
    groups: z.array(group).min(1, "Give at least one --group (for an administrator: --group Administrators)."),
    passwordStdin: z.literal(
      true,
      "Pass --password-stdin and give the password on standard input; passwords are never taken from the command line.",
    ),
  }),
  z.object({ command: z.literal("user list") }),
  z.object({ command: z.literal("user remove"), userName: name }),
  z.object({ command: z.literal("group add-member"), groupName: group, userName: name }),
  z.object({ command: z.literal("group remove-member"), groupName: group, userName: name }),
  z.object({ command: z.literal("setup-link") }),
  z.object({ command: z.literal("keys verify") }),
  z.object({ command: z.literal("keys stage") }),
  z.object({ command: z.literal("keys rotate") }),
  z.object({ command: z.literal("keys where") }),
  z.object({ command: z.literal("revocation check") }),
  z.object({ command: z.literal("cluster list"), json: z.boolean() }),
  z.object({ command: z.literal("cluster status"), cluster: clusterReference, json: z.boolean() }),
  z.object({
    command: z.literal("renew"),
    cluster: clusterReference,
    online: z.literal(true, "Only --online renewal runs from the CLI; for offline renewal use export-request, then import."),
  }),
  z.object({ command: z.literal("export-request"), cluster: clusterReference, out: z.string().min(1).max(4096).optional() }),
  z.object({ command: z.literal("import"), cluster: clusterReference, file: z.string().min(1).max(4096), yes: z.boolean() }),
  z.object({
    command: z.literal("rekey start"),
    cluster: clusterReference,
    online: z.boolean(),
    out: z.string().min(1).max(4096).optional(),
  }),
  z.object({ command: z.literal("rekey send"), cluster: clusterReference }),
  z.object({ command: z.literal("rekey import"), cluster: clusterReference, file: z.string().min(1).max(4096), yes: z.boolean() }),
  z.object({ command: z.literal("rekey cancel"), cluster: clusterReference }),
  z.object({ command: z.literal("rekey status"), cluster: clusterReference }),
]);
type Command = z.infer<typeof commandSchema> & { create?: boolean };

class UsageError extends Error {}

function expectPositionals(positionals: string[], count: number, usage: string): string[] {
  if (positionals.length !== count) throw new UsageError(`Usage: npm run rms -- ${usage}`);
  return positionals;
}

const OPTIONS_CONFIG = {
  group: { type: "string", multiple: true },
  "password-stdin": { type: "boolean" },
  create: { type: "boolean" },
  json: { type: "boolean" },
  online: { type: "boolean" },
  offline: { type: "boolean" },
  out: { type: "string" },
  yes: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** argv (after the script name) → a validated command, or a UsageError saying what is wrong. */
export function parseCommand(argv: string[]): Command {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: typeof OPTIONS_CONFIG }>>;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: OPTIONS_CONFIG,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  const [noun, verb, ...rest] = positionals;
  if (values.help || noun === undefined || noun === "help") return { command: "help" };

  const onlyFor = (allowed: boolean, option: string) => {
    if (!allowed) throw new UsageError(`${option} is not an option of "${noun} ${verb ?? ""}".`.replace(' ".', '".'));
  };
  let raw: Record<string, unknown>;
  // One-word commands take their arguments right after the command name.
  const single = ["setup-link", "renew", "export-request", "import"].includes(noun);
  const key = single ? noun : `${noun} ${verb ?? ""}`.trim();
  const args = single ? (verb === undefined ? [] : [verb, ...rest]) : rest;
  onlyFor(values.group === undefined || key === "user add", "--group");
  onlyFor(values["password-stdin"] === undefined || key === "user add", "--password-stdin");
  onlyFor(values.json === undefined || key === "cluster list" || key === "cluster status", "--json");
  onlyFor(values.online === undefined || key === "renew" || key === "rekey start", "--online");
  onlyFor(values.offline === undefined || key === "rekey start", "--offline");
  onlyFor(values.out === undefined || key === "export-request" || (key === "rekey start" && values.offline === true), "--out");
  onlyFor(values.yes === undefined || key === "import" || key === "rekey import", "--yes");
  switch (key) {
    case "user add": {
      const [userName] = expectPositionals(rest, 1, "user add <name> --group <group> [--group <group>...] --password-stdin");
      raw = { command: key, userName, groups: values.group ?? [], passwordStdin: values["password-stdin"] ?? false };
      break;
    }
    case "user list":
      expectPositionals(rest, 0, "user list");
      raw = { command: key };
      break;
    case "user remove": {
      const [userName] = expectPositionals(rest, 1, "user remove <name>");
      raw = { command: key, userName };
      break;
    }
    case "setup-link":
      expectPositionals(args, 0, "setup-link");
      raw = { command: key };
      break;
    case "keys verify":
    case "keys stage":
    case "keys rotate":
      expectPositionals(args, 0, key);
      raw = { command: key };
      break;
    case "keys where":
      expectPositionals(args, 0, "keys where");
      raw = { command: key };
      break;
    case "revocation check":
      expectPositionals(args, 0, "revocation check");
      raw = { command: key };
      break;
    case "cluster list":
      expectPositionals(args, 0, "cluster list [--json]");
      raw = { command: key, json: values.json ?? false };
      break;
    case "cluster status": {
      const [cluster] = expectPositionals(args, 1, "cluster status <cluster> [--json]");
      raw = { command: key, cluster, json: values.json ?? false };
      break;
    }
    case "renew": {
      const [cluster] = expectPositionals(args, 1, "renew <cluster> --online");
      raw = { command: key, cluster, online: values.online ?? false };
      break;
    }
    case "export-request": {
      const [cluster] = expectPositionals(args, 1, "export-request <cluster> [--out <file>]");
      raw = { command: key, cluster, out: values.out };
      break;
    }
    case "import": {
      const [cluster, file] = expectPositionals(args, 2, "import <cluster> <file> [--yes]");
      raw = { command: key, cluster, file, yes: values.yes ?? false };
      break;
    }
    case "rekey start": {
      const [cluster] = expectPositionals(args, 1, "rekey start <cluster> --online | --offline [--out <file>]");
      if ((values.online === true) === (values.offline === true)) {
        throw new UsageError("Give exactly one of --online (send the re-key request now) or --offline (write it to a file).");
      }
      raw = { command: key, cluster, online: values.online === true, out: values.out };
      break;
    }
    case "rekey send":
    case "rekey cancel":
    case "rekey status": {
      const [cluster] = expectPositionals(args, 1, `${key} <cluster>`);
      raw = { command: key, cluster };
      break;
    }
    case "rekey import": {
      const [cluster, file] = expectPositionals(args, 2, "rekey import <cluster> <file> [--yes]");
      raw = { command: key, cluster, file, yes: values.yes ?? false };
      break;
    }
    case "group add-member":
    case "group remove-member": {
      const [groupName, userName] = expectPositionals(rest, 2, `${key} <group> <name>`);
      raw = { command: key, groupName, userName };
      break;
    }
    default:
      throw new UsageError(`Unknown command "${positionals.join(" ")}". Run "npm run rms -- help" for the list.`);
  }
  const result = commandSchema.safeParse(raw);
  if (!result.success) throw new UsageError(result.error.issues.map((i) => i.message).join("\n"));
  return values.create ? { ...result.data, create: true } : result.data;
}

/** A plain text table; the widths follow the content. */
export function formatAccountTable(accounts: Account[]): string {
  return textTable([
    ["USER", "GROUPS", "CREATED"],
    ...accounts.map((a) => [a.userName, a.groups.join(", ") || "-", utcMinute(a.createdAt)]),
  ]);
}

/** Groups are free text: say so when none of the given ones lets the account administer. */
function warnIfPowerless(io: CliIo, groups: string[]): void {
  const admin = new Set(io.adminGroups.map((g) => g.toLowerCase()));
  if (groups.length === 0 || groups.some((g) => admin.has(g.toLowerCase()))) return;
  io.stderr(
    `Warning: ${groups.map((g) => `"${g}"`).join(", ")} grants nothing in this console: only members of ${io.adminGroups.join(" or ")} ` +
      "(RMS_ADMIN_GROUPS) may administer; this account will be shown Access denied.",
  );
}

function failure(io: CliIo, result: AccountFailure): number {
  io.stderr(`Error: ${result.message}`);
  return EXIT_FAILURE;
}

/** Runs one command; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`${error.message}\n\n${USAGE}`);
    // A monitoring check that cannot run reports UNKNOWN, not a status.
    return argv[0] === "cluster" && argv[1] === "status" ? STATUS_EXIT.unknown : EXIT_USAGE;
  }
  if (command.command === "help") {
    io.stdout(USAGE);
    return EXIT_OK;
  }

  let password = "";
  if (command.command === "user add") {
    password = await io.readPasswordLine();
    if (password === "") {
      io.stderr(
        "Error: no password on standard input. Give the password as the first line, e.g. printf '%s\\n' \"$PW\" | npm run rms -- user add ...",
      );
      return EXIT_USAGE;
    }
  }

  let database: OpenedDatabase;
  try {
    database = await io.openDatabase({ create: command.create === true });
  } catch (error) {
    if (error instanceof DatabaseLockedError || error instanceof EnvError || error instanceof MissingDatabaseError) {
      io.stderr(`Error: ${error.message}`);
      return command.command === "cluster status" ? STATUS_EXIT.unknown : EXIT_FAILURE;
    }
    throw error;
  }
  io.stderr(`Database: ${database.name}`);
  const audit: AuditContext = { actor: io.actor, remoteAddress: null };
  const renewalActor = { name: io.actor, remoteAddress: null };
  const clusterIo: ClusterCommandIo = { ...io.cluster, stdout: io.stdout, stderr: io.stderr };
  try {
    const { db } = database;
    switch (command.command) {
      case "user add": {
        const result = await createAccount(db, { userName: command.userName, password, groups: command.groups, audit });
        if (!result.ok) return failure(io, result);
        const groups = result.account.groups.join(", ");
        io.stdout(`Created account ${result.account.userName} in ${groups}.`);
        warnIfPowerless(io, command.groups);
        return EXIT_OK;
      }
      case "user list": {
        const accounts = await listAccounts(db);
        io.stdout(
          accounts.length === 0
            ? "No accounts yet. Create one with: npm run rms -- user add <name> --group Administrators --password-stdin"
            : formatAccountTable(accounts),
        );
        return EXIT_OK;
      }
      case "user remove": {
        const result = await removeAccount(db, { userName: command.userName, audit });
        if (!result.ok) return failure(io, result);
        io.stdout(`Removed account ${result.account.userName}; its sessions have ended.`);
        return EXIT_OK;
      }
      case "group add-member": {
        const result = await addGroupMember(db, { groupName: command.groupName, userName: command.userName, audit });
        if (!result.ok) return failure(io, result);
        io.stdout(`Added ${result.userName} to ${result.groupName}.`);
        warnIfPowerless(io, [command.groupName]);
        return EXIT_OK;
      }
      case "group remove-member": {
        const result = await removeGroupMember(db, { groupName: command.groupName, userName: command.userName, audit });
        if (!result.ok) return failure(io, result);
        io.stdout(`Removed ${result.userName} from ${result.groupName}; their sessions have ended.`);
        return EXIT_OK;
      }
      case "cluster list": {
        io.stdout(formatClusterList(await listClusters(db), new Date(), command.json));
        return EXIT_OK;
      }
      case "cluster status": {
        const status = clusterStatus(await findCluster(db, command.cluster), command.cluster, new Date(), command.json);
        io.stdout(status.text);
        return status.code;
      }
      case "renew":
        return await renewOnlineCommand(io.renewalContext(db), command.cluster, renewalActor, clusterIo);
      case "export-request":
        return await exportRequestCommand(io.renewalContext(db), command.cluster, command.out, renewalActor, clusterIo);
      case "import":
        return await importCommand(
          io.renewalContext(db),
          { reference: command.cluster, file: command.file, yes: command.yes, actor: renewalActor },
          clusterIo,
        );
      case "rekey start":
        return await rekeyStartCommand(
          io.renewalContext(db),
          { reference: command.cluster, actor: renewalActor, online: command.online, out: command.out },
          clusterIo,
        );
      case "rekey send":
        return await rekeySendCommand(io.renewalContext(db), { reference: command.cluster, actor: renewalActor }, clusterIo);
      case "rekey import":
        return await rekeyImportCommand(
          io.renewalContext(db),
          { reference: command.cluster, actor: renewalActor, file: command.file, yes: command.yes },
          clusterIo,
        );
      case "rekey cancel":
        return await rekeyCancelCommand(io.renewalContext(db), { reference: command.cluster, actor: renewalActor }, clusterIo);
      case "rekey status":
        return await rekeyStatusCommand(io.renewalContext(db), command.cluster, clusterIo);
      case "keys verify":
        return await verifyKeysCommand(db, io.masterKeySettings(), io);
      case "keys stage":
        return await stageMasterKeyCommand(db, io.masterKeySettings(), io);
      case "keys rotate":
        return await rotateMasterKeyCommand(db, io.masterKeySettings(), io);
      case "keys where":
        return await whereKeysCommand(db, io.renewalContext(db).pkcs11 ?? null, io);
      case "revocation check": {
        // On demand, what the monitor does each round: fetch and verify the CRL, store it, audit a revoked SLC.
        const check = await checkRevocation(io.renewalContext(db), { now: new Date(), actor: io.actor });
        for (const event of check.events) {
          io.stdout(
            `REVOKED: cluster ${event.clusterName} (${event.clusterGuid}), SLC ${event.serialNumber}: ${event.reason} on ${event.revokedAt}.`,
          );
        }
        if (check.state === "unknown") {
          io.stderr(`Revocation status unknown: ${check.detail}`);
          return EXIT_FAILURE;
        }
        io.stdout(`Revocation list verified: ${check.entries} revoked; next update ${check.nextUpdate.toISOString()}.`);
        return EXIT_OK;
      }
      case "setup-link": {
        if (!(await needsSetup(db))) {
          io.stderr(
            "Error: an administrator already exists, so a setup link would not work. Sign in with that account, or create one with: " +
              "npm run rms -- user add <name> --group Administrators --password-stdin",
          );
          return EXIT_FAILURE;
        }
        const token = await createSetupToken(db, { now: new Date(), ttlMinutes: SETUP_LINK_MINUTES });
        io.stdout(
          `Create the first administrator (link valid for ${SETUP_LINK_MINUTES} minutes, single use):\n\n    ${io.setupLink(token)}\n`,
        );
        return EXIT_OK;
      }
    }
  } finally {
    await database.close();
  }
}

const MAX_STDIN_BYTES = 64 * 1024;

/** The first line of standard input; reads no further than the first newline (or a 64 KiB cap). */
export async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk);
    chunks.push(buffer);
    size += buffer.length;
    if (buffer.includes(0x0a) || size >= MAX_STDIN_BYTES) break;
  }
  const text = Buffer.concat(chunks).subarray(0, MAX_STDIN_BYTES).toString("utf8");
  const newline = text.indexOf("\n");
  return (newline === -1 ? text : text.slice(0, newline)).replace(/\r$/, "");
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve) => {
    let value = "";
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write("\n");
      resolve(value);
    };
    const onData = (input: string) => {
      for (const ch of input) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") return finish();
        if (ch === "\u0003") {
          value = "";
          return finish();
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (value.length < MAX_STDIN_BYTES) value += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** A y/N question on the terminal. */
async function askYesNo(question: string): Promise<boolean> {
  const readline = await import("node:readline/promises");
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes|j|ja)$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

const osUserName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\s\p{Cc}]+$/u);

function processOwner(): string | undefined {
  try {
    return os.userInfo().username;
  } catch {
    return process.getuid ? String(process.getuid()) : undefined;
  }
}

/**
 * Who ran the command, for the audit log (cli:<name>): the user who invoked sudo (SUDO_USER), else the login user
 * (USER), else the process owner. A value that is not a plausible user name is passed over.
 */
export function invokingUser(source: Record<string, string | undefined>, owner: () => string | undefined = processOwner): string {
  for (const candidate of [source.SUDO_USER, source.USER]) {
    const parsed = osUserName.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return osUserName.safeParse(owner()).data ?? "unknown";
}

async function main(): Promise<void> {
  tuneForShortLivedProcess();
  const io: CliIo = {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    readPasswordLine: () => (process.stdin.isTTY ? promptHidden("Password: ") : readFirstLine(process.stdin)),
    openDatabase: async ({ create }) => {
      const config = env();
      if (!config.DATABASE_URL) {
        const missing = missingDatabaseMessage({
          dataDir: config.dataDir,
          create,
          dataDirNamed: Boolean(process.env.RMS_DATA_DIR?.trim()),
        });
        if (missing) throw new MissingDatabaseError(missing);
      }
      const handle = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.DATABASE_URL });
      try {
        await migrateDatabase(handle);
      } catch (error) {
        await handle.close();
        throw error;
      }
      const name = config.DATABASE_URL ? `PostgreSQL ${maskDatabaseUrl(config.DATABASE_URL)}` : `embedded, in ${config.dataDir}`;
      return { db: handle.db, name, close: () => handle.close() };
    },
    setupLink: (token) => setupLink(env(), token),
    get adminGroups() {
      return env().RMS_ADMIN_GROUPS;
    },
    renewalContext: (db) => renewalContextFrom(env(), db),
    masterKeySettings: () => masterKeySettings(env()),
    cluster: {
      readFile: async (file) => new Uint8Array(await fs.promises.readFile(file)),
      writeFile: (file, data) => fs.promises.writeFile(file, data, { flag: "wx" }),
      confirm: (question) => (process.stdin.isTTY ? askYesNo(question) : Promise.resolve(null)),
    },
    actor: `cli:${invokingUser(process.env)}`,
  };
  let code: number;
  try {
    const argv = process.argv.slice(2);
    code = isBackupCommand(argv)
      ? await runConsoleBackupCli(argv, {
          stdout: io.stdout,
          stderr: io.stderr,
          settings: () => {
            const config = env();
            return {
              dataDir: config.dataDir,
              databaseUrl: config.DATABASE_URL,
              trustAnchorsPath: config.trustAnchorsPath,
              masterKey: masterKeySettings(config),
            };
          },
          readStdinLine: () => readFirstLine(process.stdin),
          prompt: process.stdin.isTTY ? promptHidden : null,
        })
      : await runCli(argv, io);
  } catch (error) {
    process.stderr.write(`Error: ${error instanceof Error ? error.message : String(error)}\n`);
    code = EXIT_FAILURE;
  }
  process.exit(code);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
