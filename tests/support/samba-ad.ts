// A real Active Directory domain controller for tests: Samba's AD DC (Debian packages samba, samba-ad-dc, ldb-tools)
// provisioned in a temporary folder (realm RMS.TEST, NetBIOS domain RMS), serving LDAP only (389 and 636 on loopback:
// Samba has no setting for other LDAP ports) with a certificate from a throwaway test CA. Seeded with people shaped like
// the cases Windows tells apart: a Domain Admin by primary group only, an administrator through a nested group, a
// non-administrator, and one account for each reason a domain controller refuses a correct password.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Client, InvalidCredentialsError } from "ldapts";
import { processAlive } from "@/lib/platform/process-alive";
import { portOpen } from "./processes";
import { createTestTlsPki } from "./tls";

const run = promisify(execFile);
const SAMBA_BINARY = "/usr/sbin/samba";

export const AD_DOMAIN = "RMS";
const AD_REALM = "rms.test";
export const AD_BASE_DN = "DC=rms,DC=test";
/** An alternative UPN suffix the forest lists in CN=Partitions (uPNSuffixes), as an administrator adds one. */
export const AD_ALTERNATE_UPN_SUFFIX = "corp.rms.example";
const USERS_DN = `CN=Users,${AD_BASE_DN}`;
export const AD_SERVICE_DN = `CN=svc-rms,${USERS_DN}`;
export const AD_SERVICE_PASSWORD = "Svc-Rms-Passw0rd!";
/** The domain lockout threshold the harness sets: this many wrong passwords lock an account. */
const AD_LOCKOUT_THRESHOLD = 3;

/**
 * The seeded people: sAMAccountName → password and what the console should make of them. `restriction` is the reason
 * the domain controller gives for refusing the correct password (the bind error's "data" sub-code).
 */
export const AD_USERS = {
  Alice: { password: "Alice-Passw0rd!", admin: true, via: "primary group Domain Admins (primaryGroupID 512, not in member)" },
  bob: { password: "Bob-Passw0rd!", admin: true, via: "RMS Operators, a member of BUILTIN\\Administrators" },
  carol: { password: "Carol-Passw0rd!", admin: false, via: "Domain Users, Staff" },
  mustchange: { password: "Mustchange-Passw0rd!", admin: true, restriction: "773", via: "pwdLastSet 0" },
  expiredpw: { password: "Expiredpw-Passw0rd!", admin: true, restriction: "532", via: "pwdLastSet in 2012, maxPwdAge 42 days" },
  expiredacct: { password: "Expiredacct-Passw0rd!", admin: true, restriction: "701", via: "accountExpires in 2012" },
  disabled: { password: "Disabled-Passw0rd!", admin: true, restriction: "533", via: "userAccountControl ACCOUNTDISABLE" },
  locked: { password: "Locked-Passw0rd!", admin: true, restriction: "775", via: "three wrong passwords" },
  nighthours: { password: "Nighthours-Passw0rd!", admin: true, restriction: "530", via: "logonHours all zero" },
  elsewhere: { password: "Elsewhere-Passw0rd!", admin: true, restriction: "531", via: "userWorkstations NOWHERE" },
} as const;
export type AdUser = keyof typeof AD_USERS;

export interface TestActiveDirectory {
  ldapsUrl: string;
  /** ldap:// on which StartTLS is offered. */
  ldapUrl: string;
  caPem: string;
  caFile: string;
  /** Seconds samba-tool domain provision took, and the whole start (provision, seed, start, lockout). */
  timings: { provisionSeconds: number; startSeconds: number };
  /** The SAM database, for ldbsearch/ldbmodify by tests. */
  samLdb: string;
  stop(): Promise<void>;
}

// 2012-01-01 as a Windows FILETIME (100 ns since 1601): long past any password or account lifetime.
const LONG_AGO_FILETIME = "129698208000000000";

function utf16Password(password: string): string {
  return Buffer.from(`"${password}"`, "utf16le").toString("base64");
}

/** A user as `samba-tool user add` makes one: enabled (an LDAP add without userAccountControl creates it disabled). */
function userLdif(name: AdUser, extra: string[] = []): string {
  const user = AD_USERS[name];
  const control = extra.some((line) => line.startsWith("userAccountControl:")) ? [] : ["userAccountControl: 512"];
  return [
    `dn: CN=${name},${USERS_DN}`,
    "objectClass: user",
    `sAMAccountName: ${name}`,
    `userPrincipalName: ${name.toLowerCase()}@${AD_REALM}`,
    `displayName: ${name[0]?.toUpperCase()}${name.slice(1)} Example`,
    `unicodePwd:: ${utf16Password(user.password)}`,
    ...control,
    ...extra,
    "",
  ].join("\n");
}

function seed(): string {
  return [
    [
      `dn: ${AD_SERVICE_DN}`,
      "objectClass: user",
      "sAMAccountName: svc-rms",
      `unicodePwd:: ${utf16Password(AD_SERVICE_PASSWORD)}`,
      "userAccountControl: 512",
      "",
    ].join("\n"),
    userLdif("Alice"),
    userLdif("bob"),
    userLdif("carol"),
    userLdif("mustchange"),
    userLdif("expiredpw"),
    userLdif("expiredacct", [`accountExpires: ${LONG_AGO_FILETIME}`]),
    // 514: NORMAL_ACCOUNT | ACCOUNTDISABLE, what `samba-tool user disable` sets.
    userLdif("disabled", ["userAccountControl: 514"]),
    userLdif("locked"),
    // 21 bytes of zero: no hour of the week in which the account may sign in.
    userLdif("nighthours", [`logonHours:: ${Buffer.alloc(21).toString("base64")}`]),
    userLdif("elsewhere", ["userWorkstations: NOWHERE"]),
    [`dn: CN=RMS Operators,${USERS_DN}`, "objectClass: group", "sAMAccountName: RMS Operators", `member: CN=bob,${USERS_DN}`, ""].join(
      "\n",
    ),
    [`dn: CN=Staff,${USERS_DN}`, "objectClass: group", "sAMAccountName: Staff", `member: CN=carol,${USERS_DN}`, ""].join("\n"),
  ].join("\n");
}

function modifications(): string {
  const domainAdmins = `CN=Domain Admins,${USERS_DN}`;
  const admin = (name: AdUser) => `member: CN=${name},${USERS_DN}`;
  return [
    // The restricted people are Domain Admins too: only the restriction keeps them out.
    [
      `dn: ${domainAdmins}`,
      "changetype: modify",
      "add: member",
      admin("Alice"),
      ...(["mustchange", "expiredpw", "expiredacct", "disabled", "locked", "nighthours", "elsewhere"] as const).map(admin),
      "",
    ].join("\n"),
    // Alice's primary group becomes Domain Admins (she must be a member first): the DC then takes her out of its member
    // list, as Windows does for every primary group, and lists her in her previous primary group (Domain Users).
    [`dn: CN=Alice,${USERS_DN}`, "changetype: modify", "replace: primaryGroupID", "primaryGroupID: 512", ""].join("\n"),
    [
      `dn: CN=Administrators,CN=Builtin,${AD_BASE_DN}`,
      "changetype: modify",
      "add: member",
      `member: CN=RMS Operators,${USERS_DN}`,
      "",
    ].join("\n"),
    // "User must change password at next logon".
    [`dn: CN=mustchange,${USERS_DN}`, "changetype: modify", "replace: pwdLastSet", "pwdLastSet: 0", ""].join("\n"),
    [`dn: ${AD_BASE_DN}`, "changetype: modify", "replace: lockoutThreshold", `lockoutThreshold: ${AD_LOCKOUT_THRESHOLD}`, ""].join("\n"),
    [
      `dn: CN=Partitions,CN=Configuration,${AD_BASE_DN}`,
      "changetype: modify",
      "add: uPNSuffixes",
      `uPNSuffixes: ${AD_ALTERNATE_UPN_SUFFIX}`,
      "",
    ].join("\n"),
  ].join("\n");
}

function smbConf(dir: string): string {
  return `[global]
	netbios name = DC1
	realm = ${AD_REALM.toUpperCase()}
	workgroup = ${AD_DOMAIN}
	server role = active directory domain controller
	server services = ldap
	disable netbios = yes
	interfaces = lo
	bind interfaces only = yes
	private dir = ${dir}/private
	lock directory = ${dir}
	state directory = ${dir}/state
	cache directory = ${dir}/cache
	binddns dir = ${dir}/bind-dns
	pid directory = ${dir}/run
	log file = ${dir}/log.%m
	idmap_ldb:use rfc2307 = yes
	tls enabled = yes
	tls keyfile = ${dir}/tls/server.key
	tls certfile = ${dir}/tls/server.pem
	tls cafile = ${dir}/tls/ca.pem
`;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`samba exited (${child.exitCode}):\n${output()}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`samba did not listen on ${port} within 60 s:\n${output()}`);
}

/** Fails binds with a wrong password until the domain controller locks the account (lockoutThreshold). */
async function lockOut(ldapsUrl: string, caPem: string, name: AdUser): Promise<void> {
  for (let attempt = 0; attempt < AD_LOCKOUT_THRESHOLD; attempt++) {
    const client = new Client({ url: ldapsUrl, tlsOptions: { ca: caPem } });
    try {
      await client.bind(`CN=${name},${USERS_DN}`, "not-the-password");
      throw new Error(`${name} signed in with a wrong password`);
    } catch (error) {
      if (!(error instanceof InvalidCredentialsError)) throw error;
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
}

const PORTS_LOCK = path.join(os.tmpdir(), "rms-samba-ad-ports.lock");

/**
 * Takes the machine-wide lock on ports 389 and 636 (a folder: mkdir is atomic), waiting up to 10 minutes for the
 * process that holds it; a lock whose holder has died is taken over. Returns its release.
 */
async function holdSambaPorts(): Promise<() => Promise<void>> {
  const deadline = Date.now() + 600_000;
  const owner = path.join(PORTS_LOCK, "pid");
  for (;;) {
    try {
      await fs.mkdir(PORTS_LOCK);
      await fs.writeFile(owner, String(process.pid));
      return () => fs.rm(PORTS_LOCK, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = Number(await fs.readFile(owner, "utf8").catch(() => "0"));
    if (holder > 0 && !processAlive(holder)) {
      await fs.rm(PORTS_LOCK, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Gave up after 10 minutes waiting for ${PORTS_LOCK} (held by process ${holder})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Provisions and starts a seeded Samba AD DC; call stop() when done. Needs root (Samba's DC refuses to run otherwise),
 * the ports 389 and 636 on 127.0.0.1 free (it waits for another test's domain controller to stop), and the Debian
 * packages samba, samba-ad-dc, samba-ad-provision, ldb-tools.
 */
export async function startSambaAd(): Promise<TestActiveDirectory> {
  const started = Date.now();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rms-samba-ad-"));
  const conf = path.join(dir, "etc", "smb.conf");
  const samLdb = path.join(dir, "private", "sam.ldb");
  const provisionStarted = Date.now();
  await run(
    "samba-tool",
    [
      "domain",
      "provision",
      `--targetdir=${dir}`,
      `--realm=${AD_REALM.toUpperCase()}`,
      `--domain=${AD_DOMAIN}`,
      "--server-role=dc",
      "--dns-backend=NONE",
      "--use-rfc2307",
      "--host-name=dc1",
      "--adminpass=Adm1n-Passw0rd!",
      "--option=interfaces = lo",
      "--option=bind interfaces only = yes",
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const provisionSeconds = (Date.now() - provisionStarted) / 1000;

  const pki = await createTestTlsPki({ label: "Test domain controller", hosts: ["127.0.0.1", "localhost"] });
  await fs.mkdir(path.join(dir, "tls"));
  await fs.mkdir(path.join(dir, "run"));
  await fs.writeFile(path.join(dir, "tls", "server.pem"), pki.serverChainPem);
  await fs.writeFile(path.join(dir, "tls", "server.key"), pki.serverKeyPem, { mode: 0o600 });
  const caFile = path.join(dir, "tls", "ca.pem");
  await fs.writeFile(caFile, pki.rootPem);
  await fs.writeFile(conf, smbConf(dir));

  await fs.writeFile(path.join(dir, "seed.ldif"), seed());
  await run("ldbadd", ["-H", samLdb, path.join(dir, "seed.ldif")]);
  await fs.writeFile(path.join(dir, "modify.ldif"), modifications());
  await run("ldbmodify", ["-H", samLdb, path.join(dir, "modify.ldif")]);
  // An expired password needs a pwdLastSet in the past, which the SAM's modules refuse (only 0 or -1 may be written):
  // written into the domain partition's own database, below those modules, as the clock's passing would have.
  await fs.writeFile(
    path.join(dir, "expired.ldif"),
    [`dn: CN=expiredpw,${USERS_DN}`, "changetype: modify", "replace: pwdLastSet", `pwdLastSet: ${LONG_AGO_FILETIME}`, ""].join("\n"),
  );
  await run("ldbmodify", ["-H", path.join(dir, "private", "sam.ldb.d", `${AD_BASE_DN.toUpperCase()}.ldb`), path.join(dir, "expired.ldif")]);

  // The domain controller's ports are fixed, and two runs may want one at once (`npm run test:integration` beside
  // `npm run test:e2e`): the one that provisioned second waits here until the other's domain controller has stopped.
  const releasePorts = await holdSambaPorts();
  for (const port of [389, 636]) {
    if (await portOpen(port)) {
      await releasePorts();
      await fs.rm(dir, { recursive: true, force: true });
      throw new Error(`Port ${port} on 127.0.0.1 is in use; the Samba AD DC test needs it (a samba started outside the tests?)`);
    }
  }
  let log = "";
  // -i: foreground, no daemon; -M single: one process (the prefork model starts a worker per core).
  const child = spawn(SAMBA_BINARY, ["-i", "-M", "single", "-s", conf, "--debug-stdout", "-d", "1"], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) {
        const killed = new Promise((r) => child.once("exit", r));
        child.kill("SIGKILL");
        await killed;
      }
    }
    await releasePorts();
    await fs.rm(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(389, child, () => log);
    await waitForPort(636, child, () => log);
    const ldapsUrl = "ldaps://127.0.0.1:636";
    await lockOut(ldapsUrl, pki.rootPem, "locked");
    return {
      ldapsUrl,
      ldapUrl: "ldap://127.0.0.1:389",
      caPem: pki.rootPem,
      caFile,
      samLdb,
      timings: { provisionSeconds, startSeconds: (Date.now() - started) / 1000 },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
