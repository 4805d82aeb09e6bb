// Benchmarks 2, 5, 6, 7 on the real `npm start` path (tsx scripts/start.ts): first run and cold start, Global Administration
// with 1,000 web sites under autocannon against a static file of the same server, first-load JavaScript, console RSS.

import { type ChildProcess, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import autocannon from "autocannon";
import { migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { certificates, clusters, webSites } from "@/lib/platform/db/schema";
import { type ActionReply, type CapturedAction, replayAction, withText } from "../tests/support/browser-actions";
import { enrollmentRootPath, program } from "../tests/support/processes";
import { captureImport, captureRenewOnline, launchBrowser } from "../tests/system/support/browser";
import { enrollDirect, exportRequest } from "../tests/system/support/http";
import { emptyAppUrl } from "./empty-app";
import { cpuBreakdown, inspect, longestBusyStretch, type MemoryFigures, topEntries } from "./lib/inspector";
import { commandLine, freePort, processTree, ROOT, spawnNode, stopProcess, tempDir, treeRssMb, waitForStatus } from "./lib/processes";
import { type BenchResult, figure, latency, throughput } from "./lib/results";
import { actionState } from "./lib/server-actions";

export interface ConsoleOptions {
  quick: boolean;
  log: (message: string) => void;
  /** postgres://… of a database the benchmark owns (dropped and recreated here), or null. */
  postgresUrl: string | null;
  recreatePostgres: () => Promise<void>;
}

const SITES = 1_000;
const CONNECTIONS = 10;
/** First-load JS allowed over an empty Next app of the same version: the console's own code stays small. */
const JS_ALLOWANCE_KB = 6;

interface Stack {
  child: ChildProcess;
  inspectPort: number;
  url: string;
  dataDir: string;
  env: NodeJS.ProcessEnv;
}

async function startStack(dataDir: string, databaseUrl: string | null, logName: string): Promise<{ stack: Stack; msToFirst200: number }> {
  const port = await freePort();
  const enrollmentPort = await freePort();
  const inspectPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEXT_TELEMETRY_DISABLED: "1",
    HOST: "127.0.0.1",
    PORT: String(port),
    RMS_ENROLLMENT_PORT: String(enrollmentPort),
    RMS_DATA_DIR: dataDir,
    // Bench only: the framework-floor page answers (app/bench-floor), and SIGUSR1 opens the inspector on this port.
    RMS_BENCH: "1",
    // The renewal action is timed as it installs; the small-gain confirmation (the SLC renewed a moment ago) would
    // turn every renewal after the first into a question.
    RMS_RENEW_CONFIRM_DAYS_LEFT: "off",
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --inspect-port=127.0.0.1:${inspectPort}`.trim(),
  };
  delete env.RMS_ENROLLMENT_URL;
  delete env.RMS_TRUST_ANCHORS;
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  const since = performance.now();
  const child = spawnNode(
    [path.join("scripts", "run-compiled.mjs"), path.join("scripts", "start.ts")],
    env,
    path.join(path.dirname(dataDir), `${logName}.log`),
  );
  const url = `http://127.0.0.1:${port}`;
  const msToFirst200 = await waitForStatus(`${url}/sign-in`, since, 180_000, child);
  return { stack: { child, inspectPort, url, dataDir, env }, msToFirst200 };
}

/** The console's server process under start.ts (scripts/console-server.ts, Next in-process): the console's memory. */
function consolePid(stack: Stack): number | null {
  // Next renames its process ("next-server (v16…)"), which rewrites /proc/<pid>/cmdline.
  for (const pid of processTree(stack.child.pid ?? 0).slice(1)) {
    const cmd = commandLine(pid);
    if (cmd.startsWith("next-server") || cmd.includes("console-server") || (cmd.includes("next") && cmd.includes(" start"))) return pid;
  }
  return null;
}

function consoleRss(stack: Stack): number {
  const pid = consolePid(stack);
  return pid === null ? Number.NaN : treeRssMb(pid);
}

/** Seeds the web sites; returns the first run's (demo) cluster, the one with a key, which the Renew dialog works on. */
async function seedSites(dataDir: string, databaseUrl: string | null): Promise<string> {
  const handle = await openDatabase({ dataDir, databaseUrl: databaseUrl ?? undefined });
  try {
    await migrateDatabase(handle);
    const [template] = await handle.db.select().from(certificates).limit(1);
    if (!template) throw new Error("the first run installed no certificate");
    const demoClusterId = template.clusterId;
    const now = Date.now();
    // One in five sites hosts a cluster with an active SLC; their expiry dates spread over the next year.
    for (let start = 0; start < SITES; start += 100) {
      await handle.db.transaction(async (tx) => {
        for (let i = start; i < start + 100; i++) {
          let clusterId: string | null = null;
          if (i % 5 === 0) {
            const [cluster] = await tx
              .insert(clusters)
              .values({
                guid: `{${randomUUID().toUpperCase()}}`,
                name: `WEB${i} RMS cluster`,
                serverName: `WEB${i}`,
                clusterUrl: `https://web${i}.contoso.example/_wmcs`,
                configDatabase: `DRMS_Config_web${i}_443 on WEB${i}`,
              })
              .returning({ id: clusters.id });
            if (!cluster) throw new Error("cluster insert returned nothing");
            clusterId = cluster.id;
            const { id: _id, clusterId: _c, installedAt: _at, ...rest } = template;
            await tx.insert(certificates).values({
              ...rest,
              clusterId,
              fingerprint: randomUUID(),
              validUntil: new Date(now + ((i * 7) % 365) * 86_400_000),
              active: true,
            });
          }
          await tx
            .insert(webSites)
            .values({ name: `Site ${String(i).padStart(4, "0")}`, state: i % 7 === 0 ? "stopped" : "started", clusterId });
        }
      });
    }
    return demoClusterId;
  } finally {
    await handle.close();
  }
}

function addAdmin(env: NodeJS.ProcessEnv, userName: string, password: string): void {
  const result = spawnSync(
    process.execPath,
    program("rms", "user", "add", userName, "--group", "Administrators", "--password-stdin", "--create"),
    {
      cwd: ROOT,
      env,
      input: `${password}\n`,
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`rms user add failed: ${result.stdout}${result.stderr}`);
}

function decodeHtml(value: string): string {
  return value
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** Signs in the way a browser without JavaScript does: the sign-in form's hidden action fields plus the credentials. */
async function signIn(url: string, userName: string, password: string): Promise<string> {
  const page = await fetch(`${url}/sign-in`);
  const html = await page.text();
  const form = new FormData();
  for (const match of html.matchAll(/<input[^>]*>/g)) {
    const tag = match[0];
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    if (!name || !/type="hidden"/.test(tag)) continue;
    form.append(decodeHtml(name), decodeHtml(/value="([^"]*)"/.exec(tag)?.[1] ?? ""));
  }
  if (![...form.keys()].some((k) => k.startsWith("$ACTION"))) throw new Error("the sign-in page carries no server-action fields");
  form.append("userName", userName);
  form.append("password", password);
  const response = await fetch(`${url}/sign-in`, { method: "POST", body: form, headers: { Origin: url }, redirect: "manual" });
  await response.arrayBuffer();
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith("rms_session="));
  if (!cookie) throw new Error(`sign-in set no session cookie (HTTP ${response.status})`);
  return cookie.split(";")[0] ?? "";
}

interface LoadFigures {
  rps: number;
  p99: number;
  errors: number;
}

async function cannon(url: string, cookie: string | null, seconds: number): Promise<LoadFigures> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers: cookie ? { cookie } : {}, timeout: 30 });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.timeouts + result.non2xx };
}

/** Page, framework floor and static file in alternating slices, so drift on a shared machine falls on all alike. */
async function comparePageToFloors(
  stack: Stack,
  cookie: string,
  seconds: number,
  log: (m: string) => void,
): Promise<{ page: LoadFigures; floor: LoadFigures; static: LoadFigures }> {
  const slices = 2;
  const page: LoadFigures[] = [];
  const floor: LoadFigures[] = [];
  const stat: LoadFigures[] = [];
  await cannon(`${stack.url}/bench-static.html`, null, 2);
  await cannon(`${stack.url}/bench-floor`, cookie, 2);
  await cannon(`${stack.url}/`, cookie, 2);
  for (let i = 0; i < slices; i++) {
    stat.push(await cannon(`${stack.url}/bench-static.html`, null, seconds / slices));
    floor.push(await cannon(`${stack.url}/bench-floor`, cookie, seconds / slices));
    page.push(await cannon(`${stack.url}/`, cookie, seconds / slices));
  }
  const combine = (xs: LoadFigures[]): LoadFigures => ({
    rps: xs.reduce((s, x) => s + x.rps, 0) / xs.length,
    p99: Math.max(...xs.map((x) => x.p99)),
    errors: xs.reduce((s, x) => s + x.errors, 0),
  });
  const result = { page: combine(page), floor: combine(floor), static: combine(stat) };
  log(
    `console: page ${result.page.rps.toFixed(1)} req/s (p99 ${result.page.p99} ms), framework floor ${result.floor.rps.toFixed(1)} req/s (p99 ${result.floor.p99} ms), static ${result.static.rps.toFixed(1)} req/s (p99 ${result.static.p99} ms)`,
  );
  await profileRequests(stack, [`${stack.url}/`, `${stack.url}/bench-floor`], cookie, log);
  if (result.page.errors > 0) throw new Error(`the Global Administration page answered ${result.page.errors} errors or non-2xx`);
  if (result.floor.errors > 0) throw new Error(`the framework-floor page answered ${result.floor.errors} errors or non-2xx`);
  return result;
}

/**
 * Main-thread CPU per request of each page, from a CPU profile of 50 sequential requests (not timed): where a page's
 * time goes beside the framework floor's, by owning package. The profiles are kept beside the data folder.
 */
async function profileRequests(stack: Stack, urls: string[], cookie: string, log: (m: string) => void): Promise<void> {
  const pid = consolePid(stack);
  if (pid === null) return;
  const inspector = await inspect(pid, stack.inspectPort);
  try {
    for (const url of urls) {
      const requests = 50;
      const { profile } = await inspector.profile(async () => {
        for (let i = 0; i < requests; i++) await (await fetch(url, { headers: { cookie } })).arrayBuffer();
      });
      const name = new URL(url).pathname.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "global-administration";
      const file = path.join(path.dirname(stack.dataDir), `${name}.cpuprofile`);
      fs.writeFileSync(file, JSON.stringify(profile));
      const cpu = cpuBreakdown(profile);
      const per = (ms: number) => (ms / requests).toFixed(2);
      log(
        `console: ${new URL(url).pathname} main-thread CPU ${per(cpu.ms)} ms per request (${file}); by package: ${topEntries(cpu.byOwner, 8, per)}; top frames: ${topEntries(cpu.byFrame, 8, per)}`,
      );
    }
  } finally {
    inspector.close();
  }
}

/**
 * Gzipped size of every external script a page's HTML loads (the first-load JavaScript). `noModule` scripts
 * (the legacy polyfills) are left out: browsers that run modules, i.e. every supported one, never fetch them.
 */
async function firstLoadJs(
  url: string,
  pagePath: string,
  cookie: string | null,
  cache: Map<string, number>,
): Promise<{ kb: number; chunks: number; status: number }> {
  const response = await fetch(`${url}${pagePath}`, { headers: cookie ? { cookie } : {}, redirect: "manual" });
  const html = await response.text();
  const srcs = [
    ...new Set(
      [...html.matchAll(/<script([^>]*)>/g)]
        .map((m) => m[1] ?? "")
        .filter((attributes) => !/\snomodule/i.test(attributes))
        .map((attributes) => decodeHtml(/\ssrc="([^"]+)"/.exec(attributes)?.[1] ?? ""))
        .filter((src) => src !== ""),
    ),
  ];
  let bytes = 0;
  for (const src of srcs) {
    let size = cache.get(src);
    if (size === undefined) {
      const chunk = await fetch(new URL(src, url));
      size = gzipSync(Buffer.from(await chunk.arrayBuffer()), { level: 9 }).length;
      cache.set(src, size);
    }
    bytes += size;
  }
  return { kb: bytes / 1024, chunks: srcs.length, status: response.status };
}

async function measurePages(
  stack: Stack,
  cookie: string,
  clusterId: string,
  emptyAppKb: number,
  log: (m: string) => void,
): Promise<BenchResult[]> {
  const pages: Array<{ path: string; signedIn: boolean }> = [
    { path: "/sign-in", signedIn: false },
    { path: "/setup", signedIn: false },
    { path: "/", signedIn: true },
    { path: "/audit", signedIn: true },
    { path: `/clusters/${clusterId}`, signedIn: true },
    { path: `/clusters/${clusterId}/history`, signedIn: true },
  ];
  const cache = new Map<string, number>();
  const results: BenchResult[] = [];
  for (const page of pages) {
    const js = await firstLoadJs(stack.url, page.path, page.signedIn ? cookie : null, cache);
    const label = page.path.replace(/[0-9a-f-]{36}/, "[clusterId]");
    log(`console: ${label} loads ${js.chunks} scripts, ${js.kb.toFixed(1)} kB gzip (HTTP ${js.status})`);
    results.push(
      latency(
        `First-load JS ${label}`,
        js.kb,
        "kB gzip",
        `empty Next app of the same version + ${JS_ALLOWANCE_KB} kB`,
        emptyAppKb + JS_ALLOWANCE_KB,
        1,
        `${js.chunks} script files, HTTP ${js.status}; our own code over the empty app: ${(js.kb - emptyAppKb).toFixed(1)} kB`,
      ),
    );
  }
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/**
 * The Renew dialog's server actions over HTTP, as the browser calls them (issue: "one online renewal, server action,
 * median of 20", and one import validation): Next's request handling, session and group check included.
 */
async function measureActions(
  stack: Stack,
  cookie: string,
  clusterId: string,
  runs: number,
  log: (m: string) => void,
): Promise<BenchResult[]> {
  const page = `/clusters/${clusterId}`;
  const timed = async (call: () => Promise<ActionReply>, expected: string): Promise<number> => {
    const started = performance.now();
    const response = await call();
    const elapsed = performance.now() - started;
    const state = actionState(response);
    if (state.status !== expected) throw new Error(`expected ${expected}, got ${JSON.stringify(state).slice(0, 300)}`);
    return elapsed;
  };
  const renew = await captured(stack, cookie, (tab) => captureRenewOnline(tab, page));
  const renewals: number[] = [];
  for (let i = 0; i < runs; i++) {
    renewals.push(await timed(() => replayAction(renew, { cookie, baseUrl: stack.url }), "renewed"));
  }
  const request = await exportRequest(stack.url, clusterId, cookie);
  const signed = await enrollDirect(`https://127.0.0.1:${stack.env.RMS_ENROLLMENT_PORT}`, request.xml, enrollmentRootPath(stack.dataDir));
  const importFile = await captured(stack, cookie, (tab) => captureImport(tab, page, FILE_PLACEHOLDER));
  const validations: number[] = [];
  for (let i = 0; i < runs; i++) {
    validations.push(await timed(() => replayImport(stack, importFile, cookie, signed), "validated"));
  }
  log(
    `console: renewOnlineAction median ${median(renewals).toFixed(1)} ms, importStepAction (Import) median ${median(validations).toFixed(1)} ms (${runs} each)`,
  );
  const stall = await measureImportStall(stack, importFile, cookie, signed, log);
  // What a renewal's response re-renders (revalidatePath): the cluster's page, profiled like Global Administration.
  await profileRequests(stack, [`${stack.url}${page}`], cookie, log);
  return [
    figure(
      `Online renewal through the server action over HTTP (PGlite, median of ${runs})`,
      median(renewals),
      "ms",
      "report-only: renewOnlineAction, the request Chromium sent (captured from the page), replayed",
    ),
    figure(
      `Import validation through the server action over HTTP (PGlite, median of ${runs})`,
      median(validations),
      "ms",
      "report-only: importStepAction (Import) with a genuine SLC, the request Chromium sent, replayed",
    ),
    latency(
      "Console's longest event-loop stall during an Import of the worst hostile files (PGlite)",
      stall.worstMs,
      "ms",
      "bound 50 ms",
      STALL_BOUND_MS,
      1,
      `nodejs_eventloop_lag_max_seconds (prom-client's monitorEventLoopDelay, 10 ms resolution) of the console's /metrics, reset by a scrape before each Import and read after it; ${stall.detail}`,
    ),
  ];
}

const STALL_BOUND_MS = 50;

/** The content of the file Chromium imports while its request is captured; replays put a real file in its place. */
const FILE_PLACEHOLDER = "bench-import-file-placeholder";

/**
 * A server action's request as Chromium sends it: the signed-in page (the bench's session) clicks through the dialog,
 * the request is captured and never sent (tests/support/browser-actions.ts). The bench knows no action wire format.
 */
async function captured(stack: Stack, cookie: string, capture: (tab: import("@playwright/test").Page) => Promise<CapturedAction>) {
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ baseURL: stack.url, locale: "en-GB", timezoneId: "UTC" });
    const at = cookie.indexOf("=");
    await context.addCookies([{ name: cookie.slice(0, at), value: cookie.slice(at + 1), url: stack.url }]);
    return await capture(await context.newPage());
  } finally {
    await browser.close();
  }
}

/** The captured Import with `content` as the file. */
function replayImport(stack: Stack, importFile: CapturedAction, cookie: string, content: string): Promise<ActionReply> {
  return replayAction(importFile, { cookie, baseUrl: stack.url, body: withText(importFile, FILE_PLACEHOLDER, content) });
}

/** The console's longest event-loop delay since the previous scrape (prom-client resets its histogram on each). */
async function eventLoopLagMaxMs(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = /^nodejs_eventloop_lag_max_seconds\s+([\d.e+-]+)$/m.exec(text)?.[1];
  if (value === undefined) throw new Error("the console's /metrics has no nodejs_eventloop_lag_max_seconds");
  return Number(value) * 1000;
}

/**
 * The worst files the XML gate admits (at its caps; the costliest inputs of bench/hostile.ts) and the genuine SLC, each
 * through importStepAction (Import) over HTTP while the console's event-loop delay is monitored: the stall every other user
 * of the console would feel during that Import.
 */
async function measureImportStall(
  stack: Stack,
  importFile: CapturedAction,
  cookie: string,
  genuine: string,
  log: (m: string) => void,
): Promise<{ worstMs: number; detail: string }> {
  const files: Array<[string, string]> = [
    ["genuine SLC", genuine],
    ["250 kB of 60-deep nests", `<XrML>${`${"<a>".repeat(60)}${"</a>".repeat(60)}`.repeat(600)}</XrML>`],
    ["250 kB of sibling elements", `<XrML version="1.2">${"<a/>".repeat(62_000)}</XrML>`],
    ["250 kB text node", `<XrML version="1.2"><BODY>${"x".repeat(250_000)}</BODY></XrML>`],
    ["100k-deep nesting", `${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}`],
  ];
  const stalls: Array<{ name: string; ms: number; status: string }> = [];
  const importEach = async (into: typeof stalls) => {
    for (const [name, content] of files) {
      for (let attempt = 0; attempt < 3; attempt++) {
        await eventLoopLagMaxMs(stack.url);
        const state = actionState(await replayImport(stack, importFile, cookie, content));
        if ((state.status === "validated") !== (name === "genuine SLC")) throw new Error(`${name}: unexpected ${state.status}`);
        into.push({ name, ms: await eventLoopLagMaxMs(stack.url), status: state.status });
      }
    }
  };
  await importEach(stalls);
  // Then the same Imports again under the main thread's CPU profiler (not timed): what fills the longest stretch
  // without an idle sample.
  let profiled = "";
  const pid = consolePid(stack);
  if (pid !== null) {
    const inspector = await inspect(pid, stack.inspectPort);
    try {
      const { profile } = await inspector.profile(() => importEach([]));
      const file = path.join(path.dirname(stack.dataDir), "import-stall.cpuprofile");
      fs.writeFileSync(file, JSON.stringify(profile));
      const busy = longestBusyStretch(profile);
      const ms = (v: number) => `${v.toFixed(1)} ms`;
      profiled = `; profile (${file}): longest busy stretch ${ms(busy.ms)}, by package: ${topEntries(busy.byOwner, 5, ms)}; top frames: ${topEntries(busy.byFrame, 5, ms)}`;
      log(`console: CPU profile of the Imports${profiled}`);
    } finally {
      inspector.close();
    }
  }
  const worst = stalls.reduce((a, b) => (b.ms > a.ms ? b : a));
  const byFile = files.map(([name]) => `${name} ${Math.max(...stalls.filter((s) => s.name === name).map((s) => s.ms)).toFixed(1)} ms`);
  log(`console: event-loop stall during Import, worst of 3 each: ${byFile.join("; ")}`);
  return { worstMs: worst.ms, detail: `worst of 3 each: ${byFile.join("; ")}${profiled}` };
}

function ensureBuild(log: (m: string) => void): void {
  if (fs.existsSync(path.join(ROOT, ".next", "BUILD_ID"))) return;
  log("console: no production build; running `next build` (not timed)…");
  const result = spawnSync(process.execPath, [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "build"], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error("next build failed");
}

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function runOn(opts: ConsoleOptions, kind: "PGlite" | "PostgreSQL", emptyAppKb: number): Promise<BenchResult[]> {
  const databaseUrl = kind === "PostgreSQL" ? opts.postgresUrl : null;
  if (kind === "PostgreSQL") await opts.recreatePostgres();
  const base = tempDir(`console-${kind.toLowerCase()}`);
  const dataDir = path.join(base, "data");
  const results: BenchResult[] = [];
  const seconds = opts.quick ? 4 : 20;

  opts.log(`console (${kind}): first run on an empty data folder…`);
  const first = await startStack(dataDir, databaseUrl, "first-run");
  results.push(
    figure(
      `First run to first 200 (${kind}, empty data folder)`,
      first.msToFirst200,
      "ms",
      "report-only: CA, database, demo SLC, next start",
    ),
  );
  await stopProcess(first.stack.child);

  opts.log(`console (${kind}): seeding ${SITES} web sites and an administrator…`);
  const demoClusterId = await seedSites(dataDir, databaseUrl);
  const password = `Bench-${randomUUID()}`;
  addAdmin({ ...first.stack.env }, "benchadmin", password);

  opts.log(`console (${kind}): cold start with the existing data folder…`);
  const { stack, msToFirst200 } = await startStack(dataDir, databaseUrl, "cold-start");
  try {
    results.push(figure(`Cold start to first 200 (${kind}, existing data folder)`, msToFirst200, "ms", "report-only"));
    await settle(3_000);
    const idle = consoleRss(stack);
    const cookie = await signIn(stack.url, "benchadmin", password);
    const check = await fetch(`${stack.url}/`, { headers: { cookie }, redirect: "manual" });
    const html = await check.text();
    // The page shows the first page (50) of the 1,000+ web sites, with the total: what an administrator opens.
    const rows = (html.match(/<tr class="align-top"/g) ?? []).length;
    const total = /of ([\d,]+)/.exec(html)?.[1]?.replace(/,/g, "");
    if (check.status !== 200 || rows === 0 || Number(total) < SITES) {
      throw new Error(`Global Administration answered ${check.status} with ${rows} rows of ${total ?? "?"}`);
    }
    opts.log(`console (${kind}): signed in; the page lists ${rows} of ${total} sites (${(html.length / 1024).toFixed(0)} kB HTML)`);
    // One part failing (on a shared machine) is reported as such; the other parts still run.
    const part = async (name: string, measure: () => Promise<BenchResult[]>) => {
      try {
        results.push(...(await measure()));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        opts.log(`console (${kind}): ${name} failed: ${message}`);
        results.push(figure(`${name} (${kind}): failed`, Number.NaN, "", message.slice(0, 300)));
      }
    };
    if (kind === "PGlite") {
      await part("First-load JS", () => measurePages(stack, cookie, demoClusterId, emptyAppKb, opts.log));
      await part("Server actions and event-loop stall", () => measureActions(stack, cookie, demoClusterId, opts.quick ? 5 : 20, opts.log));
    }
    await part("Global Administration under load", async () => {
      const load = await comparePageToFloors(stack, cookie, seconds, opts.log);
      return [
        throughput(
          `Global Administration, ${SITES} sites: requests/s (${kind})`,
          load.page.rps,
          "req/s",
          `framework floor: a dynamic page of the same server reading the cookie, no database, ${CONNECTIONS} connections`,
          load.floor.rps,
          0.5,
          `${seconds} s each, alternating slices; page ${(html.length / 1024).toFixed(0)} kB; p99 ${load.page.p99} ms against the floor's ${load.floor.p99} ms`,
        ),
        latency(
          `Global Administration, ${SITES} sites: p99 latency (${kind})`,
          load.page.p99,
          "ms",
          "framework-floor page p99",
          load.floor.p99,
          null,
          "report-only",
        ),
        throughput(
          `Framework-floor page: requests/s (${kind})`,
          load.floor.rps,
          "req/s",
          `static file of the same server, ${CONNECTIONS} connections`,
          load.static.rps,
          null,
          `report-only: what Next's dynamic rendering alone costs here; static p99 ${load.static.p99} ms`,
        ),
      ];
    });
    const after = consoleRss(stack);
    results.push(
      figure(`Console RSS at idle (${kind})`, idle, "MB", "report-only: next start process tree, after start-up"),
      figure(`Console RSS after load (${kind})`, after, "MB", "report-only: next start process tree, after the autocannon runs"),
    );
    await part("Console memory", () => measureMemory(stack, kind, opts.log));
  } finally {
    await stopProcess(stack.child);
  }
  return results;
}

const CONSOLE_RSS_CEILING_MB = 450;
/** The PGlite console's JS heap after the load and a GC may be at most this multiple of the same console's on PostgreSQL. */
const HEAP_VS_POSTGRES = 1.2;

/** The console process's memory after the load, and after a forced GC, with PGlite's WASM heap apart (via the inspector). */
async function measureMemory(stack: Stack, kind: "PGlite" | "PostgreSQL", log: (m: string) => void): Promise<BenchResult[]> {
  const pid = consolePid(stack);
  if (pid === null) throw new Error("the next-server process was not found");
  const inspector = await inspect(pid, stack.inspectPort);
  try {
    const loaded = await inspector.memory(false);
    const collected = await inspector.memory(true);
    // BENCH_HEAP_SNAPSHOTS=<folder>: the heap after the forced GC, to see what a growing figure holds (DevTools' Memory tab).
    const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
    if (snapshots) {
      const file = path.join(snapshots, `console-${kind}.heapsnapshot`);
      await inspector.snapshot(file);
      log(`console (${kind}): heap snapshot written to ${file}`);
    }
    log(
      `console (${kind}): RSS ${loaded.rssMb.toFixed(0)} MB after load, ${collected.rssMb.toFixed(0)} MB after GC (heap ${collected.heapUsedMb.toFixed(0)} MB, WASM ${collected.wasmMb.toFixed(0)} MB)`,
    );
    const parts = (m: MemoryFigures) =>
      `JS heap used ${m.heapUsedMb.toFixed(1)} MB, external ${m.externalMb.toFixed(1)} MB, of which WebAssembly memory (PGlite) ${m.wasmMb.toFixed(1)} MB`;
    return [
      figure(
        `Console process RSS after load (${kind})`,
        loaded.rssMb,
        "MB",
        `report-only: the next-server process alone; ${parts(loaded)}`,
      ),
      latency(
        `Console process RSS after the load and a forced GC (${kind})`,
        collected.rssMb,
        "MB",
        "ceiling 450 MB",
        CONSOLE_RSS_CEILING_MB,
        kind === "PGlite" ? 1 : null,
        `HeapProfiler.collectGarbage through the inspector (opened by SIGUSR1, bench only); ${parts(collected)}${kind === "PGlite" ? "" : "; report-only on PostgreSQL"}`,
      ),
      figure(`Console JS heap after the load and a forced GC (${kind})`, collected.heapUsedMb, "MB", "report-only: V8's heapUsed"),
      figure(
        `PGlite's WASM memory in the console (${kind})`,
        collected.wasmMb,
        "MB",
        "report-only: every WebAssembly.Memory of the process",
      ),
    ];
  } finally {
    inspector.close();
  }
}

export async function runConsoleBench(opts: ConsoleOptions): Promise<BenchResult[]> {
  ensureBuild(opts.log);
  const cache = new Map<string, number>();
  const empty = await emptyAppUrl(opts.log, (url) => firstLoadJs(url, "/", null, cache));
  opts.log(`empty app: ${empty.chunks} scripts, ${empty.kb.toFixed(1)} kB gzip (HTTP ${empty.status})`);
  const results = [
    figure(
      "First-load JS of an empty Next app (same version, one page)",
      empty.kb,
      "kB gzip",
      `report-only: the floor; ${empty.chunks} script files`,
    ),
    ...(await runOn(opts, "PGlite", empty.kb)),
  ];
  if (opts.postgresUrl) results.push(...(await runOn(opts, "PostgreSQL", empty.kb)));
  else opts.log("console: PostgreSQL not reachable; skipped");
  // The heap growth PGlite alone showed: the same load leaves the PGlite console's heap within 1.2× PostgreSQL's.
  const heap = (kind: string) => results.find((r) => r.name === `Console JS heap after the load and a forced GC (${kind})`)?.value;
  const pgliteHeap = heap("PGlite");
  const postgresHeap = heap("PostgreSQL");
  if (pgliteHeap !== undefined && postgresHeap !== undefined) {
    results.push(
      latency(
        "Console JS heap after the load and a forced GC, PGlite against PostgreSQL",
        pgliteHeap,
        "MB",
        `${HEAP_VS_POSTGRES} × the same console's heap on PostgreSQL after the same load`,
        HEAP_VS_POSTGRES * postgresHeap,
        1,
        `PostgreSQL ${postgresHeap.toFixed(1)} MB`,
      ),
    );
  }
  return results;
}
