// Benchmark 1: online renewal end to end (renewOnline in-process, real enrollment service, real database) against its floor.
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { DOMParser } from "@xmldom/xmldom";
import { eq, sql } from "drizzle-orm";
import { SignedXml } from "xml-crypto";
import { loadEnv } from "@/lib/console/env";
import { provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { consoleKeyEncryptionKey, masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import { exchange, postRenewalRequest } from "@/lib/console/renewal/enrollment-client";
import { failureAuditDetails } from "@/lib/console/renewal/failures";
import { exportRenewalRequest, validateImport } from "@/lib/console/renewal/offline";
import { renewOnline } from "@/lib/console/renewal/online";
import { renewalContextFrom } from "@/lib/console/renewal/settings-context";
import { ALG_ENVELOPED, ALG_EXC_C14N, ALG_RSA_SHA256, ALG_SHA256, DSIG_NS } from "@/lib/core/xml/xml-signature";
import { startEnrollmentService } from "@/lib/enrollment/server";
import { type DatabaseHandle, migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { clusters } from "@/lib/platform/db/schema";
import { createTestTlsPki, startTestHttpsServer } from "../tests/support/tls";
import { removeTempDir, tempDir } from "./lib/processes";
import { type BenchResult, latency } from "./lib/results";
import { median, percentile, timeMs } from "./lib/stats";

export interface RenewalOptions {
  quick: boolean;
  log: (message: string) => void;
  /** postgres://… of a database the benchmark may use (its own schema is created and dropped). */
  postgresUrl: string | null;
}

const HTTP = { connectTimeoutMs: 3_000, totalTimeoutMs: 15_000 };
const ACTOR = { name: "bench", remoteAddress: "127.0.0.1" };
/** The target: an online renewal within 3× its raw floor. */
const RAW_FLOOR_TARGET = 0.333;

/**
 * The floor's HTTP part: a trivial HTTPS server answering a body of the SLC's size, reached the way the console does
 * (TLS verified against a root, no keep-alive: one handshake per exchange, as in a renewal).
 */
async function startTrivialServer(answerBytes: number): Promise<{ url: string; rootPem: string; close: () => Promise<void> }> {
  const answer = Buffer.alloc(answerBytes, 0x61);
  const pki = await createTestTlsPki({ label: "Bench floor" });
  const server = await startTestHttpsServer(pki, (req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "Content-Type": "application/xml", "Content-Length": answer.length });
      res.end(answer);
    });
  });
  return { url: server.url, rootPem: pki.rootPem, close: server.close };
}

interface Floor {
  total: number[];
  crypto: number[];
  http: number[];
  transaction: number[];
  /** The library floor: xml-crypto signing and verifying the real documents (parsed keys), 1 HTTP, 1 write transaction. */
  library: number[];
  xmlCrypto: number[];
  writeTransaction: number[];
}

/** xml-crypto's enveloped signature of our profile (exclusive c14n, RSA-SHA256), with a parsed key. */
function xmlCryptoSign(xml: string, key: KeyObject): string {
  const signer = new SignedXml({ privateKey: key, signatureAlgorithm: ALG_RSA_SHA256, canonicalizationAlgorithm: ALG_EXC_C14N });
  signer.addReference({ xpath: "/*", transforms: [ALG_ENVELOPED, ALG_EXC_C14N], digestAlgorithm: ALG_SHA256, isEmptyUri: true });
  signer.computeSignature(xml, { prefix: "ds", location: { reference: "/*", action: "append" } });
  return signer.getSignedXml();
}

/** xml-crypto's checkSignature of that document, with a parsed public key. */
function xmlCryptoVerify(signed: string, key: KeyObject): boolean {
  const doc = new DOMParser().parseFromString(signed, "text/xml");
  const signature = doc.getElementsByTagNameNS(DSIG_NS, "Signature")[0];
  if (!signature) return false;
  const verifier = new SignedXml({ publicCert: key });
  verifier.loadSignature(signature as never);
  return verifier.checkSignature(signed);
}

const unsigned = (xml: string) => xml.replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "");

async function measureFloorOnce(
  handle: DatabaseHandle,
  trivial: { url: string; rootPem: string },
  keys: FloorKeys,
  floor: Floor,
): Promise<void> {
  const crypto = await timeMs(() => {
    // Two signatures (request, SLC) and two verifications (request, SLC), RSA-2048 SHA-256, keys already parsed.
    const a = sign("sha256", keys.payload, keys.clusterKey);
    const b = sign("sha256", keys.payload, keys.serviceKey);
    if (!verify("sha256", keys.payload, keys.clusterPublic, a) || !verify("sha256", keys.payload, keys.servicePublic, b))
      throw new Error("floor verify failed");
  });
  const round = await timeMs(async () => {
    const response = await exchange(
      `${trivial.url}/api/enroll`,
      { method: "POST", body: keys.requestBody },
      { ...HTTP, ca: [trivial.rootPem] },
    );
    if (!response.ok) throw new Error("floor HTTP failed");
  });
  const transaction = await timeMs(() => handle.db.transaction(async () => undefined));
  floor.crypto.push(crypto);
  floor.http.push(round);
  floor.transaction.push(transaction);
  floor.total.push(crypto + round + transaction);

  const xml = await timeMs(() => {
    const request = xmlCryptoSign(keys.requestUnsigned, keys.clusterKey);
    const slc = xmlCryptoSign(keys.slcUnsigned, keys.serviceKey);
    if (!xmlCryptoVerify(request, keys.clusterPublic) || !xmlCryptoVerify(slc, keys.servicePublic)) {
      throw new Error("library floor: xml-crypto refused its own signature");
    }
  });
  const write = await timeMs(() =>
    handle.db.transaction(async (tx) => {
      await tx
        .update(clusters)
        .set({ name: sql`${clusters.name}` })
        .where(eq(clusters.id, keys.clusterId));
    }),
  );
  floor.xmlCrypto.push(xml);
  floor.writeTransaction.push(write);
  floor.library.push(xml + round + write);
}

interface FloorKeys {
  payload: Buffer;
  clusterId: string;
  /** The real request and SLC documents, unsigned, for the library floor. */
  requestUnsigned: string;
  slcUnsigned: string;
  requestBody: string;
  clusterKey: ReturnType<typeof createPrivateKey>;
  serviceKey: ReturnType<typeof createPrivateKey>;
  clusterPublic: ReturnType<typeof createPublicKey>;
  servicePublic: ReturnType<typeof createPublicKey>;
}

async function benchOnDatabase(opts: RenewalOptions, kind: "PGlite" | "PostgreSQL"): Promise<BenchResult[]> {
  const dir = tempDir(`renewal-${kind.toLowerCase()}`);
  const pgSchema = `rms_bench_${process.pid}`;
  const handle = await openDatabase(
    kind === "PGlite" ? { dataDir: path.join(dir, "data") } : { dataDir: dir, databaseUrl: opts.postgresUrl ?? undefined, pgSchema },
  );
  const service = await startEnrollmentService({
    host: "127.0.0.1",
    policy: "open",
    port: 0,
    dataDir: path.join(dir, "enrollment"),
    validityDays: 365,
    issuerName: "Bench Enrollment Service",
    logError: (message, error) => console.error(`[bench enrollment] ${message}`, error),
  });
  const trivial = await startTrivialServer(5_200);
  try {
    await migrateDatabase(handle);
    // The service's root from its data folder, as the start script installs it (never downloaded).
    const rootPath = path.join(dir, "enrollment", "ca", "root.pem");
    const anchors = [fs.readFileSync(rootPath, "utf8")];
    // The renewal context the console and the CLI build, from settings as the environment would give them.
    const settings = loadEnv({ RMS_DATA_DIR: dir, RMS_ENROLLMENT_URL: service.url, RMS_TRUST_ANCHORS: rootPath });
    if (!settings.ok) throw new Error(settings.message);
    const kek = consoleKeyEncryptionKey({ ...masterKeySettings(settings.env), createIfMissing: true });
    const ctx = renewalContextFrom(settings.env, handle.db);
    const provisioned = await provisionFirstRun(ctx, { serverName: "BENCH01" });
    if (!provisioned.ok) throw new Error(`first run: ${JSON.stringify(failureAuditDetails(provisioned))}`);
    const [cluster] = await handle.db.select({ id: clusters.id }).from(clusters).where(eq(clusters.serverName, "BENCH01"));
    if (!cluster) throw new Error("no cluster seeded");

    // Floor material: the cluster's and the service's keys, parsed once; payloads the size of what is really signed.
    const serviceKeyPem = fs.readFileSync(path.join(dir, "enrollment", "ca", "service-key.pem"), "utf8");
    const exported = await exportRenewalRequest(ctx, { clusterId: cluster.id, actor: ACTOR });
    if (!exported.ok) throw new Error(`export failed: ${exported.code}`);
    const clusterKeyRow = await import("@/lib/console/renewal/cluster-keys").then((m) => m.getClusterKey(handle.db, cluster.id, kek));
    if (!clusterKeyRow) throw new Error("no cluster key");
    const clusterKey = createPrivateKey(clusterKeyRow.privateKeyPem());
    const serviceKey = createPrivateKey(serviceKeyPem);
    const sample = await postRenewalRequest(service.url, exported.pending.document, { ...HTTP, ca: anchors });
    if (!sample.ok || sample.kind !== "issued") throw new Error("the sample SLC for the library floor was not issued");
    const keys: FloorKeys = {
      payload: Buffer.alloc(1_000, 0x62),
      clusterId: cluster.id,
      requestUnsigned: unsigned(exported.pending.document),
      slcUnsigned: unsigned(sample.document.toString("utf8")),
      requestBody: exported.pending.document,
      clusterKey,
      serviceKey,
      clusterPublic: createPublicKey(clusterKey),
      servicePublic: createPublicKey(serviceKey),
    };

    const warmup = opts.quick ? 3 : 8;
    const runs = opts.quick ? 15 : 60;
    const renewals: number[] = [];
    const floor: Floor = { total: [], crypto: [], http: [], transaction: [], library: [], xmlCrypto: [], writeTransaction: [] };
    opts.log(`renewal (${kind}): ${warmup} warm-up + ${runs} renewals, each followed by one floor measurement…`);
    for (let i = 0; i < warmup + runs; i++) {
      let failure = "";
      const ms = await timeMs(async () => {
        const result = await renewOnline(ctx, { clusterId: cluster.id, actor: ACTOR });
        if (!result.ok) failure = `${result.code} ${"detail" in result ? result.detail : ""}`;
      });
      if (failure) throw new Error(`renewOnline failed: ${failure}`);
      if (i >= warmup) {
        renewals.push(ms);
        await measureFloorOnce(handle, trivial, keys, floor);
      }
    }

    // Import validation of a valid SLC: the open request answered by the service, checked again and again (changes nothing).
    const offline = await exportRenewalRequest(ctx, { clusterId: cluster.id, actor: ACTOR });
    if (!offline.ok) throw new Error(`export failed: ${offline.code}`);
    const answered = await postRenewalRequest(service.url, offline.pending.document, { ...HTTP, ca: anchors });
    if (!answered.ok || answered.kind !== "issued") throw new Error(`enrollment failed: ${answered.kind}`);
    const file = new Uint8Array(answered.document);
    const validations: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      let failure = "";
      const ms = await timeMs(async () => {
        const result = await validateImport(ctx, { clusterId: cluster.id, file, actor: ACTOR });
        if (!result.ok)
          failure = `${result.code} ${"failedCheck" in result ? (result.failedCheck ?? "") : ""} ${"detail" in result ? result.detail : ""}`;
      });
      if (failure) throw new Error(`validateImport failed: ${failure}`);
      if (i >= warmup) validations.push(ms);
    }

    const floorP50 = median(floor.total);
    const libraryP50 = median(floor.library);
    const parts = `floor parts p50: crypto ${median(floor.crypto).toFixed(2)} ms, HTTP ${median(floor.http).toFixed(2)} ms, transaction ${median(floor.transaction).toFixed(2)} ms`;
    const p50 = percentile(renewals, 50);
    const p95 = percentile(renewals, 95);
    opts.log(
      `renewal (${kind}): p50 ${p50.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, floor ${floorP50.toFixed(1)} ms; validateImport p50 ${median(validations).toFixed(1)} ms`,
    );
    return [
      latency(
        `Online renewal p50 (${kind}, n=${runs})`,
        p50,
        "ms",
        "floor: 2 RSA signs + 2 verifies, 1 loopback HTTPS exchange, 1 empty transaction",
        floorP50,
        RAW_FLOOR_TARGET,
        parts,
      ),
      latency(
        `Online renewal p50 (${kind}, n=${runs}) against the library floor`,
        p50,
        "ms",
        "library floor: xml-crypto signs and verifies the real request and SLC (parsed keys), 1 loopback HTTPS exchange, 1 write transaction",
        libraryP50,
        null,
        `report-only: library floor parts p50: xml-crypto ${median(floor.xmlCrypto).toFixed(2)} ms, HTTP ${median(floor.http).toFixed(2)} ms, write transaction ${median(floor.writeTransaction).toFixed(2)} ms`,
      ),
      latency(`Online renewal p95 (${kind}, n=${runs})`, p95, "ms", "same floor (p50)", floorP50, null, "report-only"),
      latency(
        `Import validation p50 (validateImport, ${kind})`,
        median(validations),
        "ms",
        "same floor (p50)",
        floorP50,
        null,
        "report-only: every check on a valid SLC plus its DB reads and audit",
      ),
    ];
  } finally {
    await trivial.close();
    await service.close();
    if (kind === "PostgreSQL") await handle.db.execute(sql.raw(`DROP SCHEMA IF EXISTS ${pgSchema} CASCADE`)).catch(() => undefined);
    await handle.close();
    removeTempDir(dir);
  }
}

export async function runRenewalBench(opts: RenewalOptions): Promise<BenchResult[]> {
  const results = await benchOnDatabase(opts, "PGlite");
  if (opts.postgresUrl) results.push(...(await benchOnDatabase(opts, "PostgreSQL")));
  else opts.log("renewal: PostgreSQL not reachable; skipped");
  return results;
}
