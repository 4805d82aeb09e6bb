// Cluster keys in a real PKCS#11 token (Debian's SoftHSM2, initialised here in a temporary folder), on PGlite and
// PostgreSQL: the key is made in the token and never leaves it (attributes read back), the real enrollment service
// accepts what the token signed, xmlsec1 verifies it, and an unplugged module, a wrong PIN or a missing key change nothing.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { whereKeysCommand } from "@/lib/console/cli/keys-command";
import { provisionWebSite } from "@/lib/console/provisioning/web-sites";
import { describeClusterKeyCustody } from "@/lib/console/renewal/cluster-keys";
import type { RenewalContext } from "@/lib/console/renewal/context";
import { exportRenewalRequest } from "@/lib/console/renewal/offline";
import { renewOnline } from "@/lib/console/renewal/online";
import { loadKeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import { destroyTokenKeyPair, type Pkcs11Settings, readTokenKeyAttributes } from "@/lib/core/certificates/pkcs11-token";
import { verifyRenewalRequest } from "@/lib/core/certificates/renewal-request";
import { type EnrollmentService, startEnrollmentService } from "@/lib/enrollment/server";
import { certificates, clusterKeys, clusters, webSites } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { describeOnEachDatabase } from "../support/db-test";
import { seedEnrollmentStore } from "../support/enrollment";

const MODULE = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN_LABEL = "rms-cluster-keys";
const PIN = "4711-rms";
const actor = { name: "RMS01\\alice", remoteAddress: "127.0.0.1" };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-hsm-test-"));
let enrollment: EnrollmentService;
let enrollmentRoot: string;
let token: Pkcs11Settings;

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: process.env });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); install it with: apt-get install -y softhsm2 xmlsec1`);
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  // The token lives in this file's own folder: SoftHSM2 reads SOFTHSM2_CONF when the module is first initialised.
  fs.mkdirSync(path.join(tmp, "tokens"));
  fs.writeFileSync(
    path.join(tmp, "softhsm2.conf"),
    `directories.tokendir = ${path.join(tmp, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env.SOFTHSM2_CONF = path.join(tmp, "softhsm2.conf");
  const init = run("softhsm2-util", ["--init-token", "--free", "--label", TOKEN_LABEL, "--so-pin", "so-12345678", "--pin", PIN]);
  expect(init.code, init.output).toBe(0);
  fs.writeFileSync(path.join(tmp, "pin"), `${PIN}\n`, { mode: 0o600 });
  token = { modulePath: MODULE, tokenLabel: TOKEN_LABEL, pinFile: path.join(tmp, "pin"), source: "RMS_PKCS11" };
  seedEnrollmentStore(path.join(tmp, "enrollment"));
  enrollment = await startEnrollmentService({
    host: "127.0.0.1",
    policy: "open",
    port: 0,
    dataDir: path.join(tmp, "enrollment"),
    validityDays: 365,
    issuerName: "HSM Test Enrollment Service",
  });
  enrollmentRoot = fs.readFileSync(path.join(tmp, "enrollment", "ca", "root.pem"), "utf8");
});

afterAll(async () => {
  await enrollment?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describeOnEachDatabase("cluster keys in a PKCS#11 token", ({ kind, sharedDatabase }) => {
  let handle: TestDatabase;
  let ctx: RenewalContext;
  const kek = loadKeyEncryptionKey({ dataDir: path.join(tmp, `console-${kind}`), createIfMissing: true });

  async function provision(name: string, tokenSettings: Pkcs11Settings | null) {
    const [site] = await handle.db
      .insert(webSites)
      .values({ name: `${name} Web Site` })
      .returning();
    if (!site) throw new Error("no web site");
    const result = await provisionWebSite(handle.db, {
      webSiteId: site.id,
      fields: { clusterName: name, clusterUrl: `https://${name.toLowerCase()}.contoso.com/_wmcs`, configDatabase: `DRMS_${name}` },
      serverName: "RMS01",
      kek,
      actor,
      token: tokenSettings,
    });
    return { site, result };
  }

  async function tableCount(table: typeof clusters | typeof clusterKeys | typeof certificates) {
    const [row] = await handle.db.select({ n: count() }).from(table);
    return row?.n ?? 0;
  }

  beforeAll(async () => {
    handle = await sharedDatabase();
    ctx = {
      db: handle.db,
      kek: () => kek,
      pkcs11: token,
      trustAnchors: () => [enrollmentRoot],
      enrollmentUrl: enrollment.url,
      http: { connectTimeoutMs: 2000, totalTimeoutMs: 10_000 },
      now: () => new Date(),
      leaseMs: 30_000,
    };
  });

  it("generates the cluster key inside the token: the row keeps only its reference, the token refuses its secret parts", async () => {
    const { result } = await provision(`HSM${kind}`, token);
    if (!result.ok) throw new Error(`provisioning failed: ${JSON.stringify(result)}`);
    const [row] = await handle.db.select().from(clusterKeys).where(eq(clusterKeys.clusterId, result.clusterId));
    expect(row?.custody).toBe("pkcs11");
    expect(row?.encryptedPrivateKey).toBeNull();
    expect(row?.pkcs11TokenLabel).toBe(TOKEN_LABEL);
    expect(row?.pkcs11KeyId).toMatch(/^[0-9a-f]{32}$/);
    expect(row?.publicKeyPem).toContain("BEGIN PUBLIC KEY");

    const custody = await describeClusterKeyCustody(handle.db, result.clusterId);
    expect(custody).toEqual({
      kind: "pkcs11",
      tokenLabel: TOKEN_LABEL,
      keyLabel: `rms-cluster-${result.clusterId}`,
      keyId: row?.pkcs11KeyId,
      fingerprint: result.keyFingerprint,
    });
    if (custody?.kind !== "pkcs11") throw new Error("not in the token");

    const attributes = readTokenKeyAttributes(token, custody);
    expect(attributes).toEqual({
      extractable: false,
      sensitive: true,
      token: true,
      private: true,
      sign: true,
      alwaysSensitive: true,
      neverExtractable: true,
      modulusBits: 2048,
      // C_GetAttributeValue of CKA_VALUE, CKA_PRIVATE_EXPONENT and CKA_PRIME_1 is refused (CKR_ATTRIBUTE_SENSITIVE).
      refused: { value: true, privateExponent: true, prime1: true },
    });
  });

  it("enrolls online with a request the token signed; the service accepts it and the console installs the SLC after every check", async () => {
    const [cluster] = await handle.db
      .select()
      .from(clusters)
      .where(eq(clusters.name, `HSM${kind}`));
    if (!cluster) throw new Error("no cluster");
    const result = await renewOnline(ctx, { clusterId: cluster.id, actor });
    if (!result.ok) throw new Error(`online enrollment failed: ${JSON.stringify(result)}`);
    const installed = await handle.db.select().from(certificates).where(eq(certificates.clusterId, cluster.id));
    expect(installed.filter((c) => c.active)).toHaveLength(1);

    // A renewal: the request names the installed SLC, so the service issues at once to the registered (token) key.
    const renewed = await renewOnline(ctx, { clusterId: cluster.id, actor });
    if (!renewed.ok) throw new Error(`online renewal failed: ${JSON.stringify(renewed)}`);
    expect(renewed.slc.fingerprint).not.toBe(result.slc.fingerprint);
  });

  it("exports a request the token signed that our verifier and Debian's xmlsec1 accept with the cluster's public key", async () => {
    const [cluster] = await handle.db
      .select()
      .from(clusters)
      .where(eq(clusters.name, `HSM${kind}`));
    const [key] = await handle.db
      .select()
      .from(clusterKeys)
      .where(eq(clusterKeys.clusterId, cluster?.id ?? ""));
    if (!cluster || !key) throw new Error("no cluster");
    const exported = await exportRenewalRequest(ctx, { clusterId: cluster.id, actor });
    if (!exported.ok) throw new Error(`export failed: ${JSON.stringify(exported)}`);
    const document = exported.pending.document;
    const verified = verifyRenewalRequest(document);
    expect(verified.ok && verified.keyFingerprint).toBe(key.fingerprint);

    const pem = path.join(tmp, `public-${kind}.pem`);
    const file = path.join(tmp, `request-${kind}.xml`);
    fs.writeFileSync(pem, key.publicKeyPem);
    fs.writeFileSync(file, document);
    const ok = run("xmlsec1", ["--verify", "--pubkey-pem", pem, file]);
    expect(ok.output).toContain("OK");
    expect(ok.code).toBe(0);
    fs.writeFileSync(file, document.replace("<SKU>", "<SKU>X"));
    expect(run("xmlsec1", ["--verify", "--pubkey-pem", pem, file]).code).not.toBe(0);
  });

  it("a wrong PIN: a clear error, nothing sent or stored, the audit names it", async () => {
    const [cluster] = await handle.db
      .select()
      .from(clusters)
      .where(eq(clusters.name, `HSM${kind}`));
    if (!cluster) throw new Error("no cluster");
    const before = await tableCount(certificates);
    const wrong = await renewOnline(
      { ...ctx, pkcs11: { ...token, pinFile: undefined, pin: "0000-wrong" } },
      { clusterId: cluster.id, actor },
    );
    expect(wrong).toMatchObject({ ok: false, code: "key_unavailable" });
    const detail = !wrong.ok && "detail" in wrong ? wrong.detail : "";
    expect(detail).toContain("CKR_PIN_INCORRECT");
    expect(detail).not.toContain("0000-wrong");
    expect(await tableCount(certificates)).toBe(before);
    const [event] = (await listAuditEvents(handle.db, { page: 1, pageSize: 1, clusterId: cluster.id })).events;
    expect(event).toMatchObject({ action: "renew_online_failed", outcome: "failure" });
    expect(JSON.stringify(event?.details)).toContain("CKR_PIN_INCORRECT");

    // The right PIN works again at once (the token logs in anew).
    const again = await renewOnline(ctx, { clusterId: cluster.id, actor });
    expect(again.ok).toBe(true);
  });

  it("an unplugged module (no library at the path): provisioning refuses, no cluster, key or web site change; audited", async () => {
    const clustersBefore = await tableCount(clusters);
    const keysBefore = await tableCount(clusterKeys);
    const { site, result } = await provision(`Unplugged${kind}`, { ...token, modulePath: path.join(tmp, "no-such-pkcs11.so") });
    expect(result).toMatchObject({ ok: false, code: "token_unavailable" });
    expect(!result.ok && "detail" in result ? result.detail : "").toContain("RMS_PKCS11_MODULE");
    expect(await tableCount(clusters)).toBe(clustersBefore);
    expect(await tableCount(clusterKeys)).toBe(keysBefore);
    const [after] = await handle.db.select().from(webSites).where(eq(webSites.id, site.id));
    expect(after?.clusterId).toBeNull();
    const [event] = (await listAuditEvents(handle.db, { page: 1, pageSize: 1 })).events;
    expect(event).toMatchObject({ action: "cluster_provisioned", outcome: "failure" });
    expect(event?.details).toMatchObject({ code: "token_unavailable", hsmError: "module_missing" });
  });

  it("a token without the cluster's key (deleted in the token): renewal refuses and names the key", async () => {
    const { result } = await provision(`Gone${kind}`, token);
    if (!result.ok) throw new Error(`provisioning failed: ${JSON.stringify(result)}`);
    const custody = await describeClusterKeyCustody(handle.db, result.clusterId);
    if (custody?.kind !== "pkcs11") throw new Error("not in the token");
    destroyTokenKeyPair(token, custody);
    const before = await tableCount(certificates);
    const refused = await renewOnline(ctx, { clusterId: result.clusterId, actor });
    expect(refused).toMatchObject({ ok: false, code: "key_unavailable" });
    expect(!refused.ok && "detail" in refused ? refused.detail : "").toContain(custody.keyId);
    expect(await tableCount(certificates)).toBe(before);
  });

  it("without a token configured, a cluster key is a file key as before", async () => {
    const { result } = await provision(`File${kind}`, null);
    if (!result.ok) throw new Error(`provisioning failed: ${JSON.stringify(result)}`);
    expect(await describeClusterKeyCustody(handle.db, result.clusterId)).toEqual({ kind: "file", fingerprint: result.keyFingerprint });
    const enrolled = await renewOnline({ ...ctx, pkcs11: null }, { clusterId: result.clusterId, actor });
    expect(enrolled.ok).toBe(true);
  });

  it("`rms keys where` shows each key's custody, confirmed in the token, and fails for the key the token lost", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await whereKeysCommand(handle.db, token, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
    const text = out.join("\n");
    expect(text).toMatch(new RegExp(`HSM${kind}\\s+PKCS#11 token "${TOKEN_LABEL}".*in token, not extractable`));
    expect(text).toMatch(new RegExp(`File${kind}\\s+file \\(encrypted under the master key\\)`));
    expect(text).toMatch(new RegExp(`Gone${kind}.*KEY_MISSING`));
    expect(err.join("\n")).toContain(`Gone${kind}: The token "${TOKEN_LABEL}" holds no private key`);
    expect(code).toBe(1);
  });
});
