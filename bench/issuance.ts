// Benchmark 3: enrollment service issuance (`scripts/enrollment.ts serve` over HTTPS) per core against node:crypto's raw
// RSA-2048 signing on one thread, with the service's CPU time per SLC, and the cost of answering a replayed request.
import { createPrivateKey, sign } from "node:crypto";
import https from "node:https";
import os from "node:os";
import {
  buildRequests,
  clusterIdentities,
  type EnrollmentProcess,
  postEnroll,
  processCpuSeconds,
  startEnrollmentProcess,
} from "./lib/enrollment-process";
import { cpuBreakdown, inspect, topEntries } from "./lib/inspector";
import { type BenchResult, latency, throughput } from "./lib/results";

export interface IssuanceOptions {
  quick: boolean;
  log: (message: string) => void;
  /** postgres://… of a database the benchmark may use (its own schema per variant), or null: PGlite only. */
  postgresUrl?: string | null;
}

/**
 * The targets: issuance on one issuing worker (one core) at least this fraction of raw RSA-2048 signing on one thread.
 * XML Signature's own work (building and canonicalising the SLC) is several raw signatures' worth, so the fraction is
 * small; PostgreSQL's is higher because its statements run in its own process, not on the service's main thread.
 */
const PER_CORE_TARGET: Record<Database, number> = { PGlite: 0.05, PostgreSQL: 0.08 };

type Database = "PGlite" | "PostgreSQL";
/** What the raw reference signs: about an SLC's size (the hash is negligible beside the RSA operation). */
const PAYLOAD_BYTES = 5_000;

/** Raw RSA-2048 PKCS#1 v1.5 SHA-256 signatures per second, one thread, pre-parsed key. */
function rawSignRate(privateKeyPem: string, payloadBytes: number, durationMs: number): number {
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
  ok: number;
  seconds: number;
  cpuSeconds: number;
  slcBytes: number;
}

/**
 * A closed loop over `bodies`, each sent exactly once: `concurrency` clients on keep-alive connections, each sending the
 * next body as soon as its previous answer arrived. Every answer must be 200; `replayed` says which X-Replayed is expected
 * (a new request is verified and signed; a replayed one is answered from the store). CPU is the service process's.
 */
async function load(service: EnrollmentProcess, bodies: string[], concurrency: number, replayed: boolean): Promise<LoadResult> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency, ca: service.rootPem });
  let next = 0;
  let ok = 0;
  let slcBytes = 0;
  const failures = new Map<string, number>();
  const cpuBefore = processCpuSeconds(service.pid);
  const start = performance.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let i = next++; i < bodies.length; i = next++) {
          try {
            const reply = await postEnroll(service.url, service.rootPem, bodies[i] ?? "", { agent, timeoutMs: 30_000 });
            const wasReplayed = reply.headers["x-replayed"] === "true";
            if (reply.status === 200 && wasReplayed === replayed) {
              ok += 1;
              slcBytes ||= Buffer.byteLength(reply.body);
            } else {
              const key = `HTTP ${reply.status}${wasReplayed ? " replayed" : ""} ${reply.body.slice(0, 120)}`;
              failures.set(key, (failures.get(key) ?? 0) + 1);
            }
          } catch (error) {
            const key = error instanceof Error ? error.message : String(error);
            failures.set(key, (failures.get(key) ?? 0) + 1);
          }
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuSeconds = processCpuSeconds(service.pid) - cpuBefore;
  if (failures.size > 0) {
    throw new Error(
      `issuance: ${bodies.length - ok} of ${bodies.length} requests failed: ${[...failures].map(([k, n]) => `${n}× ${k}`).join("; ")}`,
    );
  }
  return { ok, seconds, cpuSeconds, slcBytes };
}

interface Variant {
  label: string;
  database: Database;
  workers: number;
  /** Measure the replay path too (once is enough: it runs no worker). */
  replay: boolean;
}

async function measureVariant(
  opts: IssuanceOptions,
  variant: Variant,
  warmup: string[],
  timed: string[],
  replays: number,
  profiled: string[],
): Promise<BenchResult[]> {
  const refMs = opts.quick ? 1_000 : 3_000;
  // Two clients per worker: while one request's worker signs, the other's store work runs on the main thread.
  const concurrency = 2 * variant.workers;
  const schema = `bench_issuance_${variant.workers}_${process.pid}`;
  const database = variant.database === "PostgreSQL" && opts.postgresUrl ? { url: opts.postgresUrl, schema } : undefined;
  const service = await startEnrollmentProcess({ label: `issuance-${variant.workers}`, workers: variant.workers, database });
  try {
    opts.log(`issuance (${variant.label}): warming up with ${warmup.length} requests…`);
    await load(service, warmup, concurrency, false);
    // The reference is measured on both sides of the load, so drift from other work on the machine hits both.
    const refBefore = rawSignRate(service.serviceKeyPem, PAYLOAD_BYTES, refMs);
    opts.log(`issuance (${variant.label}): ${timed.length} distinct new requests, ${concurrency} concurrent clients…`);
    const issued = await load(service, timed, concurrency, false);
    const refAfter = rawSignRate(service.serviceKeyPem, PAYLOAD_BYTES, refMs);
    const reference = (refBefore + refAfter) / 2;
    const rate = issued.ok / issued.seconds;
    const cpuMsPerSlc = (issued.cpuSeconds / issued.ok) * 1000;
    opts.log(
      `issuance (${variant.label}): ${rate.toFixed(1)} SLC/s (${(rate / variant.workers).toFixed(1)} per worker), ${cpuMsPerSlc.toFixed(2)} ms CPU per SLC; raw sign ${reference.toFixed(0)}/s`,
    );
    // Not timed (after the reference): the main thread's share of an SLC and what fills it (the workers' share is the
    // rest of the CPU), in the CPU row's note.
    let profiledLine = "";
    if (profiled.length > 0) {
      const inspector = await inspect(service.pid, service.inspectPort);
      try {
        const { profile } = await inspector.profile(() => load(service, profiled, concurrency, false));
        const cpu = cpuBreakdown(profile);
        const per = (ms: number) => (ms / profiled.length).toFixed(2);
        const line = `main thread ${per(cpu.ms)} ms CPU per SLC of ${cpuMsPerSlc.toFixed(2)} (the rest on the workers: verify + sign); by package: ${topEntries(cpu.byOwner, 8, per)}; top frames: ${topEntries(cpu.byFrame, 6, per)}`;
        opts.log(`issuance (${variant.label}): CPU profile of ${profiled.length} more SLCs: ${line}`);
        profiledLine = `; ${line}`;
      } finally {
        inspector.close();
      }
    }
    const results: BenchResult[] = [
      throughput(
        `Enrollment issuance, ${variant.label}: SLC/s (per worker thread against raw signing)`,
        rate,
        "SLC/s",
        `node:crypto RSA-2048 sign rate, 1 thread × ${variant.workers}`,
        reference * variant.workers,
        variant.workers === 1 ? PER_CORE_TARGET[variant.database] : null,
        `${issued.ok} distinct requests in ${issued.seconds.toFixed(1)} s, ${concurrency} concurrent clients on keep-alive HTTPS; ${(rate / variant.workers).toFixed(1)} SLC/s per worker thread; reference ${refBefore.toFixed(0)}/${refAfter.toFixed(0)} signs/s before/after; SLC ${issued.slcBytes} B`,
      ),
      latency(
        `Enrollment issuance, ${variant.label}: CPU per SLC (whole service process)`,
        cpuMsPerSlc,
        "ms CPU",
        "one raw RSA-2048 signature (1 / sign rate)",
        1000 / reference,
        null,
        `report-only: utime+stime of the service process (main thread: TLS, HTTP, PGlite; workers: verify + sign) over the timed load, /proc/${service.pid}/stat; ratio = SLCs per CPU-second / raw signs per second (issuance per core counting every thread)${profiledLine}`,
      ),
    ];
    if (variant.replay) {
      const again = timed.slice(0, replays);
      opts.log(`issuance (${variant.label}): the same ${again.length} requests again (answered from the store)…`);
      const replayed = await load(service, again, concurrency, true);
      const replayRate = replayed.ok / replayed.seconds;
      const cpuMsPerReply = (replayed.cpuSeconds / replayed.ok) * 1000;
      opts.log(`issuance (${variant.label}): replay ${replayRate.toFixed(1)} replies/s, ${cpuMsPerReply.toFixed(2)} ms CPU per reply`);
      results.push(
        throughput(
          `Enrollment replay (same request again), ${variant.label}: replies/s`,
          replayRate,
          "replies/s",
          "issuance SLC/s of the same service",
          rate,
          null,
          `report-only: ${replayed.ok} replays in ${replayed.seconds.toFixed(1)} s, X-Replayed: true, no signing; ${cpuMsPerReply.toFixed(2)} ms CPU per reply against ${cpuMsPerSlc.toFixed(2)} ms per SLC issued`,
        ),
      );
    }
    return results;
  } finally {
    await service.stop();
  }
}

export async function runIssuanceBench(opts: IssuanceOptions): Promise<BenchResult[]> {
  const cores = os.availableParallelism();
  const warmupCount = opts.quick ? 20 : 60;
  const timedCount = opts.quick ? 150 : 1_000;
  const replays = opts.quick ? 100 : 500;
  // The service answers a replayed request from its store without signing, so every timed request is new. Each variant
  // runs on its own data folder, so the same requests serve both.
  opts.log(`issuance: building ${warmupCount + timedCount} distinct signed requests (not timed)…`);
  const profiledCount = opts.quick ? 50 : 200;
  const requests = buildRequests(warmupCount + timedCount + profiledCount, await clusterIdentities(opts.quick ? 4 : 12));
  const warmup = requests.slice(0, warmupCount);
  const timed = requests.slice(warmupCount, warmupCount + timedCount);
  const profiled = requests.slice(warmupCount + timedCount);
  const variants: Variant[] = [{ label: "PGlite, 1 issuing worker (one core)", database: "PGlite", workers: 1, replay: cores === 1 }];
  if (cores > 1) {
    variants.push({
      label: `PGlite, ${cores} issuing workers (as shipped: one per core)`,
      database: "PGlite",
      workers: cores,
      replay: true,
    });
  }
  if (opts.postgresUrl) {
    variants.push({ label: "PostgreSQL, 1 issuing worker (one core)", database: "PostgreSQL", workers: 1, replay: false });
  }
  const results: BenchResult[] = [];
  for (const [i, variant] of variants.entries()) {
    results.push(...(await measureVariant(opts, variant, warmup, timed, replays, i === 0 ? profiled : [])));
  }
  return results;
}
