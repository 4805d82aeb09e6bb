// Directory sign-in against a real Active Directory domain controller: Samba 4.17's AD DC, provisioned once for this
// file (tests/support/samba-ad.ts). Group membership as Windows sees it (primary group, nested groups), every reason a
// domain controller refuses a correct password, UPN suffixes, and one canonical name in every audit row.
import { Client } from "ldapts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { createAccount, isAdministrator } from "@/lib/console/auth/accounts";
import { AD_RESTRICTIONS, type DirectoryConfig, readDirectoryGroups } from "@/lib/console/auth/directory";
import { validateSession } from "@/lib/console/auth/sessions";
import { signIn } from "@/lib/console/auth/sign-in";
import { localServerName } from "@/lib/platform/server-identity";
import type { TestDatabase } from "../support/databases";
import { dbTest, describeOnEachDatabase } from "../support/db-test";
import {
  AD_ALTERNATE_UPN_SUFFIX,
  AD_BASE_DN,
  AD_DOMAIN,
  AD_SERVICE_DN,
  AD_SERVICE_PASSWORD,
  AD_USERS,
  type AdUser,
  startSambaAd,
  type TestActiveDirectory,
} from "../support/samba-ad";

const T0 = new Date("2030-06-01T09:00:00Z");
const base = { remoteAddress: "203.0.113.7", idleMinutes: 30, maxHours: 8, now: T0 };
const LOCAL_PASSWORD = "Tr0ub4dor&3-but-longer";

let dc: TestActiveDirectory;
let config: DirectoryConfig;

beforeAll(async () => {
  dc = await startSambaAd();
  console.info(`Samba AD DC: provision ${dc.timings.provisionSeconds.toFixed(1)} s, ready ${dc.timings.startSeconds.toFixed(1)} s`);
  config = {
    url: dc.ldapsUrl,
    caPem: dc.caPem,
    bindDn: AD_SERVICE_DN,
    bindPassword: AD_SERVICE_PASSWORD,
    userBase: AD_BASE_DN,
    userFilter: "(&(objectClass=user)(sAMAccountName={user}))",
    groupBase: AD_BASE_DN,
    domain: AD_DOMAIN,
    timeoutMs: 5_000,
  };
}, 180_000);
afterAll(async () => dc?.stop());

/** A connection bound as the service account, for reading groups the way sign-in does. */
async function serviceClient(): Promise<Client> {
  const client = new Client({ url: dc.ldapsUrl, tlsOptions: { ca: dc.caPem } });
  await client.bind(AD_SERVICE_DN, AD_SERVICE_PASSWORD);
  return client;
}

describe("group membership as Windows sees it", () => {
  it("tokenGroups and primary group + nested member give the same groups; member alone misses the primary group", async () => {
    const client = await serviceClient();
    try {
      const groupsOf = async (user: AdUser, method: "tokenGroups" | "primaryGroup" | "member") =>
        (await readDirectoryGroups(client, config, `CN=${user},CN=Users,${AD_BASE_DN}`, method)).groups;
      for (const user of ["Alice", "bob", "carol"] as const) {
        expect(await groupsOf(user, "primaryGroup"), user).toEqual(await groupsOf(user, "tokenGroups"));
      }
      expect(await groupsOf("Alice", "tokenGroups")).toEqual(expect.arrayContaining(["Administrators", "Domain Admins", "Domain Users"]));
      expect(await groupsOf("bob", "tokenGroups")).toEqual(expect.arrayContaining(["Administrators", "Domain Users", "RMS Operators"]));
      expect(isAdministrator(await groupsOf("carol", "tokenGroups"))).toBe(false);
      // What the console did before: Domain Admins is Alice's primary group, which AD never lists in member.
      expect(await groupsOf("Alice", "member")).not.toContain("Domain Admins");
      expect(isAdministrator(await groupsOf("Alice", "member"))).toBe(false);
      // Without a method, the directory's own token is used.
      expect((await readDirectoryGroups(client, config, `CN=Alice,CN=Users,${AD_BASE_DN}`)).method).toBe("tokenGroups");
    } finally {
      await client.unbind();
    }
  });
});

describeOnEachDatabase("Active Directory sign-in", () => {
  // This test's `db`, for the helpers below.
  let handle: TestDatabase;
  dbTest.beforeEach(async ({ db }) => {
    handle = db;
  });

  const signInAs = (userName: string, password: string, extra: Partial<Parameters<typeof signIn>[1]> = {}) =>
    signIn(handle.db, { ...base, userName, password, directory: config, ...extra });
  const lastEvent = async () => (await listAuditEvents(handle.db, { page: 1, pageSize: 1 })).events[0];

  dbTest("signs in a Domain Admin by primary group only, as RMS\\Alice (the name as stored), in every spelling", async () => {
    for (const name of ["Alice", "alice", "RMS\\alice", "rms\\ALICE", "alice@rms.test", `ALICE@${AD_ALTERNATE_UPN_SUFFIX.toUpperCase()}`]) {
      const result = await signInAs(name, AD_USERS.Alice.password);
      if (!result.ok) throw new Error(`${name}: ${result.code}`);
      expect(result.account).toMatchObject({ userName: "rms\\alice", displayName: "RMS\\Alice" });
      expect(result.account.groups).toContain("Domain Admins");
      expect(isAdministrator(result.account.groups)).toBe(true);
      expect(await lastEvent()).toMatchObject({ action: "sign_in", outcome: "success", actor: "RMS\\Alice" });
    }
    const session = await signInAs("alice", AD_USERS.Alice.password);
    if (!session.ok) throw new Error(session.code);
    // The header shows the directory account's stored name (lib/console/auth/current.ts).
    expect(await validateSession(handle.db, session.token, { now: T0, idleMinutes: 30 })).toMatchObject({
      account: { displayName: "RMS\\Alice", source: "directory" },
    });
  });

  dbTest("signs in an administrator through a group nested in BUILTIN\\Administrators; a plain user is no administrator", async () => {
    const bob = await signInAs("RMS\\bob", AD_USERS.bob.password);
    if (!bob.ok) throw new Error(bob.code);
    expect(bob.account.groups).toEqual(expect.arrayContaining(["Administrators", "RMS Operators"]));
    expect(isAdministrator(bob.account.groups)).toBe(true);
    const carol = await signInAs("carol", AD_USERS.carol.password);
    if (!carol.ok) throw new Error(carol.code);
    expect(carol.account.groups).toEqual(expect.arrayContaining(["Domain Users", "Staff"]));
    expect(isAdministrator(carol.account.groups)).toBe(false);
  });

  dbTest("tells each reason the domain controller refuses a correct password, audited under the account's name", async () => {
    const restricted = Object.entries(AD_USERS).flatMap(([name, user]) => ("restriction" in user ? [[name, user] as const] : []));
    expect(restricted).toHaveLength(Object.keys(AD_RESTRICTIONS).length);
    for (const [name, user] of restricted) {
      const restriction = AD_RESTRICTIONS[user.restriction];
      expect(await signInAs(name, user.password), name).toEqual({ ok: false, code: "restricted", restriction });
      const event = await lastEvent();
      expect(event, name).toMatchObject({
        action: "sign_in",
        outcome: "failure",
        actor: `RMS\\${name}`,
        details: { source: "directory", reason: restriction },
      });
      // What Samba said, kept in the audit row's detail.
      expect(String(event?.details.detail)).toContain(`AcceptSecurityContext error, data ${user.restriction},`);
      console.info(`${name}: ${String(event?.details.detail)}`);
    }
  });

  dbTest("gives a wrong password no reason, except a lockout (which Windows announces to anyone)", async () => {
    for (const name of ["mustchange", "expiredpw", "expiredacct", "disabled", "nighthours", "elsewhere"]) {
      expect(await signInAs(name, "Not-The-Passw0rd!"), name).toEqual({ ok: false, code: "invalid_credentials" });
      expect(await lastEvent()).toMatchObject({ actor: `RMS\\${name}`, details: { reason: "wrong_password" } });
    }
    expect(await signInAs("locked", "Not-The-Passw0rd!")).toEqual({ ok: false, code: "restricted", restriction: "account_locked" });
    expect(await signInAs("nobody-here", "Not-The-Passw0rd!")).toEqual({ ok: false, code: "invalid_credentials" });
    expect(await lastEvent()).toMatchObject({ actor: "RMS\\nobody-here", details: { reason: "unknown_user" } });
  });

  dbTest("accepts a UPN only with the directory's own suffixes, or with the configured ones", async () => {
    expect(await signInAs("alice@evil.example", AD_USERS.Alice.password)).toEqual({ ok: false, code: "invalid_credentials" });
    expect(await lastEvent()).toMatchObject({ outcome: "failure", actor: "RMS\\alice", details: { reason: "foreign_upn_suffix" } });
    expect(await signInAs("alice@rms.test.evil.example", AD_USERS.Alice.password)).toEqual({ ok: false, code: "invalid_credentials" });
    expect(await signInAs("EVIL\\alice", AD_USERS.Alice.password)).toEqual({ ok: false, code: "invalid_credentials" });
    // RMS_LDAP_UPN_SUFFIXES replaces what the directory lists.
    const listed = { directory: { ...config, upnSuffixes: ["rms.test"] } };
    expect(await signInAs(`alice@${AD_ALTERNATE_UPN_SUFFIX}`, AD_USERS.Alice.password, listed)).toEqual({
      ok: false,
      code: "invalid_credentials",
    });
    expect(await signInAs("alice@rms.test", AD_USERS.Alice.password, listed)).toMatchObject({ ok: true });
  });

  dbTest("names a local account MACHINE\\name, apart from a directory account of the same name, in success and refusal", async () => {
    await createAccount(handle.db, { userName: "carol", password: LOCAL_PASSWORD, groups: ["Administrators"] });
    const machine = localServerName();
    expect(machine).not.toBe(AD_DOMAIN);
    expect(await signInAs(".\\carol", LOCAL_PASSWORD)).toMatchObject({ ok: true });
    expect(await lastEvent()).toMatchObject({ outcome: "success", actor: `${machine}\\carol` });
    expect(await signInAs("carol", "wrong-password-here")).toEqual({ ok: false, code: "invalid_credentials" });
    expect(await lastEvent()).toMatchObject({ outcome: "failure", actor: `${machine}\\carol`, details: { reason: "wrong_password" } });
    // The directory's carol is another person.
    expect(await signInAs("RMS\\carol", AD_USERS.carol.password)).toMatchObject({ ok: true });
    expect(await lastEvent()).toMatchObject({ outcome: "success", actor: "RMS\\carol" });
  });

  dbTest("uses StartTLS on ldap://", async () => {
    const result = await signInAs("alice", AD_USERS.Alice.password, { directory: { ...config, url: dc.ldapUrl } });
    expect(result).toMatchObject({ ok: true, account: { displayName: "RMS\\Alice" } });
  });
});
