// `npm run enrollment -- <command>`: the enrollment service (`serve`, the default) and its operator's commands.
// Commands go to the running service through its admin socket, or straight to its store when it is not running.
import "reflect-metadata";
import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import { HsmError } from "@/lib/core/certificates/pkcs11-token";
import { type AdminCommand, type AdminResult, adminCommandSchema, runAdminCommand, sendAdminCommand } from "@/lib/enrollment/admin";
import { backupEnrollment, restoreEnrollment } from "@/lib/enrollment/backup";
import { createCaHierarchy } from "@/lib/enrollment/ca";
import { type EnrollmentConfig, enrollmentConfig } from "@/lib/enrollment/config";
import { openEnrollmentDatabase } from "@/lib/enrollment/db/client";
import { createDesk } from "@/lib/enrollment/desk";
import { createIssuePool } from "@/lib/enrollment/issue-pool";
import { startEnrollmentService } from "@/lib/enrollment/server";
import { openIssuingKey } from "@/lib/enrollment/signing-key";
import { EnrollmentStoreError, exportRootKey, initCa, loadOrCreateCa, moveServiceKeyToToken, reissueCa } from "@/lib/enrollment/store";
import { BackupError, passphraseSchema } from "@/lib/platform/backup/archive";
import { DatabaseLockedError, embeddedDatabaseExists } from "@/lib/platform/db/client";
import { tuneForShortLivedProcess } from "@/lib/platform/db/short-lived";

const USAGE = `Usage: npm run enrollment -- <command>
  serve                                   run the enrollment service (npm run start:enrollment)
  migrate                                 create or update the service's database, then exit (serve does it too)
  ca init --root-key-out <file> --passphrase-stdin
                                          create the CA hierarchy; the root key goes only to <file>, passphrase-protected
                                          (store it offline: the service runs with the issuing CA's key only)
  ca reissue --root-key <file> --passphrase-stdin
                                          a new issuing CA and signing certificate under the same root (service stopped)
  ca export-root --out <file> --passphrase-stdin
                                          move ca/root-key.pem of an older data folder off this station, passphrase-protected
  ca token-key [--key-label <label>]      a new SLC signing key generated in the PKCS#11 token (RMS_ENROLLMENT_PKCS11_*)
                                          and its certificate from the issuing CA; replaces the file key or an earlier
                                          token key (service stopped)
  requests list [--state pending_approval|issued|rejected|all]
  requests show <submission id | request id>
  requests approve <submission id> [--by <operator>]
  requests reject <submission id> --reason <text> [--by <operator>]
  requests reject-pending --reason <text> [--source <address>] [--by <operator>]
                                          every held request (from one address): a flood's answer
  submissions export [--output <file>]    every recorded outcome as JSON lines
  registrations list
  registrations revoke <cluster GUID> [--by <operator>]
                                          the cluster re-enrolls only with an operator's approval
  slcs list [--limit <n>]                 issued SLCs, newest first, with their revocation
  slcs revoke <serial> --reason <reason> [--by <operator>]
                                          revoke an SLC (listed on GET /crl); reason: keyCompromise, cACompromise,
                                          affiliationChanged, superseded, cessationOfOperation, unspecified
  operators add <name> --password-stdin   an account for the operator page
  operators list
  operators remove <name>
  backup <file> --passphrase-stdin        one consistent, encrypted backup (store, CA keys, TLS), while it runs
  restore <file> --passphrase-stdin [--force]
                                          restore onto an empty data folder and store (stop the service first)`;

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(USAGE);
  process.exit(2);
}

function readStdin(): string {
  return fs.readFileSync(0, "utf8").replace(/\r?\n$/, "");
}

function toCommand(positionals: string[], values: Record<string, string | boolean | undefined>): AdminCommand {
  const [noun, verb, arg] = positionals;
  const by = typeof values.by === "string" ? values.by : (process.env.USER ?? "operator");
  const raw: Record<string, unknown> | null = (() => {
    switch (`${noun} ${verb}`) {
      case "requests list":
        return { command: "requests.list", state: values.state };
      case "requests show":
        return { command: "requests.show", id: arg };
      case "requests approve":
        return { command: "requests.approve", id: arg, actor: by };
      case "requests reject":
        return { command: "requests.reject", id: arg, actor: by, reason: values.reason };
      case "requests reject-pending":
        return { command: "requests.rejectPending", actor: by, reason: values.reason, source: values.source };
      case "registrations list":
        return { command: "registrations.list" };
      case "registrations revoke":
        return { command: "registrations.revoke", guid: arg, actor: by };
      case "slcs list":
        return { command: "slcs.list", limit: values.limit === undefined ? undefined : Number(values.limit) };
      case "slcs revoke":
        return { command: "slcs.revoke", serial: arg, reason: values.reason, actor: by };
      case "operators add":
        if (!values["password-stdin"]) usage("operators add needs --password-stdin (the password is read from standard input).");
        return { command: "operators.add", name: arg, password: readStdin() };
      case "operators list":
        return { command: "operators.list" };
      case "operators remove":
        return { command: "operators.remove", name: arg };
      default:
        return null;
    }
  })();
  if (raw === null) usage(`Unknown command: ${positionals.join(" ") || "(none)"}`);
  const parsed = adminCommandSchema.safeParse(raw);
  if (!parsed.success) usage(z.prettifyError(parsed.error));
  return parsed.data;
}

/** Runs a command on the store directly (the service is not running); approving signs with a one-thread pool. */
async function runOffline(
  config: EnrollmentConfig,
  commands: AsyncIterable<AdminCommand> | AdminCommand[],
  each: (r: AdminResult) => Promise<boolean>,
) {
  const ca = await loadOrCreateCa({ dataDir: config.dataDir, organization: config.issuerName, createCa: createCaHierarchy });
  const handle = await openEnrollmentDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    pgSchema: config.databaseSchema,
  });
  const pool = createIssuePool(openIssuingKey(ca.material, config.pkcs11), { threads: 1 });
  try {
    const desk = createDesk({
      handle,
      pool,
      policy: config.policy,
      issuerName: config.issuerName,
      clock: () => new Date(),
      maxPendingPerSource: config.maxPendingPerSource,
      maxPending: config.maxPending,
    });
    for await (const command of commands) {
      if (!(await each(await runAdminCommand(desk, handle, command, new Date())))) break;
    }
  } finally {
    await pool.close();
    await handle.close();
  }
}

async function execute(config: EnrollmentConfig, command: AdminCommand): Promise<AdminResult> {
  const viaService = await sendAdminCommand(config.dataDir, command);
  if (viaService) return viaService;
  let result: AdminResult = { ok: false, message: "no result" };
  await runOffline(config, [command], async (r) => {
    result = r;
    return true;
  });
  return result;
}

async function exportEvents(config: EnrollmentConfig, output: string | undefined): Promise<void> {
  const out = output ? fs.createWriteStream(output, { mode: 0o600 }) : process.stdout;
  let afterId = 0;
  let count = 0;
  for (;;) {
    const result = await execute(config, { command: "events.page", afterId, limit: 1_000 });
    if (!result.ok) throw new Error(result.message);
    const page = z.array(z.object({ id: z.number() }).loose()).parse(result.value);
    for (const event of page) out.write(`${JSON.stringify(event)}\n`);
    count += page.length;
    const last = page.at(-1);
    if (!last || page.length < 1_000) break;
    afterId = last.id;
  }
  if (output) {
    await new Promise<void>((resolve) => (out as fs.WriteStream).end(resolve));
    console.error(`Exported ${count} events to ${output}.`);
  }
}

/** The passphrase for the offline root key, from standard input (never an argument: it would show in `ps`). */
function passphraseFromStdin(values: Record<string, string | boolean | undefined>): string {
  if (!values["passphrase-stdin"])
    usage("This command needs --passphrase-stdin (the passphrase for the root key is read from standard input).");
  return readStdin();
}

function requiredPath(values: Record<string, string | boolean | undefined>, option: string): string {
  const value = values[option];
  if (typeof value !== "string" || value.trim() === "") usage(`This command needs --${option} <file>.`);
  return value;
}

const keyLabelSchema = z
  .string()
  .trim()
  .min(1, "--key-label must not be empty")
  .max(64, "--key-label has at most 64 characters")
  .regex(/^[\x21-\x7e][\x20-\x7e]*$/, "--key-label must be printable ASCII");

/** `ca token-key`: the SLC signing key into the token; every token failure is one message and changes nothing. */
async function tokenKeyCommand(config: EnrollmentConfig, values: Record<string, string | boolean | undefined>) {
  if (!config.pkcs11) {
    usage(
      "ca token-key needs the token: set RMS_ENROLLMENT_PKCS11_MODULE, RMS_ENROLLMENT_PKCS11_TOKEN_LABEL (or _SLOT) and RMS_ENROLLMENT_PKCS11_PIN_FILE (or _PIN).",
    );
  }
  const label = keyLabelSchema.safeParse(values["key-label"] ?? "rms-enrollment-slc-signing");
  if (!label.success) usage(label.error.issues.map((i) => i.message).join(" "));
  let moved: Awaited<ReturnType<typeof moveServiceKeyToToken>>;
  try {
    moved = await moveServiceKeyToToken({
      dataDir: config.dataDir,
      organization: config.issuerName,
      settings: config.pkcs11,
      keyLabel: label.data,
    });
  } catch (error) {
    if (error instanceof HsmError || error instanceof EnrollmentStoreError) {
      console.error(`Error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const validTo = new X509Certificate(moved.serviceCertPem).validTo;
  console.log(
    `Generated the SLC signing key "${moved.ref.keyLabel}" (CKA_ID ${moved.ref.keyId}) inside the token "${moved.ref.tokenLabel}" (sensitive, not extractable) and issued its signing certificate (valid until ${validTo}); ca/service-key.token.json names it.`,
  );
  if (moved.replaced.kind === "file") console.log("The former signing key file ca/service-key.pem was overwritten and deleted.");
  else if (moved.replaced.destroyed)
    console.log(`The former token key "${moved.replaced.ref.keyLabel}" (CKA_ID ${moved.replaced.ref.keyId}) was destroyed.`);
  else {
    console.warn(
      `Warning: the former token key "${moved.replaced.ref.keyLabel}" (CKA_ID ${moved.replaced.ref.keyId}) could not be destroyed (${moved.replaced.problem}); remove it with the token's own tools.`,
    );
  }
  console.log("Start the service with the same RMS_ENROLLMENT_PKCS11_ settings; consoles keep trusting the same root.");
}

/** `ca init | reissue | export-root | token-key`: the service must not be running while its CA changes. */
async function caCommand(config: EnrollmentConfig, verb: string | undefined, values: Record<string, string | boolean | undefined>) {
  if (verb !== "init" && verb !== "reissue" && verb !== "export-root" && verb !== "token-key") {
    usage(`Unknown command: ca ${verb ?? ""}`.trim());
  }
  if (await sendAdminCommand(config.dataDir, { command: "operators.list" })) {
    console.error(
      `The enrollment service is running on ${config.dataDir}; stop it first, then run \`ca ${verb}\` again. Nothing was changed.`,
    );
    process.exit(1);
  }
  if (verb === "token-key") return tokenKeyCommand(config, values);
  if (verb === "init") {
    const out = requiredPath(values, "root-key-out");
    const loaded = await initCa({
      dataDir: config.dataDir,
      organization: config.issuerName,
      createCa: createCaHierarchy,
      rootKeyOut: out,
      passphrase: passphraseFromStdin(values),
    });
    console.log(`Created a new CA hierarchy in ${config.dataDir} (root fingerprint ${loaded.rootFingerprint}).`);
    console.log(
      `The root's private key is only in ${out}, protected by the passphrase. Store it offline (removable media in a safe) and remove it from this station; you need it and the passphrase to re-issue the issuing CA (\`ca reissue\`).`,
    );
    return;
  }
  if (verb === "export-root") {
    const out = requiredPath(values, "out");
    const { rootFingerprint } = await exportRootKey({ dataDir: config.dataDir, out, passphrase: passphraseFromStdin(values) });
    console.log(
      `Moved the root key (root fingerprint ${rootFingerprint}) off this station to ${out}, protected by the passphrase; ca/root-key.pem is deleted. Store ${out} offline and remove it from this station.`,
    );
    return;
  }
  const rootKeyFile = requiredPath(values, "root-key");
  const reissued = await reissueCa({
    dataDir: config.dataDir,
    organization: config.issuerName,
    rootKeyFile,
    passphrase: passphraseFromStdin(values),
  });
  console.log(
    `Issued a new issuing CA and signing certificate under the root ${reissued.rootFingerprint}; the TLS certificate is re-issued at the next start. Consoles keep trusting the same root. Put ${rootKeyFile} back offline.`,
  );
}

/**
 * A new embedded store is created and migrated by a child process (`migrate`) that exits, while this one creates its CA:
 * creating a PGlite database leaves some 400 MB of dead WebAssembly memory (initdb's instance) in the process that did
 * it, until a full GC.
 */
function createStoreApart(config: EnrollmentConfig): Promise<void> {
  const storeDir = path.join(config.dataDir, "db");
  if (config.databaseUrl || embeddedDatabaseExists(storeDir)) return Promise.resolve();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1] ?? "scripts/enrollment.ts", "migrate"], {
      env: process.env,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const failed = (why: string) => {
      console.error(`Enrollment service cannot start: creating its database in ${storeDir} failed (${why}).`);
      process.exit(1);
    };
    child.on("error", (error) => failed(error.message));
    child.on("exit", (code, signal) => (code === 0 ? resolve() : failed(signal ?? `exit code ${code}; see above`)));
  });
}

async function serve(config: EnrollmentConfig): Promise<void> {
  let service: Awaited<ReturnType<typeof startEnrollmentService>>;
  try {
    // With a token the store waits until the token has been opened: a wrong PIN on a first start leaves no store behind.
    service = await startEnrollmentService({
      ...config,
      storeReady: config.pkcs11 ? () => createStoreApart(config) : createStoreApart(config),
    });
  } catch (error) {
    if (error instanceof EnrollmentStoreError || error instanceof HsmError) {
      console.error(`Enrollment service cannot start: ${error.message}`);
    } else if (error instanceof Error && "code" in error && error.code === "EADDRINUSE") {
      console.error(
        `Enrollment service cannot start: ${config.host}:${config.port} is already in use. Stop the other process or set RMS_ENROLLMENT_PORT to a free port.`,
      );
    } else {
      console.error("Enrollment service cannot start:", error);
    }
    process.exit(1);
  }
  if (service.caCreated) {
    console.log(`Created a new CA hierarchy in ${config.dataDir} (root fingerprint ${service.rootFingerprint}).`);
    console.log(
      "Its root key was not kept: nothing on this station can sign a new issuing CA. For a root you can re-issue from, create the hierarchy with `npm run enrollment -- ca init --root-key-out <file> --passphrase-stdin` before the first start, and keep that file offline.",
    );
  }
  const daysLeft = Math.floor((service.serviceCertificateValidUntil.getTime() - Date.now()) / 86_400_000);
  if (daysLeft < 60) {
    console.warn(
      `Warning: the enrollment service's signing certificate ${daysLeft < 0 ? "has expired" : `expires in ${daysLeft} days`} (${service.serviceCertificateValidUntil.toISOString()}); consoles will reject SLCs it signs once it has expired.`,
    );
  }
  console.log(
    `Enrollment service listening on ${service.url} (policy: ${service.policy}${service.policy === "open" ? ", for demos only" : ""}; store: ${service.database.kind}; ${service.issueWorkers} issuing workers; TLS certificate: ${service.tlsSource}).`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`Enrollment service stopping (${signal}).`);
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("Enrollment service did not stop cleanly:", error);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/** backup/restore: the CA keys are in the archive, so a passphrase (from standard input) always protects it. */
async function backupOrRestore(config: EnrollmentConfig, positionals: string[], values: Record<string, string | boolean | undefined>) {
  const [command, file, ...extra] = positionals;
  if (!file || extra.length > 0)
    usage(`Usage: npm run enrollment -- ${command} <file> --passphrase-stdin${command === "restore" ? " [--force]" : ""}`);
  if (command === "backup" && values.force) usage("--force is an option of restore only.");
  if (!values["passphrase-stdin"]) {
    usage(
      `${command} needs --passphrase-stdin: the archive holds the CA's private keys, so a passphrase (first line of standard input) protects it.`,
    );
  }
  const passphrase = readStdin().split(/\r?\n/)[0] ?? "";
  const checked = passphraseSchema.safeParse(passphrase);
  if (command === "backup" && !checked.success) usage(checked.error.issues.map((i) => i.message).join(" "));
  const progress = (line: string) => console.error(line);
  try {
    if (command === "backup") {
      const summary = await backupEnrollment(file, config, passphrase, progress);
      console.log(
        `Wrote ${file}: ${Object.keys(summary.tables).length} tables, ${summary.rows} rows, ${summary.files} files (CA and TLS), ${summary.bytes} bytes (database schema ${summary.schemaVersion}; encrypted with the passphrase).`,
      );
    } else {
      const summary = await restoreEnrollment(file, config, { passphrase, force: values.force === true }, progress);
      const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0);
      console.log(
        `Restored ${file}: ${Object.keys(summary.tables).length} tables, ${rows} rows, ${summary.files} files. Start the service.`,
      );
    }
  } catch (error) {
    if (error instanceof BackupError || error instanceof DatabaseLockedError) {
      console.error(`Error: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  const OPTIONS = {
    state: { type: "string" },
    by: { type: "string" },
    reason: { type: "string" },
    source: { type: "string" },
    limit: { type: "string" },
    output: { type: "string" },
    out: { type: "string" },
    "root-key-out": { type: "string" },
    "root-key": { type: "string" },
    "key-label": { type: "string" },
    "password-stdin": { type: "boolean" },
    "passphrase-stdin": { type: "boolean" },
    force: { type: "boolean" },
    help: { type: "boolean" },
  } as const;
  try {
    parsed = parseArgs({ args: process.argv.slice(2), options: OPTIONS, allowPositionals: true });
  } catch (error) {
    usage(error instanceof Error ? error.message : String(error));
  }
  if (parsed.values.help) usage();
  const loaded = enrollmentConfig();
  if (!loaded.ok) {
    console.error(loaded.message);
    process.exit(2);
  }
  const config = loaded.config;
  const positionals = parsed.positionals;
  if (positionals.length === 0 || positionals[0] === "serve") return serve(config);
  // Every other command opens the store, does its work and exits.
  tuneForShortLivedProcess();
  if (positionals[0] === "migrate") {
    const handle = await openEnrollmentDatabase({
      dataDir: config.dataDir,
      databaseUrl: config.databaseUrl,
      pgSchema: config.databaseSchema,
    });
    await handle.close();
    return;
  }
  if (positionals[0] === "backup" || positionals[0] === "restore") return backupOrRestore(config, positionals, parsed.values);
  if (positionals[0] === "submissions" && positionals[1] === "export") return exportEvents(config, parsed.values.output);
  if (positionals[0] === "ca") return caCommand(config, positionals[1], parsed.values);
  const result = await execute(config, toCommand(positionals, parsed.values));
  if (!result.ok) {
    console.error(result.message);
    process.exit(1);
  }
  console.log(JSON.stringify(result.value, null, 2));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
