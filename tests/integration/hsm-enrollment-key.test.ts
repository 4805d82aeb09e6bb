// The enrollment service's SLC signing key in a real PKCS#11 token (Debian's SoftHSM2, initialised here in a temporary
// folder), on PGlite and PostgreSQL: `ca token-key` (the real CLI) makes the key inside the token and a certificate for
// it, the token refuses its secret parts (attributes read back), the service answers a renewal request with an SLC the
// token signed that our verifier and xmlsec1 accept, and a wrong PIN or a missing token stops the start and the
// command with one clear error, changing nothing.
import { spawnSync } from "node:child_process";
import { createHash, createPublicKey, X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postRenewalRequest } from "@/lib/console/renewal/enrollment-client";
import { type Pkcs11Settings, readTokenKeyAttributes, type TokenKeyRef, tokenPublicKeyPem } from "@/lib/core/certificates/pkcs11-token";
import { verifySlc } from "@/lib/core/certificates/verify-slc";
import { createCaHierarchy } from "@/lib/enrollment/ca";
import { type EnrollmentService, type EnrollmentServiceConfig, startEnrollmentService } from "@/lib/enrollment/server";
import { loadOrCreateCa } from "@/lib/enrollment/store";
import { buildTestRenewalRequest } from "@/tests/support/certificate-fixtures";
import { testDatabaseKinds } from "../support/databases";
import { seedEnrollmentStore } from "../support/enrollment";
import { type ProgramRun, runProgram } from "../support/processes";

const MODULE = "/usr/lib/softhsm/libsofthsm2.so";
const TOKEN_LABEL = "rms-enrollment";
const PIN = "2718-enroll";
const WRONG_PIN = "0000-wrong";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-hsm-enrollment-"));
const tokenDir = path.join(tmp, "tokens");
let token: Pkcs11Settings;

function run(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: process.env });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}); install it with: apt-get install -y softhsm2 xmlsec1`);
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

/** `npm run enrollment -- <args>` with only the settings given (and the token's configuration). */
function enrollmentCli(args: string[], settings: Record<string, string>): Promise<ProgramRun> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: "production",
    NODE_NO_WARNINGS: "1",
    SOFTHSM2_CONF: process.env.SOFTHSM2_CONF,
    ...settings,
  };
  return runProgram("enrollment", args, env);
}

function tokenSettings(dataDir: string, pinFile: string): Record<string, string> {
  return {
    RMS_ENROLLMENT_DATA_DIR: dataDir,
    RMS_ENROLLMENT_PKCS11_MODULE: MODULE,
    RMS_ENROLLMENT_PKCS11_TOKEN_LABEL: TOKEN_LABEL,
    RMS_ENROLLMENT_PKCS11_PIN_FILE: pinFile,
  };
}

/** Every file under `dir` with the SHA-256 of its content: what "nothing changed" is compared on. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = createHash("sha256").update(fs.readFileSync(full)).digest("hex");
  }
  return out;
}

/** The token's objects as SoftHSM2's file store keeps them (one file each): a new key would add files. */
function tokenObjects(): string[] {
  return Object.keys(snapshot(tokenDir))
    .filter((name) => name.endsWith(".object") && !name.endsWith("token.object"))
    .sort();
}

beforeAll(() => {
  // SoftHSM2 reads SOFTHSM2_CONF when the module is first initialised: in this process and in each CLI child.
  fs.mkdirSync(tokenDir);
  fs.writeFileSync(path.join(tmp, "softhsm2.conf"), `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  process.env.SOFTHSM2_CONF = path.join(tmp, "softhsm2.conf");
  const init = run("softhsm2-util", ["--init-token", "--free", "--label", TOKEN_LABEL, "--so-pin", "so-12345678", "--pin", PIN]);
  expect(init.code, init.output).toBe(0);
  fs.writeFileSync(path.join(tmp, "pin"), `${PIN}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(tmp, "wrong-pin"), `${WRONG_PIN}\n`, { mode: 0o600 });
  token = { modulePath: MODULE, tokenLabel: TOKEN_LABEL, pinFile: path.join(tmp, "pin"), source: "RMS_ENROLLMENT_PKCS11" };
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe.each(testDatabaseKinds())("the enrollment service's signing key in a PKCS#11 token, store on %s", (kind) => {
  const dataDir = path.join(tmp, `enrollment-${kind}`);
  const caDir = path.join(dataDir, "ca");
  let ref: TokenKeyRef;
  let service: EnrollmentService | undefined;

  const serviceConfig = (pkcs11: Pkcs11Settings | null): EnrollmentServiceConfig => ({
    host: "127.0.0.1",
    port: 0,
    dataDir,
    validityDays: 365,
    issuerName: "HSM Test Enrollment Service",
    policy: "open",
    workers: 1,
    pkcs11,
    logError: () => undefined,
    ...(kind === "postgres"
      ? { databaseUrl: process.env.DATABASE_URL, databaseSchema: `e_hsm_${Math.random().toString(16).slice(2, 10)}` }
      : {}),
  });

  beforeAll(async () => {
    if (kind === "pglite") seedEnrollmentStore(dataDir);
    await loadOrCreateCa({ dataDir, organization: "HSM Test Enrollment Service", createCa: createCaHierarchy });
  });

  afterAll(async () => service?.close());

  it("`ca token-key` generates the signing key inside the token and certifies it; the token refuses its secret parts", async () => {
    const caCertBefore = fs.readFileSync(path.join(caDir, "enrollment-ca.pem"), "utf8");
    const objectsBefore = tokenObjects();
    const result = await enrollmentCli(
      ["ca", "token-key", "--key-label", `slc-signing-${kind}`],
      tokenSettings(dataDir, path.join(tmp, "pin")),
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`inside the token "${TOKEN_LABEL}"`);
    expect(result.stdout).toContain("ca/service-key.pem was overwritten and deleted");
    expect(`${result.stdout}${result.stderr}`).not.toContain(PIN);

    expect(fs.existsSync(path.join(caDir, "service-key.pem"))).toBe(false);
    ref = JSON.parse(fs.readFileSync(path.join(caDir, "service-key.token.json"), "utf8")) as TokenKeyRef;
    expect(ref).toEqual({ tokenLabel: TOKEN_LABEL, keyLabel: `slc-signing-${kind}`, keyId: expect.stringMatching(/^[0-9a-f]{32}$/) });
    // A private and a public key object more in the token; the enrollment CA is the same one.
    expect(tokenObjects().length).toBe(objectsBefore.length + 2);
    expect(fs.readFileSync(path.join(caDir, "enrollment-ca.pem"), "utf8")).toBe(caCertBefore);

    const attributes = readTokenKeyAttributes(token, ref);
    expect(attributes).toEqual({
      extractable: false,
      sensitive: true,
      token: true,
      private: true,
      sign: true,
      alwaysSensitive: true,
      neverExtractable: true,
      modulusBits: 2048,
      refused: { value: true, privateExponent: true, prime1: true },
    });

    const certificate = new X509Certificate(fs.readFileSync(path.join(caDir, "service.pem"), "utf8"));
    expect(certificate.publicKey.equals(createPublicKey(tokenPublicKeyPem(token, ref)))).toBe(true);
    expect(certificate.checkIssued(new X509Certificate(caCertBefore))).toBe(true);
    expect(certificate.verify(new X509Certificate(caCertBefore).publicKey)).toBe(true);
  });

  it("answers a renewal request with an SLC signed on the token, which our verifier and Debian's xmlsec1 accept", async () => {
    service = await startEnrollmentService(serviceConfig(token));
    const root = fs.readFileSync(path.join(caDir, "root.pem"), "utf8");
    const request = await buildTestRenewalRequest();
    const outcome = await postRenewalRequest(service.url, request.xml, { connectTimeoutMs: 10_000, totalTimeoutMs: 30_000, ca: [root] });
    if (!outcome.ok || outcome.kind !== "issued") throw new Error(`no SLC: ${JSON.stringify(outcome)}`);
    const slcXml = outcome.document.toString("utf8");

    const verified = verifySlc(slcXml, {
      trustAnchorsPem: [root],
      expect: {
        publicKeyBase64: request.fields.publicKeyBase64,
        clusterGuid: request.fields.clusterGuid,
        clusterUrl: request.fields.clusterUrl,
        pendingRequestId: request.fields.requestId,
        installedValidUntil: null,
        now: new Date(),
      },
    });
    expect(verified.ok, JSON.stringify(verified)).toBe(true);

    const slcFile = path.join(tmp, `slc-${kind}.xml`);
    const rootFile = path.join(tmp, `root-${kind}.pem`);
    const tokenPublicFile = path.join(tmp, `token-public-${kind}.pem`);
    fs.writeFileSync(slcFile, slcXml);
    fs.writeFileSync(rootFile, root);
    fs.writeFileSync(tokenPublicFile, tokenPublicKeyPem(token, ref));
    // The chain in KeyInfo up to the root the consoles trust, and the bare public key of the token's key pair.
    const byChain = run("xmlsec1", ["--verify", "--trusted-pem", rootFile, slcFile]);
    expect(byChain.output).toContain("OK");
    expect(byChain.code).toBe(0);
    const byTokenKey = run("xmlsec1", ["--verify", "--pubkey-pem", tokenPublicFile, slcFile]);
    expect(byTokenKey.output).toContain("OK");
    expect(byTokenKey.code).toBe(0);
    fs.writeFileSync(slcFile, slcXml.replace("<NAME>RMS01</NAME>", "<NAME>RMS02</NAME>"));
    expect(run("xmlsec1", ["--verify", "--trusted-pem", rootFile, slcFile]).code).not.toBe(0);
    await service.close();
    service = undefined;
  });

  it("a wrong PIN or an unplugged token: the start and `ca token-key` stop with one clear error and change nothing", async () => {
    const folderBefore = snapshot(dataDir);
    const objectsBefore = tokenObjects();
    const wrong = { ...token, pinFile: path.join(tmp, "wrong-pin") };

    const start = startEnrollmentService(serviceConfig(wrong));
    await expect(start).rejects.toMatchObject({ name: "HsmError", code: "pin_incorrect" });
    await expect(start).rejects.toThrow(/refused the PIN .*CKR_PIN_INCORRECT.*Nothing was changed/);
    await expect(start).rejects.not.toThrow(WRONG_PIN);
    // The token unplugged: the module (SoftHSM2 on an empty token folder) has no token with the key's label.
    const empty = path.join(tmp, `unplugged-${kind}`);
    fs.mkdirSync(empty);
    fs.writeFileSync(path.join(empty, "softhsm2.conf"), `directories.tokendir = ${empty}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    const serve = await enrollmentCli(["serve"], {
      ...tokenSettings(dataDir, path.join(tmp, "pin")),
      ...(kind === "postgres"
        ? { RMS_ENROLLMENT_DATABASE_URL: process.env.DATABASE_URL ?? "", RMS_ENROLLMENT_DATABASE_SCHEMA: "e_hsm_unplugged" }
        : {}),
      SOFTHSM2_CONF: path.join(empty, "softhsm2.conf"),
      RMS_ENROLLMENT_PORT: "0",
    });
    expect(serve.code).toBe(1);
    expect(serve.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^Enrollment service cannot start: The PKCS#11 module .* has no initialised token, not a token labelled "rms-enrollment"/,
      ),
    ]);
    const unconfigured = startEnrollmentService(serviceConfig(null));
    await expect(unconfigured).rejects.toMatchObject({ code: "signing_key" });
    await expect(unconfigured).rejects.toThrow(/RMS_ENROLLMENT_PKCS11_MODULE is not set/);

    const command = await enrollmentCli(["ca", "token-key"], tokenSettings(dataDir, path.join(tmp, "wrong-pin")));
    expect(command.code).toBe(1);
    expect(command.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^Error: The token "rms-enrollment" refused the PIN/)]);
    expect(`${command.stdout}${command.stderr}`).not.toContain(WRONG_PIN);

    expect(snapshot(dataDir)).toEqual(folderBefore);
    expect(tokenObjects()).toEqual(objectsBefore);
    // The right PIN still opens the same key.
    expect(readTokenKeyAttributes(token, ref).extractable).toBe(false);
  });
});
