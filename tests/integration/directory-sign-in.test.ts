// Directory accounts against a real OpenLDAP slapd started here (loopback, TLS from a test CA, nested groups, a locked
// account): who may sign in, as what, with which groups, and what bad input and a broken directory do.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { createAccount, isAdministrator } from "@/lib/console/auth/accounts";
import { DEFAULT_USER_FILTER, type DirectoryConfig, escapeDnValue, escapeFilterValue } from "@/lib/console/auth/directory";
import { validateSession } from "@/lib/console/auth/sessions";
import { signIn } from "@/lib/console/auth/sign-in";
import type { TestDatabase } from "../support/databases";
import { dbTest, describeOnEachDatabase } from "../support/db-test";
import { DIRECTORY_USERS, SERVICE_DN, SERVICE_PASSWORD, startTestDirectory, type TestDirectory } from "../support/slapd";

const T0 = new Date("2030-06-01T09:00:00Z");
const base = { remoteAddress: "203.0.113.9", idleMinutes: 30, maxHours: 8, now: T0 };
const LOCAL_PASSWORD = "Tr0ub4dor&3-but-longer";

let directory: TestDirectory;
let config: DirectoryConfig;

beforeAll(async () => {
  directory = await startTestDirectory();
  config = {
    url: directory.ldapsUrl,
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
afterAll(async () => directory?.stop());

describe("LDAP value escaping", () => {
  it("escapes filter and DN metacharacters so a name cannot widen the search", () => {
    expect(escapeFilterValue("*)(uid=*))(|(uid=*\\\0")).toBe("\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a\\5c\\00");
    expect(escapeDnValue(" a,b+c=d\\")).toBe("\\ a\\,b\\+c\\=d\\\\");
  });
});

describeOnEachDatabase("directory sign-in", () => {
  // This test's `db`, for the helpers below.
  let handle: TestDatabase;
  dbTest.beforeEach(async ({ db }) => {
    handle = db;
    await createAccount(handle.db, { userName: "breakglass", password: LOCAL_PASSWORD, groups: ["Administrators"] });
  });

  const signInAs = (userName: string, password: string, extra: Partial<Parameters<typeof signIn>[1]> = {}) =>
    signIn(handle.db, { ...base, userName, password, directory: config, ...extra });

  dbTest("signs in an administrator through Domain Admins, as DOMAIN\\user, in every spelling of the name", async () => {
    for (const name of ["alice", "RMS\\alice", "rms\\ALICE", "alice@rms.test"]) {
      const result = await signInAs(name, DIRECTORY_USERS.alice.password);
      if (!result.ok) throw new Error(`${name}: ${result.code}`);
      expect(result.account).toMatchObject({ userName: "rms\\alice", displayName: "RMS\\alice", groups: ["Domain Admins"] });
      expect(isAdministrator(result.account.groups)).toBe(true);
    }
    const session = await signInAs("alice", DIRECTORY_USERS.alice.password);
    if (!session.ok) throw new Error(session.code);
    expect(await validateSession(handle.db, session.token, { now: T0, idleMinutes: 30 })).toMatchObject({
      account: { displayName: "RMS\\alice", source: "directory", groups: ["Domain Admins"] },
    });
    const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 1 });
    // The audit row names her as the header does: the domain in capitals, the uid as the directory stores it.
    expect(events[0]).toMatchObject({ action: "sign_in", outcome: "success", actor: "RMS\\alice" });
  });

  dbTest("accepts user@suffix only for the directory's realm (dc= parts of its base DNs), or the configured suffixes", async () => {
    expect(await signInAs("alice@evil.example", DIRECTORY_USERS.alice.password)).toEqual({ ok: false, code: "invalid_credentials" });
    const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 1 });
    expect(events[0]).toMatchObject({ outcome: "failure", actor: "RMS\\alice", details: { reason: "foreign_upn_suffix" } });
    const listed = { directory: { ...config, upnSuffixes: ["contoso.com"] } };
    expect(await signInAs("alice@rms.test", DIRECTORY_USERS.alice.password, listed)).toEqual({ ok: false, code: "invalid_credentials" });
    expect(await signInAs("alice@contoso.com", DIRECTORY_USERS.alice.password, listed)).toMatchObject({ ok: true });
  });

  dbTest(
    "follows nested groups (bob is in RMS Operators, which is in Administrators); a plain member is not an administrator",
    async () => {
      const bob = await signInAs("bob", DIRECTORY_USERS.bob.password);
      if (!bob.ok) throw new Error(bob.code);
      expect(bob.account.groups).toEqual(["Administrators", "RMS Operators"]);
      expect(isAdministrator(bob.account.groups)).toBe(true);
      const carol = await signInAs("carol", DIRECTORY_USERS.carol.password);
      if (!carol.ok) throw new Error(carol.code);
      expect(carol.account.groups).toEqual(["Staff"]);
      expect(isAdministrator(carol.account.groups)).toBe(false);
      // RMS_ADMIN_GROUPS decides which groups administer.
      expect(isAdministrator(carol.account.groups, ["Staff"])).toBe(true);
    },
  );

  dbTest("refuses a locked (disabled) account, a wrong password, an empty password and injection attempts, each audited", async () => {
    const refused: [string, string][] = [
      ["dave", DIRECTORY_USERS.dave.password],
      ["alice", "not-alices-password"],
      ["alice", ""],
      ["*", "anything-at-all"],
      ["al*", DIRECTORY_USERS.alice.password],
      ["*)(uid=*", DIRECTORY_USERS.alice.password],
      ["alice)(|(uid=*", DIRECTORY_USERS.alice.password],
      ["alice\\", DIRECTORY_USERS.alice.password],
      ["ali\0ce", DIRECTORY_USERS.alice.password],
      ["OTHERDOMAIN\\alice", DIRECTORY_USERS.alice.password],
      ["a".repeat(300), "x"],
    ];
    for (const [name, password] of refused) {
      expect(await signInAs(name, password), name).toEqual({ ok: false, code: "invalid_credentials" });
    }
    const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: refused.length });
    expect(events).toHaveLength(refused.length);
    for (const event of events) expect(event).toMatchObject({ action: "sign_in", outcome: "failure" });
    // OpenLDAP sends no AD sub-code: the locked account is refused like a wrong password, under its directory name.
    expect(events.at(-1)).toMatchObject({ actor: "RMS\\dave", details: { source: "directory", reason: "wrong_password" } });
  });

  dbTest("a local account keeps working beside the directory (by name or as .\\name), and can be turned off", async () => {
    expect(await signInAs("breakglass", LOCAL_PASSWORD)).toMatchObject({ ok: true, account: { userName: "breakglass" } });
    expect(await signInAs(".\\breakglass", LOCAL_PASSWORD)).toMatchObject({ ok: true });
    expect(await signInAs("breakglass", LOCAL_PASSWORD, { localAccounts: false })).toEqual({ ok: false, code: "invalid_credentials" });
  });

  dbTest(
    "says the directory is unavailable when it is down, hangs, or presents a certificate that does not verify; local accounts still work",
    async () => {
      const silent = net.createServer(() => undefined); // accepts and never answers
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
      const port = (silent.address() as net.AddressInfo).port;
      try {
        const broken: DirectoryConfig[] = [
          { ...config, url: "ldaps://127.0.0.1:1" },
          { ...config, url: `ldaps://127.0.0.1:${port}`, timeoutMs: 500 },
          { ...config, caPem: undefined },
        ];
        for (const directoryConfig of broken) {
          const started = Date.now();
          expect(await signInAs("alice", DIRECTORY_USERS.alice.password, { directory: directoryConfig })).toEqual({
            ok: false,
            code: "directory_unavailable",
          });
          expect(Date.now() - started).toBeLessThan(20_000);
        }
        const { events } = await listAuditEvents(handle.db, { page: 1, pageSize: 1 });
        expect(events[0]).toMatchObject({ outcome: "failure", details: { reason: "directory_unavailable" } });
        expect(await signInAs("breakglass", LOCAL_PASSWORD, { directory: broken[0] })).toMatchObject({ ok: true });
      } finally {
        silent.close();
      }
    },
  );

  dbTest("uses StartTLS on ldap:// and re-reads groups at every sign-in", async () => {
    const result = await signInAs("RMS\\bob", DIRECTORY_USERS.bob.password, { directory: { ...config, url: directory.ldapUrl } });
    expect(result).toMatchObject({ ok: true, account: { groups: ["Administrators", "RMS Operators"] } });
    // With a group base that holds no groups, the same user now has none: nothing is kept from the last sign-in.
    const again = await signInAs("bob", DIRECTORY_USERS.bob.password, { directory: { ...config, groupBase: "ou=people,dc=rms,dc=test" } });
    expect(again).toMatchObject({ ok: true, account: { groups: [] } });
  });
});
