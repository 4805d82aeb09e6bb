// `npm run rms -- backup <file>` and `npm run rms -- restore <file>` (lib/console/backup/console.ts does the work): argument
// checks, the passphrase (standard input or a hidden prompt, never the command line) and what the operator is told.
import { parseArgs } from "node:util";
import { z } from "zod";
import { backupConsole, type ConsoleBackupSettings, restoreConsole } from "@/lib/console/backup/console";
import { KeyEncryptionError } from "@/lib/core/certificates/key-encryption";
import { BackupError, passphraseSchema, readArchiveHeader } from "@/lib/platform/backup/archive";
import { DatabaseLockedError } from "@/lib/platform/db/client";

export const BACKUP_USAGE = `  backup <file> [--include-master-key] [--passphrase-stdin]
                        Write one consistent, encrypted backup of the console (database, trust anchors)
                        while it runs. Encrypted with the master key, or with a passphrase
                        (--passphrase-stdin, or asked on a terminal); --include-master-key adds the
                        master key and needs a passphrase.
  restore <file> [--force] [--passphrase-stdin]
                        Restore a backup onto an empty data folder or database (stop the console first);
                        --force replaces what a database holds (old files are kept beside them).`;

export interface BackupCliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  settings: () => ConsoleBackupSettings;
  /** The first line of standard input. */
  readStdinLine: () => Promise<string>;
  /** A hidden prompt on the terminal, or null when there is no terminal. */
  prompt: ((question: string) => Promise<string>) | null;
}

const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

const fileSchema = z.string().trim().min(1, "Give the backup file.").max(4096);

export function isBackupCommand(argv: string[]): boolean {
  return argv[0] === "backup" || argv[0] === "restore";
}

/** The passphrase from standard input or the terminal (asked twice when it protects a new backup); null with a message. */
async function readPassphrase(
  io: Pick<BackupCliIo, "readStdinLine" | "prompt" | "stderr">,
  opts: { stdin: boolean; confirm: boolean },
): Promise<string | null> {
  let passphrase: string;
  if (opts.stdin) passphrase = await io.readStdinLine();
  else if (io.prompt) {
    passphrase = await io.prompt("Backup passphrase: ");
    if (opts.confirm && (await io.prompt("The same passphrase again: ")) !== passphrase) {
      io.stderr("Error: the two passphrases differ; nothing was written.");
      return null;
    }
  } else {
    io.stderr("Error: a passphrase is needed: pass --passphrase-stdin and give it as the first line of standard input.");
    return null;
  }
  const parsed = passphraseSchema.safeParse(passphrase);
  if (!parsed.success && opts.confirm) {
    io.stderr(`Error: ${parsed.error.issues.map((i) => i.message).join(" ")}`);
    return null;
  }
  return passphrase;
}

function describeFailure(error: unknown): string | null {
  if (error instanceof BackupError || error instanceof DatabaseLockedError || error instanceof KeyEncryptionError) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT" || code === "EACCES" || code === "EISDIR") return (error as Error).message;
  return null;
}

export async function runConsoleBackupCli(argv: string[], io: BackupCliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: typeof OPTIONS }>>;
  const OPTIONS = {
    "include-master-key": { type: "boolean" },
    "passphrase-stdin": { type: "boolean" },
    force: { type: "boolean" },
  } as const;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    io.stderr(`${error instanceof Error ? error.message : String(error)}\n\nUsage:\n${BACKUP_USAGE}`);
    return EXIT_USAGE;
  }
  const [command, ...rest] = parsed.positionals;
  const { values } = parsed;
  const file = fileSchema.safeParse(rest[0]);
  const misplaced = command === "backup" ? values.force : values["include-master-key"];
  if (rest.length !== 1 || !file.success || misplaced) {
    io.stderr(
      `${misplaced ? `${command === "backup" ? "--force" : "--include-master-key"} is not an option of ${command}.` : `Usage: npm run rms -- ${command} <file>`}\n\nUsage:\n${BACKUP_USAGE}`,
    );
    return EXIT_USAGE;
  }
  const progress = (line: string) => io.stderr(line);
  try {
    const settings = io.settings();
    if (command === "backup") {
      const wantsPassphrase = values["include-master-key"] === true || values["passphrase-stdin"] === true;
      let passphrase: string | undefined;
      if (wantsPassphrase) {
        const read = await readPassphrase(io, { stdin: values["passphrase-stdin"] === true, confirm: true });
        if (read === null) return EXIT_USAGE;
        passphrase = read;
      }
      const started = Date.now();
      const summary = await backupConsole(
        file.data,
        settings,
        { includeMasterKey: values["include-master-key"] === true, ...(passphrase !== undefined ? { passphrase } : {}) },
        progress,
      );
      io.stdout(
        `Wrote ${file.data}: ${Object.keys(summary.tables).length} tables, ${summary.rows} rows, ${summary.files} files, ` +
          `${summary.bytes} bytes in ${((Date.now() - started) / 1000).toFixed(1)} s (database schema ${summary.schemaVersion}; ` +
          `${passphrase !== undefined ? "encrypted with the passphrase" : "encrypted with this console's master key: keep a copy of the master key apart from the backup"}` +
          `${values["include-master-key"] ? "; includes the master key" : ""}).`,
      );
      return EXIT_OK;
    }
    const header = await readArchiveHeader(file.data);
    let passphrase: string | undefined;
    if (header.key.kind === "passphrase") {
      const read = await readPassphrase(io, { stdin: values["passphrase-stdin"] === true, confirm: false });
      if (read === null) return EXIT_USAGE;
      passphrase = read;
    }
    const summary = await restoreConsole(
      file.data,
      settings,
      { force: values.force === true, ...(passphrase !== undefined ? { passphrase } : {}) },
      progress,
    );
    const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0);
    io.stdout(
      `Restored ${file.data}: ${Object.keys(summary.tables).length} tables, ${rows} rows` +
        `${summary.files.length > 0 ? `; wrote ${summary.files.join(", ")}` : ""}; ${summary.keysCheck}. Start the console.`,
    );
    return EXIT_OK;
  } catch (error) {
    const message = describeFailure(error);
    if (message === null) throw error;
    io.stderr(`Error: ${message}`);
    return EXIT_FAILURE;
  }
}
