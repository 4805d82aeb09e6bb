// Sign-in that leaks nothing and locks no one out, each attack reproduced against a real OpenLDAP slapd and
// the database (PGlite, and PostgreSQL when DATABASE_URL is set): local, directory and unknown names do the same work
// (counted, not timed), Unicode variants count as the identity they sign in as, the administrator's new browser signs
// in while someone guesses elsewhere, a burst is refused before any database work, and the throttle's transaction gives
// up on a held row instead of holding a connection.
import net from "node:net";
import { count, eq, sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAccount } from "@/lib/console/auth/accounts";
import { DEFAULT_USER_FILTER, type DirectoryConfig } from "@/lib/console/auth/directory";
import { signIn } from "@/lib/console/auth/sign-in";
import { reserveAttempt } from "@/lib/console/auth/throttle";
import { scryptRunCount } from "@/lib/core/secrets/password";
import { auditEvents } from "@/lib/platform/db/schema";
import { createTestDatabase, testDatabaseKinds } from "../support/databases";
import { DIRECTORY_USERS, SERVICE_DN, SERVICE_PASSWORD, startTestDirectory, type TestDirectory } from "../support/slapd";

const T0 = new Date("2030-06-01T09:00:00Z");
const base = { idleMinutes: 30, maxHours: 8, now: T0 };
const LOCAL_PASSWORD = "Tr0ub4dor&3-but-longer";

let directory: TestDirectory;
let config: DirectoryConfig;
/** A TCP relay in front of slapd that counts the connections made to the directory. */
let relay: net.Server;
let directoryConnections = 0;

beforeAll(async () => {
  directory = await startTestDirectory();
  const target = new URL(directory.ldapsUrl);
  relay = net.createServer((socket) => {
    directoryConnections += 1;
    const upstream = net.connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((resolve) => relay.listen(0, "127.0.0.1", resolve));
  const port = (relay.address() as net.AddressInfo).port;
  config = {
    url: `ldaps://${target.hostname}:${port}`,
    caPem: directory.caPem,
    bindDn: SERVICE_DN,
    bindPassword: SERVICE_PASSWORD,
    userBase: directory.userBase,
    userFilter: DEFAULT_USER_FILTER,
    groupBase: directory.groupBase,
    domain: "RMS",
    timeoutMs: 3_000,
  };
}, 30_000);
afterAll(async () => {
  relay?.close();
  await directory?.stop();
});

// Every scrypt costs about a second on a busy CI machine: the name tests run on the first kind (PGlite), the burst on
// the last (PostgreSQL when there is one: its pool is what a burst exhausted).
const kinds = testDatabaseKinds();
const firstKind = kinds[0];
const poolKind = kinds.at(-1);

describe.each(kinds)("sign-in under attack on %s", (kind) => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let statements = 0;
  beforeEach(async () => {
    handle = await createTestDatabase(kind, { onStatement: () => (statements += 1) });
    await createAccount(handle.db, { userName: "breakglass", password: LOCAL_PASSWORD, groups: ["Administrators"] });
  });
  afterEach(async () => handle.dispose());

  const attempt = (userName: string, password: string, remoteAddress: string, withDirectory = true) =>
    signIn(handle.db, { ...base, userName, password, remoteAddress, directory: withDirectory ? config : null });

  /** The scrypt runs and directory connections one sign-in made. */
  async function workOf(run: () => Promise<unknown>) {
    const [hashes, connections] = [scryptRunCount(), directoryConnections];
    await run();
    return { hashes: scryptRunCount() - hashes, connections: directoryConnections - connections };
  }

  it.runIf(kind === firstKind)(
    "does the same work for an existing local name, an unknown name and a directory name (no enumeration)",
    async () => {
      const local = await workOf(() => attempt("breakglass", "wrong-password", "198.51.100.1"));
      const unknown = await workOf(() => attempt("nobody-here", "wrong-password", "198.51.100.2"));
      const directoryName = await workOf(() => attempt("alice", "wrong-password", "198.51.100.3"));
      // One scrypt and one directory connection each: the local name is looked up in the directory too (without its
      // password), the unknown and the directory name are hashed against the dummy hash too.
      expect(local).toEqual({ hashes: 1, connections: 1 });
      expect(unknown).toEqual(local);
      expect(directoryName).toEqual(local);
      // Without a directory, a local and an unknown name are both one scrypt.
      expect(await workOf(() => attempt("breakglass", "wrong-password", "198.51.100.4", false))).toEqual({ hashes: 1, connections: 0 });
      expect(await workOf(() => attempt("nobody-here", "wrong-password", "198.51.100.5", false))).toEqual({ hashes: 1, connections: 0 });
    },
  );

  it.runIf(kind === firstKind)("counts Unicode variants of a name as the identity they sign in as (NFKC and case folded)", async () => {
    const guesser = "198.51.100.10";
    for (const name of ["ａｌｉｃｅ", "ＡＬＩＣＥ", "RMS\\ａｌｉｃｅ", "rms\\Alice", "alice"]) {
      expect(await attempt(name, "wrong-password", guesser)).toMatchObject({ ok: false, code: "invalid_credentials" });
    }
    expect(await attempt("alice", DIRECTORY_USERS.alice.password, guesser)).toMatchObject({ ok: false, code: "throttled" });
  });

  it.runIf(kind === firstKind)("lets the administrator's new browser sign in while someone guesses the name elsewhere", async () => {
    const attacker = "203.0.113.66";
    for (let i = 0; i < 5; i++) await attempt("breakglass", `guess-${i}`, attacker);
    expect(await attempt("breakglass", LOCAL_PASSWORD, attacker)).toMatchObject({ ok: false, code: "throttled" });
    // No device cookie: a browser that never signed in before, from the administrator's own address.
    expect(await attempt("breakglass", LOCAL_PASSWORD, "192.0.2.44")).toMatchObject({ ok: true });
  });

  it.runIf(kind === poolKind)(
    "refuses most of a 60-attempt burst before any database work, and signs in normally right after",
    async () => {
      const before = statements;
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => attempt(`burst${i}`, "wrong-password", `198.51.100.${100 + (i % 50)}`, false)),
      );
      const overloaded = results.filter((r) => !r.ok && r.code === "throttled").length;
      // At most 4 evaluated at once and 16 waiting: at least 40 were refused on arrival.
      expect(overloaded).toBeGreaterThanOrEqual(40);
      const evaluated = 60 - overloaded;
      // Every evaluated attempt wrote its audit row; the refused ones ran no statement at all.
      const [row] = await handle.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, "sign_in"));
      expect(row?.n).toBe(evaluated);
      expect(statements - before).toBeGreaterThan(0);
      expect(await attempt("breakglass", LOCAL_PASSWORD, "192.0.2.45", false)).toMatchObject({ ok: true });
    },
  );

  it.runIf(kind === "postgres")("gives up on a throttle row another transaction holds (lock_timeout) instead of waiting", async () => {
    expect(await reserveAttempt(handle.db, { userName: "held", remoteAddress: "198.51.100.200" }, T0)).toEqual({ allowed: true });
    let release: () => void = () => undefined;
    let locked: () => void = () => undefined;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holding = handle.db.transaction(async (tx) => {
      await tx.execute(sql`SELECT key FROM sign_in_throttles WHERE key LIKE 'user:held@%' FOR UPDATE`);
      await new Promise<void>((resolve) => {
        release = resolve;
        locked();
      });
    });
    await isLocked;
    try {
      expect(await reserveAttempt(handle.db, { userName: "held", remoteAddress: "198.51.100.200" }, T0)).toEqual({
        allowed: false,
        retryAfterSeconds: 1,
      });
    } finally {
      release();
      await holding;
    }
  });
});
