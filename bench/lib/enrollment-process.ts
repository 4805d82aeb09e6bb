// The enrollment service as the benchmarks run it: `scripts/enrollment.ts serve` in a child process over HTTPS (verified
// against the root it writes to its data folder), its CPU time from /proc, and signed requests built before any timing.
import type { ChildProcess } from "node:child_process";
import { spawnSync } from "node:child_process";
import { createPrivateKey, type KeyObject, randomUUID } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { generateClusterKeyPair, publicKeyBase64 } from "@/lib/core/certificates/keys";
import { buildRenewalRequest, type RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { program } from "../../tests/support/processes";
import { freePort, removeTempDir, spawnNode, stopProcess, tempDir } from "./processes";

/** The highest per-client rate the service accepts (RMS_ENROLLMENT_RATE_LIMIT's maximum): the load comes from one address. */
const BENCH_RATE_LIMIT_PER_MINUTE = 100_000;

export interface EnrollmentProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  rootPem: string;
  /** The service's SLC signing key (for the raw-signing reference, parsed by the caller). */
  serviceKeyPem: string;
  /** Where SIGUSR1 opens the service's inspector (bench only: CPU profiles of its main thread). */
  inspectPort: number;
  stop(): Promise<void>;
}

export interface ServiceReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/**
 * POSTs `body` to /api/enroll, TLS verified against `rootPem`. `agent: false` opens a new connection (one handshake, as a
 * console's renewal does); a keep-alive agent reuses them. A string body goes with Content-Length; an iterable of
 * chunks goes chunked (Transfer-Encoding), never ended if `endBody` is false (only the service's counted cap can answer).
 * `localAddress` binds the client's end (another loopback address is another client to the service).
 */
export function postEnroll(
  url: string,
  rootPem: string,
  body: string | string[],
  opts: { agent?: https.Agent | false; endBody?: boolean; timeoutMs?: number; localAddress?: string } = {},
): Promise<ServiceReply> {
  const started = performance.now();
  const chunked = Array.isArray(body);
  let answered = false;
  return new Promise((resolve, reject) => {
    const request = https.request(
      `${url}/api/enroll`,
      {
        method: "POST",
        ca: rootPem,
        agent: opts.agent ?? false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
        headers: {
          "Content-Type": "application/xml",
          ...(chunked ? { "Transfer-Encoding": "chunked" } : { "Content-Length": Buffer.byteLength(body) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("error", reject);
        response.on("end", () => {
          answered = true;
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString("utf8"),
            ms: performance.now() - started,
          });
          // An unfinished chunked upload: the answer is in, the rest of the body is never sent.
          if (chunked && opts.endBody === false) request.destroy();
        });
      },
    );
    request.setTimeout(opts.timeoutMs ?? 60_000, () =>
      request.destroy(new Error(`no answer from ${url} within ${opts.timeoutMs ?? 60_000} ms`)),
    );
    request.on("error", (error) => {
      // The service may close the connection right after refusing an oversize upload, once its answer is in.
      if (!answered) reject(error);
    });
    if (!chunked) {
      request.end(body);
      return;
    }
    for (const chunk of body) request.write(chunk);
    if (opts.endBody !== false) request.end();
  });
}

/** A reply as "status error-code" (the service's JSON `error`), or the status alone. */
export function answerOf(reply: ServiceReply): string {
  try {
    const json = JSON.parse(reply.body) as { error?: unknown };
    return `${reply.status} ${typeof json.error === "string" ? json.error : ""}`.trim();
  } catch {
    return String(reply.status);
  }
}

function getHealth(url: string, rootPem: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.get(`${url}/healthz`, { ca: rootPem, agent: false, timeout: 2_000 }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("timeout", () => request.destroy(new Error("timeout")));
    request.on("error", reject);
  });
}

/**
 * Starts `tsx scripts/enrollment.ts serve` on a fresh data folder (PGlite, or `database`'s PostgreSQL schema), policy `open` (every request is issued), the
 * rate limit at its maximum unless `rateLimitPerMinute` says otherwise, `workers` issuing threads (0: the service's default, one per core); ready once /healthz
 * answers 200 over TLS verified with `<dataDir>/ca/root.pem`.
 */
export async function startEnrollmentProcess(opts: {
  label: string;
  workers: number;
  queueLength?: number;
  rateLimitPerMinute?: number;
  /** PostgreSQL store (postgres://…, its own schema) instead of PGlite in the data folder. */
  database?: { url: string; schema: string };
}): Promise<EnrollmentProcess> {
  const base = tempDir(`enrollment-${opts.label}`);
  const dataDir = path.join(base, "enrollment");
  const port = await freePort();
  const inspectPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --inspect-port=127.0.0.1:${inspectPort}`.trim(),
    HOST: "127.0.0.1",
    RMS_ENROLLMENT_PORT: String(port),
    RMS_ENROLLMENT_DATA_DIR: dataDir,
    RMS_ENROLLMENT_ISSUER: "Bench Enrollment Service",
    RMS_ENROLLMENT_POLICY: "open",
    RMS_ENROLLMENT_RATE_LIMIT: String(opts.rateLimitPerMinute ?? BENCH_RATE_LIMIT_PER_MINUTE),
    RMS_ENROLLMENT_WORKERS: String(opts.workers),
    ...(opts.queueLength ? { RMS_ENROLLMENT_QUEUE: String(opts.queueLength) } : {}),
  };
  for (const inherited of [
    "RMS_ENROLLMENT_DATABASE_URL",
    "RMS_ENROLLMENT_DATABASE_SCHEMA",
    "RMS_ENROLLMENT_ALLOWED_HOSTS",
    "RMS_ENROLLMENT_TLS_CERT",
    "RMS_ENROLLMENT_TLS_KEY",
  ]) {
    delete env[inherited];
  }
  if (opts.database) {
    env.RMS_ENROLLMENT_DATABASE_URL = opts.database.url;
    env.RMS_ENROLLMENT_DATABASE_SCHEMA = opts.database.schema;
  }
  const logFile = path.join(base, "enrollment.log");
  const child = spawnNode(program("enrollment", "serve"), env, logFile);
  const stop = async () => {
    await stopProcess(child);
    removeTempDir(base);
  };
  const url = `https://127.0.0.1:${port}`;
  const rootFile = path.join(dataDir, "ca", "root.pem");
  const deadline = performance.now() + 120_000;
  let last = "";
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the enrollment service exited early:\n${tail(logFile)}`);
      if (performance.now() > deadline) throw new Error(`the enrollment service did not answer within 120 s (${last}):\n${tail(logFile)}`);
      if (fs.existsSync(rootFile)) {
        const rootPem = fs.readFileSync(rootFile, "utf8");
        try {
          if ((await getHealth(url, rootPem)) === 200) {
            const serviceKeyPem = fs.readFileSync(path.join(dataDir, "ca", "service-key.pem"), "utf8");
            if (child.pid === undefined) throw new Error("the enrollment service has no process id");
            return { child, pid: child.pid, url, rootPem, serviceKeyPem, inspectPort, stop };
          }
        } catch (error) {
          last = error instanceof Error ? error.message : String(error); // not listening yet
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").slice(-2_000);
  } catch {
    return "(no log)";
  }
}

let ticksPerSecond: number | null = null;

/** CPU seconds (user + system, every thread) a process has used so far, from /proc/<pid>/stat. */
export function processCpuSeconds(pid: number): number {
  if (ticksPerSecond === null) {
    const out = spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim();
    ticksPerSecond = Number(out) > 0 ? Number(out) : 100;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name (which may hold spaces and parentheses): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error(`unreadable /proc/${pid}/stat`);
  return (utime + stime) / ticksPerSecond;
}

export interface ClusterIdentity {
  key: KeyObject;
  publicKeyBase64: string;
}

/** Cluster keys for signing requests, parsed once. */
export async function clusterIdentities(count: number): Promise<ClusterIdentity[]> {
  const pairs = await Promise.all(Array.from({ length: count }, () => generateClusterKeyPair()));
  return pairs.map((pair) => ({ key: createPrivateKey(pair.privateKeyPem), publicKeyBase64: publicKeyBase64(pair.publicKeyPem) }));
}

/** Request fields for a new cluster (a fresh GUID and request ID) of `identity`, or a renewal when `overrides` say so. */
export function requestFields(
  identity: ClusterIdentity,
  label: string,
  overrides: Partial<RenewalRequestFields> = {},
): RenewalRequestFields {
  return {
    requestId: randomUUID(),
    createdAt: new Date(),
    clusterGuid: `{${randomUUID().toUpperCase()}}`,
    serverName: label,
    clusterUrl: `https://${label.toLowerCase()}.example/_wmcs`,
    sku: "RMS",
    version: "1.0.0.0",
    name: `${label} cluster`,
    publicKeyBase64: identity.publicKeyBase64,
    installedSlcFingerprint: null,
    revocationInformation: "",
    ...overrides,
  };
}

/** `count` distinct signed new-enrollment requests (each a new GUID and request ID), spread over `identities`. */
export function buildRequests(count: number, identities: ClusterIdentity[]): string[] {
  return Array.from({ length: count }, (_, i) => {
    const identity = identities[i % identities.length];
    if (!identity) throw new Error("no cluster identity");
    return buildRenewalRequest(requestFields(identity, `BENCH${i % identities.length}`), identity.key);
  });
}
