// The enrollment service as the system tests drive it: signed renewal requests for a cluster key, the hostile bodies
// (huge, deep, attribute-laden documents), posts over HTTPS verified with the service's root (from its data folder), and its operator CLI
// (`npm run enrollment -- …`), run asynchronously so nothing in this process blocks while it works.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { type ClusterKeyPair, documentFingerprint } from "@/lib/core/certificates/keys";
import { buildRenewalRequest, type RenewalRequestFields } from "@/lib/core/certificates/renewal-request";
import { type SlcVerification, verifySlc } from "@/lib/core/certificates/verify-slc";
import { requestFieldsFor } from "@/tests/support/enrollment-requests";
import { request } from "../../support/https-client";
import { ROOT } from "../../support/processes";

/** A running service as the tests reach it: its https:// URL and the root it wrote to its data folder. */
export interface ServiceTarget {
  url: string;
  rootPath: string;
}

export interface EnrollAnswer {
  status: number;
  /** The API's error code ({error, message}), when it answered with one. */
  error: string | null;
  /** X-Slc-Serial, X-Submission-Id, X-Replayed of an SLC answer; submissionId also from a 202. */
  serial: string | null;
  submissionId: string | null;
  replayed: boolean;
  retryAfter: string | null;
  body: string;
  ms: number;
}

const apiErrorSchema = z.object({ error: z.string(), message: z.string() });
const pendingSchema = z.object({ status: z.literal("pending_approval"), submissionId: z.string(), requestId: z.string() });

const roots = new Map<string, string>();
/** The service's root certificate (PEM), read once from its data folder. */
export function rootOf(target: ServiceTarget): string {
  let pem = roots.get(target.rootPath);
  if (!pem) {
    pem = fs.readFileSync(target.rootPath, "utf8");
    roots.set(target.rootPath, pem);
  }
  return pem;
}

/**
 * POST /api/enroll over HTTPS verified against the service's root; `host` overrides the Host header, `chunked` sends
 * the body without a Content-Length (the service must count it).
 */
export async function postEnroll(
  target: ServiceTarget,
  body: string | Buffer,
  opts: { host?: string; contentType?: string; chunked?: boolean } = {},
): Promise<EnrollAnswer> {
  const started = performance.now();
  const response = await request(`${target.url}/api/enroll`, {
    method: "POST",
    headers: {
      "Content-Type": opts.contentType ?? "application/xml",
      ...(opts.host ? { Host: opts.host } : {}),
      ...(opts.chunked ? { "Transfer-Encoding": "chunked" } : {}),
    },
    body,
    ca: rootOf(target),
    timeoutMs: 120_000,
  });
  const ms = performance.now() - started;
  const text = response.text();
  const header = (name: string) => {
    const value = response.headers[name];
    return typeof value === "string" ? value : null;
  };
  let error: string | null = null;
  let submissionId = header("x-submission-id");
  if ((header("content-type") ?? "").startsWith("application/json")) {
    const json: unknown = JSON.parse(text);
    const failed = apiErrorSchema.safeParse(json);
    if (failed.success) error = failed.data.error;
    const pending = pendingSchema.safeParse(json);
    if (pending.success) submissionId = pending.data.submissionId;
  }
  return {
    status: response.status,
    error,
    serial: header("x-slc-serial"),
    submissionId,
    replayed: header("x-replayed") === "true",
    retryAfter: header("retry-after"),
    body: text,
    ms,
  };
}

/** A renewal request signed by `keys` (a new cluster GUID unless the overrides name one). */
export function signedRequest(keys: ClusterKeyPair, overrides: Partial<RenewalRequestFields> = {}) {
  const fields = requestFieldsFor(keys, overrides);
  return { fields, xml: buildRenewalRequest(fields, keys.privateKeyPem) };
}

/** An SLC answer checked as the console checks it before installing it, trusting only the service's root. */
export function verifyAnswer(
  target: ServiceTarget,
  slcXml: string,
  fields: RenewalRequestFields,
  installedValidUntil: Date | null,
): SlcVerification {
  return verifySlc(slcXml, {
    trustAnchorsPem: [rootOf(target)],
    expect: {
      publicKeyBase64: fields.publicKeyBase64,
      clusterGuid: fields.clusterGuid,
      clusterUrl: fields.clusterUrl,
      pendingRequestId: fields.requestId,
      installedValidUntil,
      now: new Date(),
    },
  });
}

export interface HostileRequest {
  name: string;
  body: string;
  /** What the service must answer: the status and the API's error code. */
  expect: { status: 400 | 413 | 422; error: string };
}

/** `count` empty elements inside an otherwise genuine signed request (7 bytes each: 5,000 ≈ 35 KB). */
function padded(genuineXml: string, count: number): string {
  return genuineXml.replace("</RenewalRequest>", `${"<a></a>".repeat(count)}</RenewalRequest>`);
}

/**
 * The requests that once cost the service seconds to minutes each (5,000 / 10,000 / 20,000 elements ≈ 35 / 69 / 141 KB),
 * plus deep nesting, a 250 KB text node, 1,000 attributes and a `__proto__` element. The large ones
 * meet the renewal request's own byte cap (32 KB, 413); the deep nesting fits in it, so the XML gate's depth cap refuses it.
 */
export function hostileRequests(keys: ClusterKeyPair): HostileRequest[] {
  const genuine = signedRequest(keys).xml;
  const tooLarge = { status: 413, error: "too_large" } as const;
  const requests: HostileRequest[] = [
    { name: "5,000 elements", body: padded(genuine, 5_000), expect: tooLarge },
    { name: "10,000 elements", body: padded(genuine, 10_000), expect: tooLarge },
    { name: "20,000 elements", body: padded(genuine, 20_000), expect: tooLarge },
    {
      name: "1,000-deep nesting",
      body: `<RenewalRequest version="1.0">${"<a>".repeat(1_000)}${"</a>".repeat(1_000)}</RenewalRequest>`,
      expect: { status: 400, error: "too_deep" },
    },
    {
      name: "250 KB text node",
      body: genuine.replace("</RenewalRequest>", `<Pad>${"x".repeat(250_000)}</Pad></RenewalRequest>`),
      expect: tooLarge,
    },
    {
      name: "1,000 attributes on one element",
      body: genuine.replace("<RenewalRequest ", `<RenewalRequest ${Array.from({ length: 1_000 }, (_, i) => `a${i}="v"`).join(" ")} `),
      expect: tooLarge,
    },
    {
      name: "__proto__ element",
      body: genuine.replace("<ServerName>", "<__proto__><polluted>yes</polluted></__proto__><ServerName>"),
      expect: { status: 422, error: "reserved_name" },
    },
  ];
  // Each construction edits the genuine request; one that matched nothing would be the genuine request itself.
  for (const item of requests) {
    if (item.body === genuine || !item.body.includes("RenewalRequest")) throw new Error(`hostile request "${item.name}" was not built`);
  }
  return requests;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run enrollment -- <args>` for the service whose RMS_DATA_DIR is `dataDir` (through its admin socket while it
 * runs), asynchronously. `env` adds settings (the PostgreSQL store's, for a replica).
 */
export function enrollmentCli(
  dataDir: string,
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      "npm",
      ["run", "--silent", "enrollment", "--", ...args],
      { cwd: ROOT, env: { ...process.env, RMS_DATA_DIR: dataDir, ...opts.env }, encoding: "utf8", timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(opts.stdin ?? "");
  });
}

/** A CLI command that must succeed; its JSON output parsed. */
export async function enrollmentCliJson(dataDir: string, args: string[], opts: { env?: Record<string, string> } = {}): Promise<unknown> {
  const run = await enrollmentCli(dataDir, args, opts);
  if (run.code !== 0) throw new Error(`npm run enrollment -- ${args.join(" ")} failed (${run.code}): ${run.stdout}${run.stderr}`);
  return JSON.parse(run.stdout);
}

export interface Registered {
  guid: string;
  /** The SLC the cluster has installed (what its next renewal names). */
  slcXml: string;
  serial: string;
  validUntil: Date;
}

/**
 * A new cluster enrolled on a service under the `approval` policy: held (202), approved by the operator on the CLI,
 * then the same request again gets the SLC (200, a replay).
 */
export async function registerCluster(target: ServiceTarget, dataDir: string, keys: ClusterKeyPair): Promise<Registered> {
  const first = signedRequest(keys);
  const held = await postEnroll(target, first.xml);
  if (held.status !== 202 || !held.submissionId) throw new Error(`enrollment: expected 202, got ${held.status} ${held.body.slice(0, 300)}`);
  await enrollmentCliJson(dataDir, ["requests", "approve", held.submissionId, "--by", "system-test"]);
  const answered = await postEnroll(target, first.xml);
  if (answered.status !== 200 || !answered.serial) {
    throw new Error(`enrollment after approval: expected 200, got ${answered.status} ${answered.body.slice(0, 300)}`);
  }
  const verified = verifyAnswer(target, answered.body, first.fields, null);
  if (!verified.ok) throw new Error(`the approved SLC does not verify: ${verified.failed} ${verified.reason}`);
  return { guid: first.fields.clusterGuid, slcXml: answered.body, serial: answered.serial, validUntil: verified.slc.validUntil };
}

/** The renewal a registered cluster sends: signed by its key, naming the SLC it has installed. */
export function renewalOf(keys: ClusterKeyPair, installed: { guid: string; slcXml: string }) {
  return signedRequest(keys, { clusterGuid: installed.guid, installedSlcFingerprint: documentFingerprint(installed.slcXml) });
}

/** Where the service started with RMS_DATA_DIR=dataDir keeps its own files (CA, TLS, store, admin socket). */
export function serviceDataDir(dataDir: string): string {
  return path.join(dataDir, "enrollment");
}
