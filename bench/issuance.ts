// Benchmark 3: enrollment service issuance rate (SLCs/s, concurrency = cores) against node:crypto's raw RSA-2048 signing rate.
import { createPrivateKey, randomUUID, sign } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { generateClusterKeyPair, publicKeyBase64 } from "@/lib/certificates/keys";
import { buildRenewalRequest } from "@/lib/certificates/renewal-request";
import { freePort, removeTempDir, spawnNode, stopProcess, tempDir, waitForStatus } from "./lib/processes";
import { type BenchResult, throughput } from "./lib/results";

export interface IssuanceOptions {
  quick: boolean;
  log: (message: string) => void;
}

/** Signed requests from several distinct cluster keys, built before anything is timed. */
async function buildRequests(count: number, keys: number): Promise<string[]> {
  const pairs = await Promise.all(Array.from({ length: keys }, () => generateClusterKeyPair()));
  return Array.from({ length: count }, (_, i) => {
    const pair = pairs[i % keys];
    if (!pair) throw new Error("no key");
    const guid = `{${randomUUID().toUpperCase()}}`;
    return buildRenewalRequest(
      {
        requestId: randomUUID(),
        createdAt: new Date(),
        clusterGuid: guid,
        serverName: `BENCH${i % keys}`,
        clusterUrl: `https://bench${i % keys}.example/_wmcs`,
        sku: "RMS",
        version: "1.0.0.0",
        name: `BENCH${i % keys}`,
        publicKeyBase64: publicKeyBase64(pair.publicKeyPem),
        installedSlcFingerprint: null,
        revocationInformation: "",
      },
      pair.privateKeyPem,
    );
  });
}

/** Raw RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second, one thread, pre-parsed key. */
export function rawSignRate(privateKeyPem: string, payloadBytes: number, durationMs: number): number {
  const key = createPrivateKey(privateKeyPem);
  const payload = Buffer.alloc(payloadBytes, 0x61);
  for (let i = 0; i < 20; i++) sign("sha256", payload, key);
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    sign("sha256", payload, key);
    n += 1;
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

interface LoadResult {
  rate: number;
  ok: number;
  failed: number;
  sampleSlc: string;
}

function post(agent: http.Agent, port: number, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        path: "/api/enroll",
        method: "POST",
        agent,
        headers: { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    request.setTimeout(30_000, () => request.destroy(new Error("timeout")));
    request.on("error", reject);
    request.end(body);
  });
}

/** A closed loop: `concurrency` clients, each sending the next request as soon as its previous answer arrived. */
async function load(port: number, requests: string[], concurrency: number, durationMs: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  let ok = 0;
  let failed = 0;
  let sampleSlc = "";
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const body = requests[next++ % requests.length] ?? "";
        try {
          const response = await post(agent, port, body);
          if (response.status === 200) {
            ok += 1;
            sampleSlc ||= response.body;
          } else failed += 1;
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsed = performance.now() - start;
  agent.destroy();
  return { rate: (ok / elapsed) * 1000, ok, failed, sampleSlc };
}

interface Variant {
  label: string;
  entry: string;
  workers: number;
}

async function measureVariant(opts: IssuanceOptions, variant: Variant, requests: string[], cores: number): Promise<BenchResult> {
  const durationMs = opts.quick ? 4_000 : 20_000;
  const refMs = opts.quick ? 1_000 : 3_000;
  const dataDir = tempDir("issuance");
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: "127.0.0.1",
    RMS_ENROLLMENT_PORT: String(port),
    RMS_ENROLLMENT_DATA_DIR: path.join(dataDir, "enrollment"),
    RMS_ENROLLMENT_ISSUER: "Bench Enrollment Service",
    BENCH_ISSUE_WORKERS: String(variant.workers),
  };
  const service = spawnNode(["--import", "tsx", variant.entry], env, path.join(dataDir, "enrollment.log"));
  try {
    await waitForStatus(`http://127.0.0.1:${port}/healthz`, performance.now(), 120_000, service);
    opts.log(`issuance (${variant.label}): warming up…`);
    await load(port, requests, cores, opts.quick ? 2_000 : 5_000);
    const serviceKeyPem = fs.readFileSync(path.join(dataDir, "enrollment", "ca", "service-key.pem"), "utf8");
    // The reference is measured on both sides of the load, so drift from other work on the machine hits both.
    const payloadBytes = 5_000;
    const refBefore = rawSignRate(serviceKeyPem, payloadBytes, refMs);
    opts.log(`issuance (${variant.label}): ${cores} concurrent clients for ${durationMs / 1000} s…`);
    const result = await load(port, requests, cores, durationMs);
    const refAfter = rawSignRate(serviceKeyPem, payloadBytes, refMs);
    const reference = (refBefore + refAfter) / 2;
    opts.log(
      `issuance (${variant.label}): ${result.rate.toFixed(1)} SLC/s (${result.ok} issued, ${result.failed} failed); raw sign ${reference.toFixed(0)}/s`,
    );
    if (result.failed > 0 || result.ok === 0) throw new Error(`issuance: ${result.failed} requests failed, ${result.ok} succeeded`);
    return throughput(
      `Enrollment issuance, ${variant.label} (concurrency ${cores})`,
      result.rate,
      "SLC/s",
      "node:crypto RSA-2048 sign rate, 1 thread",
      reference,
      0.5,
      `${result.ok} SLCs in ${durationMs / 1000} s; reference ${refBefore.toFixed(0)}/${refAfter.toFixed(0)} signs/s before/after; SLC ${Buffer.byteLength(result.sampleSlc)} B, signed payload ${payloadBytes} B`,
    );
  } finally {
    await stopProcess(service);
    removeTempDir(dataDir);
  }
}

export async function runIssuanceBench(opts: IssuanceOptions): Promise<BenchResult[]> {
  const cores = os.availableParallelism();
  opts.log(`issuance: building ${opts.quick ? 120 : 400} signed requests (not timed)…`);
  const requests = await buildRequests(opts.quick ? 120 : 400, opts.quick ? 4 : 12);
  const variants: Variant[] = [
    { label: "scripts/enrollment.ts as shipped", entry: path.join("scripts", "enrollment.ts"), workers: 0 },
    { label: `${cores} issuing workers`, entry: path.join("bench", "enrollment-service.ts"), workers: cores },
  ];
  const results: BenchResult[] = [];
  for (const variant of variants) results.push(await measureVariant(opts, variant, requests, cores));
  return results;
}
