// A real OpenLDAP directory for tests: slapd (Debian package) on loopback ports chosen at start, with a generated
// configuration, a TLS certificate from a throwaway test CA, the ppolicy overlay (so a locked account cannot bind) and a
// seed of users and nested groups shaped like the seed's rule: an administrator through Domain Admins, one through a
// group nested in Administrators, a non-administrator, and a disabled (locked) administrator.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { portOpen } from "./processes";
import { createTestTlsPki } from "./tls";

const run = promisify(execFile);

const SLAPD_BINARY = "/usr/sbin/slapd";
const DIRECTORY_SUFFIX = "dc=rms,dc=test";
export const SERVICE_DN = `cn=svc-rms,ou=service,${DIRECTORY_SUFFIX}`;
export const SERVICE_PASSWORD = "service-account-password";

/** The seeded people: user name → password and what the rule should make of them. */
export const DIRECTORY_USERS = {
  alice: { password: "alice-directory-password", admin: true, via: "Domain Admins" },
  bob: { password: "bob-directory-password", admin: true, via: "RMS Operators → Administrators" },
  carol: { password: "carol-directory-password", admin: false, via: "Staff" },
  dave: { password: "dave-directory-password", admin: true, via: "Domain Admins, but the account is locked" },
} as const;

export interface TestDirectory {
  /** ldaps://127.0.0.1:<port> */
  ldapsUrl: string;
  /** ldap://127.0.0.1:<port> (StartTLS offered) */
  ldapUrl: string;
  /** PEM of the test CA that issued the directory's certificate. */
  caPem: string;
  caFile: string;
  userBase: string;
  groupBase: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function config(dir: string): string {
  return `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile ${dir}/slapd.pid
TLSCertificateFile ${dir}/server.pem
TLSCertificateKeyFile ${dir}/server.key
security ssf=0
database mdb
maxsize 16777216
suffix "${DIRECTORY_SUFFIX}"
rootdn "cn=admin,${DIRECTORY_SUFFIX}"
rootpw admin-password-not-used
directory ${dir}/db
overlay ppolicy
ppolicy_default "cn=default,ou=policies,${DIRECTORY_SUFFIX}"
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="${SERVICE_DN}" read by self read by * none
`;
}

function seed(): string {
  const people = `ou=people,${DIRECTORY_SUFFIX}`;
  const groups = `ou=groups,${DIRECTORY_SUFFIX}`;
  const user = (uid: string, password: string, extra = "") => `dn: uid=${uid},${people}
objectClass: inetOrgPerson
uid: ${uid}
cn: ${uid[0]?.toUpperCase()}${uid.slice(1)} Example
sn: Example
userPassword: ${password}
${extra}`;
  const group = (cn: string, members: string[]) => `dn: cn=${cn},${groups}
objectClass: groupOfNames
cn: ${cn}
${members.map((m) => `member: ${m}`).join("\n")}
`;
  return [
    `dn: ${DIRECTORY_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: rms\no: RMS test\n`,
    `dn: ou=people,${DIRECTORY_SUFFIX}\nobjectClass: organizationalUnit\nou: people\n`,
    `dn: ou=groups,${DIRECTORY_SUFFIX}\nobjectClass: organizationalUnit\nou: groups\n`,
    `dn: ou=service,${DIRECTORY_SUFFIX}\nobjectClass: organizationalUnit\nou: service\n`,
    `dn: ou=policies,${DIRECTORY_SUFFIX}\nobjectClass: organizationalUnit\nou: policies\n`,
    `dn: cn=default,ou=policies,${DIRECTORY_SUFFIX}\nobjectClass: device\nobjectClass: pwdPolicy\ncn: default\npwdAttribute: userPassword\npwdLockout: TRUE\n`,
    `dn: ${SERVICE_DN}\nobjectClass: applicationProcess\nobjectClass: simpleSecurityObject\ncn: svc-rms\nuserPassword: ${SERVICE_PASSWORD}\n`,
    user("alice", DIRECTORY_USERS.alice.password),
    user("bob", DIRECTORY_USERS.bob.password),
    user("carol", DIRECTORY_USERS.carol.password),
    user("dave", DIRECTORY_USERS.dave.password, "pwdAccountLockedTime: 000001010000Z\n"),
    group("Domain Admins", [`uid=alice,${people}`, `uid=dave,${people}`]),
    group("RMS Operators", [`uid=bob,${people}`]),
    group("Administrators", [`cn=RMS Operators,${groups}`]),
    group("Staff", [`uid=carol,${people}`]),
  ].join("\n");
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}):\n${output()}`);
    if (await portOpen(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`slapd did not listen on ${port} within 15 s:\n${output()}`);
}

/** Starts a seeded slapd; call stop() when done. Needs the Debian packages slapd and ldap-utils. */
export async function startTestDirectory(): Promise<TestDirectory> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "rms-slapd-"));
  const pki = await createTestTlsPki({ label: "Test directory", hosts: ["127.0.0.1", "localhost"] });
  await fs.mkdir(path.join(dir, "db"));
  await fs.writeFile(path.join(dir, "server.pem"), pki.serverChainPem);
  await fs.writeFile(path.join(dir, "server.key"), pki.serverKeyPem, { mode: 0o600 });
  const caFile = path.join(dir, "ca.pem");
  await fs.writeFile(caFile, pki.rootPem);
  const conf = path.join(dir, "slapd.conf");
  await fs.writeFile(conf, config(dir));
  const ldif = path.join(dir, "seed.ldif");
  await fs.writeFile(ldif, seed());
  await run("/usr/sbin/slapadd", ["-f", conf, "-l", ldif]);

  const [ldapPort, ldapsPort] = [await freePort(), await freePort()];
  const ldapUrl = `ldap://127.0.0.1:${ldapPort}`;
  const ldapsUrl = `ldaps://127.0.0.1:${ldapsPort}`;
  let log = "";
  const child = spawn(SLAPD_BINARY, ["-f", conf, "-h", `${ldapUrl}/ ${ldapsUrl}/`, "-d", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    log += d.toString();
  });
  await waitForPort(ldapPort, child, () => log);
  await waitForPort(ldapsPort, child, () => log);

  return {
    ldapUrl,
    ldapsUrl,
    caPem: pki.rootPem,
    caFile,
    userBase: `ou=people,${DIRECTORY_SUFFIX}`,
    groupBase: `ou=groups,${DIRECTORY_SUFFIX}`,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
