import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { findAccountByUserName, findAccountCredentials } from "@/lib/console/auth/accounts";
import { inspectSetupToken } from "@/lib/console/auth/setup-tokens";
import { verifyPassword } from "@/lib/core/secrets/password";
import { migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { seedBlankPglite, type TestDatabase } from "@/tests/support/databases";
import { dbTest, describeOnEachDatabase } from "@/tests/support/db-test";
import { program } from "@/tests/support/processes";
import {
  type CliIo,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  invokingUser,
  maskDatabaseUrl,
  missingDatabaseMessage,
  parseCommand,
  readFirstLine,
  runCli,
} from "./rms";

describe("rms argument parsing", () => {
  it("parses each command", () => {
    expect(parseCommand(["user", "add", "Ann", "--group", "administrators", "--group", "Ops", "--password-stdin"])).toEqual({
      command: "user add",
      userName: "Ann",
      groups: ["Administrators", "Ops"],
      passwordStdin: true,
    });
    expect(parseCommand(["user", "list"])).toEqual({ command: "user list" });
    expect(parseCommand(["user", "remove", "ann"])).toEqual({ command: "user remove", userName: "ann" });
    expect(parseCommand(["group", "add-member", "Domain Admins", "ann"])).toEqual({
      command: "group add-member",
      groupName: "Domain Admins",
      userName: "ann",
    });
    expect(parseCommand(["group", "remove-member", "Domain Admins", "ann"])).toEqual({
      command: "group remove-member",
      groupName: "Domain Admins",
      userName: "ann",
    });
    expect(parseCommand(["setup-link"])).toEqual({ command: "setup-link" });
    expect(parseCommand(["keys", "verify"])).toEqual({ command: "keys verify" });
    expect(parseCommand(["cluster", "list", "--json"])).toEqual({ command: "cluster list", json: true });
    expect(parseCommand(["cluster", "status", "Default Web Site"])).toEqual({
      command: "cluster status",
      cluster: "Default Web Site",
      json: false,
    });
    expect(parseCommand(["renew", "RMS01", "--online"])).toEqual({ command: "renew", cluster: "RMS01", online: true });
    expect(parseCommand(["export-request", "RMS01", "--out", "req.xml"])).toEqual({
      command: "export-request",
      cluster: "RMS01",
      out: "req.xml",
    });
    expect(parseCommand(["import", "RMS01", "slc.xml", "--yes"])).toEqual({
      command: "import",
      cluster: "RMS01",
      file: "slc.xml",
      yes: true,
    });
    expect(parseCommand(["user", "list", "--create"])).toEqual({ command: "user list", create: true });
    expect(parseCommand([])).toEqual({ command: "help" });
    expect(parseCommand(["--help"])).toEqual({ command: "help" });
    expect(parseCommand(["help"])).toEqual({ command: "help" });
  });

  it("refuses bad usage with a message", () => {
    const cases: Array<[string[], RegExp]> = [
      [["user", "add", "ann", "--group", "Users"], /--password-stdin/],
      [["user", "add", "ann", "--password-stdin"], /at least one --group/],
      [["user", "add", "bad name", "--group", "Users", "--password-stdin"], /User names may contain only/],
      [["user", "add", "ann", "--group", "Users", "--password-stdin", "--password", "x"], /Unknown option/],
      [["user", "list", "extra"], /Usage: npm run rms -- user list/],
      [["user", "remove"], /user remove <name>/],
      [["group", "add-member", "Users"], /group add-member <group> <name>/],
      [["frobnicate"], /Unknown command "frobnicate"/],
      [["user", "list", "--group", "x"], /--group is not an option/],
      [["renew", "RMS01"], /Only --online renewal runs from the CLI/],
      [["import", "RMS01"], /import <cluster> <file> \[--yes\]/],
      [["export-request", "RMS01", "--yes"], /--yes is not an option/],
      [["cluster", "status"], /cluster status <cluster>/],
      [["user", "list", "--json"], /--json is not an option/],
      [["keys", "verify", "extra"], /Usage: npm run rms -- keys verify/],
      [["keys"], /Unknown command "keys"/],
    ];
    for (const [argv, message] of cases) expect(() => parseCommand(argv)).toThrow(message);
  });

  it("names the invoking OS user: SUDO_USER, then USER, then the process owner", () => {
    const owner = () => "root";
    expect(invokingUser({ SUDO_USER: "alice", USER: "root" }, owner)).toBe("alice");
    expect(invokingUser({ USER: "bob" }, owner)).toBe("bob");
    expect(invokingUser({ SUDO_USER: " ", USER: "bob" }, owner)).toBe("bob");
    expect(invokingUser({}, owner)).toBe("root");
    expect(invokingUser({ SUDO_USER: "eve\nforged line", USER: "x".repeat(65) }, owner)).toBe("root");
    expect(invokingUser({}, () => undefined)).toBe("unknown");
  });

  it("reads only the first line of standard input", async () => {
    expect(await readFirstLine(Readable.from([Buffer.from("pass word\r\nsecond line\n")]))).toBe("pass word");
    expect(await readFirstLine(Readable.from([Buffer.from("no newline")]))).toBe("no newline");
    expect(await readFirstLine(Readable.from([]))).toBe("");
  });
});

describeOnEachDatabase("rms commands", ({ kind, sharedDatabase }) => {
  let handle: TestDatabase;
  beforeAll(async () => {
    handle = await sharedDatabase();
  });

  async function run(
    argv: string[],
    stdin = "",
    db = handle.db,
  ): Promise<{ code: number; out: string; err: string; database: string | null }> {
    let out = "";
    let err = "";
    const io: CliIo = {
      stdout: (t) => (out += `${t}\n`),
      stderr: (t) => (err += `${t}\n`),
      readPasswordLine: () => readFirstLine(Readable.from([Buffer.from(stdin)])),
      openDatabase: async () => ({ db, name: `test database on ${kind}`, close: async () => {} }),
      setupLink: (token) => `http://console.test/setup?token=${token}`,
      adminGroups: ["Administrators", "Domain Admins"],
      // No renewal reaches the keys or a service here (tests/integration/cli-cluster.test.ts renews for real).
      renewalContext: (database) => ({
        db: database,
        kek: () => {
          throw new Error("no key in this test");
        },
        trustAnchors: () => [],
        enrollmentUrl: "https://127.0.0.1:9",
        http: { connectTimeoutMs: 100, totalTimeoutMs: 100 },
        now: () => new Date(),
        leaseMs: 1_000,
      }),
      masterKeySettings: () => ({ dataDir: os.tmpdir(), masterKeyFile: path.join(os.tmpdir(), "rms-no-master-key-here") }),
      cluster: {
        readFile: async () => new Uint8Array(),
        writeFile: async () => {},
        confirm: async () => null,
      },
      actor: "cli:tester",
    };
    const code = await runCli(argv, io);
    // A command that opens the database names it first (on stderr); the rest is the command's own output.
    const database = /^Database: (.*)\n/.exec(err)?.[1] ?? null;
    return { code, out, err: err.replace(/^Database: .*\n/, ""), database };
  }

  it("adds, lists, changes groups and removes accounts, audited as the CLI user", async () => {
    expect(await run(["user", "add", "Ann", "--group", "Administrators", "--password-stdin"], "ann-password-1\nignored\n")).toMatchObject({
      code: EXIT_OK,
      out: "Created account ann in Administrators.\n",
      database: `test database on ${kind}`,
    });
    const ann = await findAccountCredentials(handle.db, "ann");
    expect(ann && (await verifyPassword("ann-password-1", ann.passwordHash))).toBe(true);
    expect(await run(["user", "add", "bob", "--group", "Users", "--password-stdin"], "bob-password-1")).toMatchObject({
      code: EXIT_OK,
      err: expect.stringMatching(/^Warning: "Users" grants nothing in this console: only members of Administrators or Domain Admins/),
    });
    expect(await run(["user", "add", "ANN", "--group", "Users", "--password-stdin"], "whatever-password")).toMatchObject({
      code: EXIT_FAILURE,
      err: "Error: An account named ann already exists.\n",
    });
    expect(await run(["user", "add", "cid", "--group", "Users", "--password-stdin"], "short")).toMatchObject({
      code: EXIT_FAILURE,
      err: expect.stringMatching(/at least 12 characters/),
    });
    expect(await run(["user", "add", "cid", "--group", "Users", "--password-stdin"], "\n")).toMatchObject({
      code: EXIT_USAGE,
      err: expect.stringMatching(/no password on standard input/),
    });

    const list = await run(["user", "list"]);
    expect(list.code).toBe(EXIT_OK);
    expect(list.out.split("\n")[0]).toMatch(/^USER\s+GROUPS\s+CREATED$/);
    expect(list.out).toMatch(/ann\s+Administrators\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(list.out).toMatch(/bob\s+Users\s+/);

    expect(await run(["group", "add-member", "Domain Admins", "bob"])).toMatchObject({
      code: EXIT_OK,
      out: "Added bob to Domain Admins.\n",
    });
    expect((await run(["group", "add-member", "Domain Admins", "bob"])).code).toBe(EXIT_FAILURE);
    expect(await run(["user", "remove", "ann"])).toMatchObject({ code: EXIT_OK });
    expect(await run(["group", "remove-member", "domain admins", "bob"])).toMatchObject({
      code: EXIT_FAILURE,
      err: expect.stringMatching(/only administrator/),
    });
    expect(await run(["group", "remove-member", "Users", "bob"])).toMatchObject({
      code: EXIT_OK,
      out: "Removed bob from Users; their sessions have ended.\n",
    });
    expect(await run(["user", "remove", "nobody"])).toMatchObject({
      code: EXIT_FAILURE,
      err: "Error: There is no account named nobody.\n",
    });
    expect(await findAccountByUserName(handle.db, "ann")).toBeNull();

    const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 20 });
    expect(events.map((e) => [e.action, e.actor])).toEqual([
      ["group_member_removed", "cli:tester"],
      ["account_removed", "cli:tester"],
      ["group_member_added", "cli:tester"],
      ["account_created", "cli:tester"],
      ["account_created", "cli:tester"],
    ]);
    expect(JSON.stringify(events)).not.toContain("password-1");
  });

  it("lists no clusters in an empty database, and reports an unknown cluster as UNKNOWN (exit 3) for monitoring", async () => {
    expect(await run(["cluster", "list"])).toMatchObject({ code: EXIT_OK, out: "No clusters.\n" });
    expect(await run(["cluster", "list", "--json"])).toMatchObject({ code: EXIT_OK, out: "[]\n" });
    expect(await run(["cluster", "status", "nowhere"])).toMatchObject({
      code: 3,
      out: expect.stringMatching(/^UNKNOWN: no single cluster/),
    });
    expect((await run(["cluster", "status"])).code).toBe(3);
    expect(await run(["renew", "nowhere", "--online"])).toMatchObject({
      code: EXIT_FAILURE,
      err: expect.stringContaining("no single cluster"),
    });
  });

  // `db` is a database of this block's kind with no administrator, beside the block's shared one.
  dbTest("prints a setup link only while no administrator exists", async ({ db: fresh }) => {
    // The test above left bob in Domain Admins.
    expect(await run(["setup-link"])).toMatchObject({ code: EXIT_FAILURE, err: expect.stringMatching(/an administrator already exists/) });
    const printed = await run(["setup-link"], "", fresh.db);
    expect(printed.code).toBe(EXIT_OK);
    const token = /setup\?token=([A-Za-z0-9_-]{43})/.exec(printed.out)?.[1] ?? "";
    expect(printed.out).toContain(`http://console.test/setup?token=${token}`);
    expect(await inspectSetupToken(fresh.db, token, new Date())).toMatchObject({ ok: true });
  });
});

describe("rms database naming and refusal", () => {
  it("masks a PostgreSQL password", () => {
    expect(maskDatabaseUrl("postgres://rms:s3cret@db.example:5432/rms")).toBe("postgres://rms:***@db.example:5432/rms");
    expect(maskDatabaseUrl("postgres://db.example/rms")).toBe("postgres://db.example/rms");
    expect(maskDatabaseUrl("not a url s3cret")).not.toContain("s3cret");
  });

  it("creates a new embedded database only when asked, even in an existing folder", () => {
    const missing = path.join(os.tmpdir(), `rms-missing-${process.pid}`);
    expect(missingDatabaseMessage({ dataDir: missing, create: false, dataDirNamed: false })).toMatch(
      /no console database in .*RMS_DATA_DIR is not set.*Set RMS_DATA_DIR to the console's data folder.*--create/,
    );
    expect(missingDatabaseMessage({ dataDir: missing, create: false, dataDirNamed: true })).toMatch(/--create/);
    expect(missingDatabaseMessage({ dataDir: missing, create: true, dataDirNamed: false })).toBeNull();
    expect(missingDatabaseMessage({ dataDir: os.tmpdir(), create: false, dataDirNamed: true })).toMatch(/--create/);
    expect(missingDatabaseMessage({ dataDir: os.tmpdir(), create: false, dataDirNamed: false })).toMatch(/--create/);
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the CLI named as the database it opened. */
  database: string | null;
}

const ROOT = path.resolve(import.meta.dirname, "..");

function rms(dataDir: string, args: string[], stdin?: string): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, RMS_DATA_DIR: dataDir, NODE_NO_WARNINGS: "1" };
  delete childEnv.DATABASE_URL; // the spawned CLI uses the embedded database in the temp folder
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, program("rms", ...args), {
      cwd: ROOT,
      env: childEnv,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      // npm's own configuration warnings are not ours; the database line is checked on its own
      const database = /^Database: (.*)\n/m.exec(stderr)?.[1] ?? null;
      resolve({ code, stdout, database, stderr: stderr.replace(/^npm warn .*\n/gm, "").replace(/^Database: .*\n/m, "") });
    });
    child.stdin.end(stdin ?? "");
  });
}

describe("rms command-line tool (spawned, embedded database)", { timeout: 180_000 }, () => {
  let dataDir: string;
  // The console's data folder, as its first start leaves it: a database there (the CLI does not create one unasked).
  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-cli-"));
    seedBlankPglite(path.join(dataDir, "pglite"));
    const handle = await openDatabase({ dataDir });
    await migrateDatabase(handle);
    await handle.close();
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("prints help and exits 0", async () => {
    const result = await rms(dataDir, ["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("user add <name> --group <group>");
  });

  it("exits 2 on bad usage", async () => {
    const result = await rms(dataDir, ["user", "frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown command "user frobnicate"');
    const noStdin = await rms(dataDir, ["user", "add", "x", "--group", "Users", "--password-stdin"], "");
    expect(noStdin.code).toBe(2);
  });

  it("refuses to create a database where there is none, says what to do; --create creates it and names it", async () => {
    const missing = path.join(dataDir, "not-the-console");
    const refused = await rms(missing, ["user", "list"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`There is no console database in ${missing}`);
    expect(refused.stderr).toMatch(/Set RMS_DATA_DIR to the console's data folder.*--create/);
    expect(fs.existsSync(missing)).toBe(false);

    const created = await rms(missing, ["user", "list", "--create"]);
    expect(created).toMatchObject({ code: 0, database: `embedded, in ${missing}` });
    expect(created.stdout).toMatch(/No accounts yet/);
    expect((await rms(missing, ["user", "list"])).code).toBe(0);
  });

  it("adds a user with the password on stdin, lists, changes groups and removes", async () => {
    const add = await rms(dataDir, ["user", "add", "Admin", "--group", "Administrators", "--password-stdin"], "cli-password-1\n");
    expect(add).toMatchObject({ code: 0, stdout: "Created account admin in Administrators.\n" });
    expect((await rms(dataDir, ["user", "add", "op", "--group", "Users", "--password-stdin"], "cli-password-2\n")).code).toBe(0);
    expect((await rms(dataDir, ["group", "add-member", "Domain Admins", "op"])).code).toBe(0);
    const list = await rms(dataDir, ["user", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/admin\s+Administrators\s+\d{4}-/);
    expect(list.stdout).toMatch(/op\s+Domain Admins, Users\s+\d{4}-/);
    expect((await rms(dataDir, ["group", "remove-member", "Users", "op"])).code).toBe(0);
    const remove = await rms(dataDir, ["user", "remove", "admin"]);
    expect(remove).toMatchObject({ code: 0, stdout: "Removed account admin; its sessions have ended.\n" });
    expect(await rms(dataDir, ["user", "remove", "admin"])).toMatchObject({ code: 1, stderr: "Error: There is no account named admin.\n" });

    const handle = await openDatabase({ dataDir });
    try {
      const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 10 });
      expect(events.map((e) => e.action)).toEqual([
        "account_removed",
        "group_member_removed",
        "group_member_added",
        "account_created",
        "account_created",
      ]);
      expect(events.every((e) => e.actor === `cli:${os.userInfo().username}`)).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it("says so and exits 1 when the console holds the data folder", async () => {
    fs.writeFileSync(path.join(dataDir, "pglite.lock"), String(process.pid)); // a live process that is not the CLI
    try {
      const result = await rms(dataDir, ["user", "list"]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`is in use by process ${process.pid}`);
      expect(result.stderr).toContain("stop the running console first");
    } finally {
      fs.rmSync(path.join(dataDir, "pglite.lock"), { force: true });
    }
  });
});
