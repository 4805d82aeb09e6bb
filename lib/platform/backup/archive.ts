// The backup archive: a versioned header (zod-validated, authenticated) and the content as JSON lines, encrypted in
// chunks with AES-256-GCM. Each chunk's nonce carries its number and whether it is the last one (the STREAM
// construction), and every chunk authenticates the header's bytes: a reordered, dropped, appended or changed chunk,
// a changed header and a file cut short are all refused before anything is restored.
//
// The key comes from a passphrase (scrypt, then HKDF), or from the console's master key (HKDF). The master key is the
// natural default for a console: its cluster keys are encrypted under it already, so a backup without it is of no use
// without the master key anyway, and no second secret has to be kept. An archive that holds the master key, and every
// enrollment service archive (its CA keys are plain PEM on disk), is protected by a passphrase instead.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { CodedError } from "@/lib/platform/errors/coded-error";

export type BackupErrorCode =
  | "not_a_backup"
  | "bad_header"
  | "newer_format"
  | "newer_schema"
  | "wrong_service"
  | "wrong_key"
  | "tampered"
  | "truncated"
  | "exists"
  | "not_empty"
  | "live";

export class BackupError extends CodedError<BackupErrorCode> {
  override readonly name = "BackupError";
}

const MAGIC = Buffer.from("RMSBACKUP\n", "ascii");
const FORMAT_VERSION = 1;
const MAX_HEADER_BYTES = 64 * 1024;
const CHUNK_BYTES = 1024 * 1024;
const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
const TAG_BYTES = 16;
const NONCE_PREFIX_BYTES = 7;
const MIN_PASSPHRASE_LENGTH = 12;
const SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;

const base64 = (bytes: number) =>
  z
    .string()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .refine((s) => Buffer.from(s, "base64").length === bytes, `must be ${bytes} bytes`);

const backupHeaderSchema = z.object({
  format: z.literal("rms-backup"),
  formatVersion: z.literal(FORMAT_VERSION),
  service: z.enum(["console", "enrollment"]),
  /** How many database migrations the source had applied. */
  schemaVersion: z.number().int().min(0).max(100_000),
  createdAt: z.iso.datetime(),
  source: z.enum(["pglite", "postgres"]),
  includesMasterKey: z.boolean(),
  key: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("passphrase"),
      kdf: z.literal("scrypt"),
      N: z
        .number()
        .int()
        .min(2 ** 14)
        .max(2 ** 20),
      r: z.number().int().min(1).max(32),
      p: z.number().int().min(1).max(16),
      salt: base64(16),
    }),
    z.object({ kind: z.literal("master-key"), masterKeyId: z.string().regex(/^[0-9a-f]{16}$/) }),
  ]),
  hkdfSalt: base64(16),
  keyCheck: base64(16),
  noncePrefix: base64(NONCE_PREFIX_BYTES),
});
export type BackupHeader = z.infer<typeof backupHeaderSchema>;

/** What the content is: tables (rows as PostgreSQL's own JSON text, so no value is reinterpreted), files, the end. */
export const backupRecordSchema = z.discriminatedUnion("t", [
  z.object({ t: z.literal("table"), name: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/), columns: z.array(z.string()) }),
  z.object({ t: z.literal("rows"), table: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/), rows: z.array(z.string()) }),
  z.object({
    t: z.literal("file"),
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)?$/)
      .refine((n) => !n.split("/").includes("..")),
    mode: z.number().int().min(0).max(0o777),
    data: z.base64(),
  }),
  z.object({ t: z.literal("master-key"), key: base64(32) }),
  z.object({ t: z.literal("end"), tables: z.record(z.string(), z.number().int().min(0)), files: z.number().int().min(0) }),
]);
export type BackupRecord = z.infer<typeof backupRecordSchema>;

export type BackupSecret = { kind: "passphrase"; passphrase: string } | { kind: "master-key"; key: Buffer; id: string };

function scryptAsync(passphrase: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(passphrase.normalize("NFC"), salt, 32, { ...params, maxmem: 256 * params.N * params.r + 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

async function deriveKeys(header: BackupHeader, secret: BackupSecret): Promise<{ key: Buffer; check: Buffer }> {
  let ikm: Buffer;
  if (header.key.kind === "passphrase") {
    if (secret.kind !== "passphrase") throw new BackupError("wrong_key", "This backup is protected by a passphrase: give it.");
    ikm = await scryptAsync(secret.passphrase, Buffer.from(header.key.salt, "base64"), header.key);
  } else {
    if (secret.kind !== "master-key") throw new BackupError("wrong_key", "This backup is encrypted with a console's master key.");
    ikm = secret.key;
  }
  const salt = Buffer.from(header.hkdfSalt, "base64");
  return {
    key: Buffer.from(hkdfSync("sha256", ikm, salt, "rms-backup/v1/encryption", 32)),
    check: Buffer.from(hkdfSync("sha256", ikm, salt, "rms-backup/v1/key-check", 16)),
  };
}

function nonce(prefix: Buffer, counter: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, NONCE_PREFIX_BYTES);
  n[11] = last ? 1 : 0;
  return n;
}

export interface ArchiveWriter {
  header: BackupHeader;
  write(record: BackupRecord): Promise<void>;
  /** Writes the last chunk, syncs the file and moves it into place under its name. */
  finish(): Promise<void>;
  /** Removes the partial file. */
  abort(): Promise<void>;
}

/**
 * Starts an archive at `file` (which must not exist: a backup is never overwritten). It is written as `<file>.partial`
 * and renamed only once complete, so a file under the given name is always a whole archive.
 */
export async function createArchive(
  file: string,
  opts: {
    service: BackupHeader["service"];
    schemaVersion: number;
    source: BackupHeader["source"];
    includesMasterKey: boolean;
    secret: BackupSecret;
    now?: Date;
  },
): Promise<ArchiveWriter> {
  const partial = `${file}.partial`;
  try {
    await fs.access(file);
    throw new BackupError("exists", `${file} already exists: a backup is never overwritten. Choose another file name.`);
  } catch (error) {
    if (error instanceof BackupError) throw error;
  }
  const header: BackupHeader = {
    format: "rms-backup",
    formatVersion: FORMAT_VERSION,
    service: opts.service,
    schemaVersion: opts.schemaVersion,
    createdAt: (opts.now ?? new Date()).toISOString(),
    source: opts.source,
    includesMasterKey: opts.includesMasterKey,
    key:
      opts.secret.kind === "passphrase"
        ? { kind: "passphrase", kdf: "scrypt", ...SCRYPT, salt: randomBytes(16).toString("base64") }
        : { kind: "master-key", masterKeyId: opts.secret.id },
    hkdfSalt: randomBytes(16).toString("base64"),
    keyCheck: "",
    noncePrefix: randomBytes(NONCE_PREFIX_BYTES).toString("base64"),
  };
  const { key, check } = await deriveKeys({ ...header, keyCheck: "AAAAAAAAAAAAAAAAAAAAAA==" }, opts.secret);
  header.keyCheck = check.toString("base64");
  const headerBytes = Buffer.from(JSON.stringify(header), "utf8");
  const aadBase = createHash("sha256").update(headerBytes).digest();
  const prefix = Buffer.from(header.noncePrefix, "base64");

  const handle = await fs.open(partial, "wx", 0o600);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(headerBytes.length);
  await handle.write(Buffer.concat([MAGIC, length, headerBytes]));
  let counter = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const writeChunk = async (plain: Buffer, last: boolean) => {
    const cipher = createCipheriv("aes-256-gcm", key, nonce(prefix, counter, last), { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.concat([aadBase, Buffer.from([last ? 1 : 0])]));
    const sealed = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(sealed.length);
    await handle.write(Buffer.concat([size, sealed]));
    counter++;
  };
  const flushFull = async () => {
    while (pendingBytes >= CHUNK_BYTES) {
      const all = Buffer.concat(pending);
      await writeChunk(all.subarray(0, CHUNK_BYTES), false);
      pending = [all.subarray(CHUNK_BYTES)];
      pendingBytes = all.length - CHUNK_BYTES;
    }
  };
  let closed = false;
  return {
    header,
    async write(record) {
      const line = Buffer.from(`${JSON.stringify(record)}\n`, "utf8");
      pending.push(line);
      pendingBytes += line.length;
      await flushFull();
    },
    async finish() {
      await writeChunk(Buffer.concat(pending), true);
      pending = [];
      await handle.sync();
      await handle.close();
      closed = true;
      await fs.link(partial, file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === "EEXIST") throw new BackupError("exists", `${file} already exists: a backup is never overwritten.`);
        throw error;
      });
      await fs.rm(partial, { force: true });
      const dir = await fs.open(path.dirname(path.resolve(file)), "r");
      await dir.sync().finally(() => dir.close());
    },
    async abort() {
      if (!closed) await handle.close().catch(() => undefined);
      closed = true;
      await fs.rm(partial, { force: true });
    },
  };
}

async function readExactly(handle: fs.FileHandle, position: number, length: number): Promise<Buffer | null> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) return done === 0 ? null : buffer.subarray(0, done);
    done += bytesRead;
  }
  return buffer;
}

const truncated = (file: string) =>
  new BackupError("truncated", `${file} is truncated: it ends before the backup's last part. Use a complete copy of the backup.`);

async function readHeaderAt(handle: fs.FileHandle, file: string): Promise<{ header: BackupHeader; bytes: Buffer; offset: number }> {
  const magic = await readExactly(handle, 0, MAGIC.length + 4);
  if (!magic || magic.length < MAGIC.length || !magic.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BackupError("not_a_backup", `${file} is not an RMS backup (it does not start with the backup format's marker).`);
  }
  if (magic.length < MAGIC.length + 4) throw truncated(file);
  const length = magic.readUInt32BE(MAGIC.length);
  if (length > MAX_HEADER_BYTES) throw new BackupError("bad_header", `${file} has a damaged header (${length} bytes long).`);
  const bytes = await readExactly(handle, MAGIC.length + 4, length);
  if (!bytes || bytes.length < length) throw truncated(file);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new BackupError("bad_header", `${file} has a damaged header (not JSON).`);
  }
  const version = z.object({ formatVersion: z.number() }).safeParse(json);
  if (version.success && version.data.formatVersion > FORMAT_VERSION) {
    throw new BackupError(
      "newer_format",
      `${file} was written in backup format ${version.data.formatVersion}; this version reads format ${FORMAT_VERSION}. Restore it with the version that wrote it, or a later one.`,
    );
  }
  const parsed = backupHeaderSchema.safeParse(json);
  if (!parsed.success) throw new BackupError("bad_header", `${file} has a damaged header: ${z.prettifyError(parsed.error)}`);
  return { header: parsed.data, bytes, offset: MAGIC.length + 4 + length };
}

/** The header alone: what a restore says before asking for a passphrase. */
export async function readArchiveHeader(file: string): Promise<BackupHeader> {
  const handle = await fs.open(file, "r");
  try {
    return (await readHeaderAt(handle, file)).header;
  } finally {
    await handle.close();
  }
}

export interface ReadExpectations {
  service: BackupHeader["service"];
  /** Migrations this version knows: a backup from a later schema cannot be restored by it. */
  maxSchemaVersion: number;
}

/** Checks the header against what this restore can take; throws a BackupError saying why not. */
function checkHeader(file: string, header: BackupHeader, expect: ReadExpectations): void {
  if (header.service !== expect.service) {
    const other = header.service === "console" ? "npm run rms -- restore" : "npm run enrollment -- restore";
    throw new BackupError(
      "wrong_service",
      `${file} is a backup of the ${header.service === "console" ? "console" : "enrollment service"}: restore it with ${other}.`,
    );
  }
  if (header.schemaVersion > expect.maxSchemaVersion) {
    throw new BackupError(
      "newer_schema",
      `${file} comes from a newer version (database schema ${header.schemaVersion}; this version knows ${expect.maxSchemaVersion}). Restore it with that version or a later one.`,
    );
  }
}

/**
 * Decrypts and validates every record, in order. Nothing should be applied from an archive before one whole pass has
 * succeeded: a change near its end is found only there.
 */
export async function* readArchive(
  file: string,
  secret: BackupSecret,
  expect: ReadExpectations,
): AsyncGenerator<BackupRecord, void, undefined> {
  const handle = await fs.open(file, "r");
  try {
    const { header, bytes, offset: start } = await readHeaderAt(handle, file);
    checkHeader(file, header, expect);
    const { key, check } = await deriveKeys(header, secret);
    const expected = Buffer.from(header.keyCheck, "base64");
    if (expected.length !== check.length || !timingSafeEqual(expected, check)) {
      throw new BackupError(
        "wrong_key",
        header.key.kind === "passphrase"
          ? `The passphrase does not open ${file}.`
          : `${file} was encrypted with another master key (id ${header.key.masterKeyId}): set RMS_MASTER_KEY or RMS_MASTER_KEY_FILE to the master key of the console that made it.`,
      );
    }
    const aadBase = createHash("sha256").update(bytes).digest();
    const prefix = Buffer.from(header.noncePrefix, "base64");
    let offset = start;
    let counter = 0;
    let carry = "";
    const tampered = (why: string) =>
      new BackupError("tampered", `${file} has been changed or damaged (${why}); it is refused as a whole.`);
    for (;;) {
      const size = await readExactly(handle, offset, 4);
      if (!size || size.length < 4) throw truncated(file);
      const length = size.readUInt32BE(0);
      if (length < TAG_BYTES || length > MAX_CHUNK_BYTES + TAG_BYTES) throw tampered(`part ${counter + 1} has an impossible length`);
      const sealed = await readExactly(handle, offset + 4, length);
      if (!sealed || sealed.length < length) throw truncated(file);
      offset += 4 + length;
      const after = await readExactly(handle, offset, 1);
      const last = after === null;
      const open = (flag: boolean): Buffer | null => {
        try {
          const decipher = createDecipheriv("aes-256-gcm", key, nonce(prefix, counter, flag), { authTagLength: TAG_BYTES });
          decipher.setAAD(Buffer.concat([aadBase, Buffer.from([flag ? 1 : 0])]));
          decipher.setAuthTag(sealed.subarray(length - TAG_BYTES));
          return Buffer.concat([decipher.update(sealed.subarray(0, length - TAG_BYTES)), decipher.final()]);
        } catch {
          return null;
        }
      };
      const plain = open(last);
      if (plain === null) {
        // A part that opens as the other kind: the file was cut after a middle part, or something follows the last.
        if (open(!last)) throw last ? truncated(file) : tampered("data follows the backup's last part");
        throw tampered(`part ${counter + 1} does not authenticate`);
      }
      counter++;
      const text = carry + plain.toString("utf8");
      const lines = text.split("\n");
      carry = lines.pop() ?? "";
      for (const line of lines) {
        let json: unknown;
        try {
          json = JSON.parse(line);
        } catch {
          throw tampered("a record is not JSON");
        }
        const record = backupRecordSchema.safeParse(json);
        if (!record.success) throw tampered(`a record is not valid: ${z.prettifyError(record.error)}`);
        yield record.data;
      }
      if (last) {
        if (carry !== "") throw tampered("the last record is incomplete");
        return;
      }
    }
  } finally {
    await handle.close();
  }
}

export interface VerifiedArchive {
  header: BackupHeader;
  end: Extract<BackupRecord, { t: "end" }>;
  files: Array<{ name: string; mode: number; data: Buffer }>;
  masterKey: Buffer | null;
}

/** Reads the whole archive once, without applying anything; returns its header, closing record, files and master key. */
export async function verifyArchive(file: string, secret: BackupSecret, expect: ReadExpectations): Promise<VerifiedArchive> {
  const header = await readArchiveHeader(file);
  let end: Extract<BackupRecord, { t: "end" }> | null = null;
  const counts = new Map<string, number>();
  const files: VerifiedArchive["files"] = [];
  let masterKey: Buffer | null = null;
  const inconsistent = (why: string) => new BackupError("tampered", `${file} is inconsistent (${why}); it is refused as a whole.`);
  for await (const record of readArchive(file, secret, expect)) {
    if (end) throw inconsistent("records after the end");
    if (record.t === "rows") counts.set(record.table, (counts.get(record.table) ?? 0) + record.rows.length);
    if (record.t === "file") files.push({ name: record.name, mode: record.mode, data: Buffer.from(record.data, "base64") });
    if (record.t === "master-key") masterKey = Buffer.from(record.key, "base64");
    if (record.t === "end") end = record;
  }
  if (!end) throw truncated(file);
  const mismatch = Object.entries(end.tables).find(([table, count]) => (counts.get(table) ?? 0) !== count);
  if (mismatch || end.files !== files.length || [...counts.keys()].some((t) => !(t in end.tables))) {
    throw inconsistent("its contents do not match its own summary");
  }
  if (header.includesMasterKey !== (masterKey !== null)) throw inconsistent("the master key is not where the header says");
  return { header, end, files, masterKey };
}

/** A passphrase an archive may be protected by. */
export const passphraseSchema = z
  .string()
  .min(MIN_PASSPHRASE_LENGTH, `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`)
  .max(1024, "The passphrase may be at most 1024 characters long.");
