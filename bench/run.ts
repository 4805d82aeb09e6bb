// `npm run bench [-- --quick] [-- --only=memory,renewal,hostile,hostile-requests,request-cost,renewal-under-attack,issuance,issuance-statements,console]`: every benchmark with its same-run reference;
// writes bench/results.json and bench/results.md (a quick or --only run: bench/results.partial.*). Loopback only; every process and temp folder it makes is removed.
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { runConsoleBench } from "./console";
import { runHostileBench } from "./hostile";
import { runHostileRequestBench } from "./hostile-requests";
import { runIssuanceBench } from "./issuance";
import { runIssuanceStatementsBench } from "./issuance-statements";
import { cleanupAll, ROOT } from "./lib/processes";
import type { BenchResult } from "./lib/results";
import { runMemoryBench } from "./memory";
import { runRenewalBench } from "./renewal";
import { runRenewalUnderAttackBench } from "./renewal-under-attack";
import { runRequestCostBench } from "./request-cost";

const quick = process.argv.includes("--quick");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice("--only=".length)
  .split(",");
const want = (name: string) => !only || only.includes(name);
const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/test";
// Its own database, dropped and created again: a name of its own when several checkouts bench on one server.
const PG_DATABASE = /^[a-z_][a-z0-9_]{0,62}$/.test(process.env.BENCH_PG_DATABASE ?? "")
  ? (process.env.BENCH_PG_DATABASE as string)
  : "rms_bench";

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The benchmark's own database on the local PostgreSQL, or null when no server answers. */
async function preparePostgres(): Promise<string | null> {
  try {
    await adminQuery(`DROP DATABASE IF EXISTS ${PG_DATABASE} WITH (FORCE)`);
    await adminQuery(`CREATE DATABASE ${PG_DATABASE}`);
  } catch (error) {
    log(`PostgreSQL at ${PG_ADMIN_URL} not usable (${error instanceof Error ? error.message : String(error)}); its variants are skipped.`);
    return null;
  }
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${PG_DATABASE}`;
  return url.toString();
}

function cell(value: number | string | boolean | null): string {
  if (value === null) return "—";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "n/a";
  return String(value);
}

function table(results: BenchResult[]): string {
  const lines = [
    "| benchmark | value | reference | reference value | ratio (higher is better) | target | met |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const r of results) {
    const met = r.met === null ? "report-only" : r.met ? "yes" : "**no**";
    lines.push(
      `| ${r.name} | ${cell(r.value)} ${r.unit} | ${cell(r.reference)} | ${cell(r.referenceValue)} | ${cell(r.ratio)} | ${r.target === null ? "—" : `≥ ${r.target}`} | ${met} |`,
    );
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const started = new Date();
  const loadAtStart = os.loadavg();
  const results: BenchResult[] = [];
  const postgresUrl =
    want("renewal") || want("console") || want("issuance") || want("issuance-statements") ? await preparePostgres() : null;
  try {
    // A benchmark that fails is reported as a failed row; the others still run and the results are still written.
    const run = async (name: string, bench: () => Promise<BenchResult[]>) => {
      if (!want(name)) return;
      try {
        results.push(...(await bench()));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`${name} failed: ${message}`);
        results.push({
          name: `${name}: failed`,
          value: Number.NaN,
          unit: "",
          reference: null,
          referenceValue: null,
          ratio: null,
          target: null,
          met: null,
          note: message.slice(0, 300),
        });
      }
    };
    await run("memory", () => runMemoryBench({ quick, log }));
    await run("renewal", () => runRenewalBench({ quick, log, postgresUrl }));
    await run("hostile", () => runHostileBench({ quick, log }));
    await run("hostile-requests", () => runHostileRequestBench({ quick, log }));
    await run("request-cost", () => runRequestCostBench({ quick, log }));
    await run("renewal-under-attack", () => runRenewalUnderAttackBench({ quick, log }));
    await run("issuance", () => runIssuanceBench({ quick, log, postgresUrl }));
    await run("issuance-statements", () => runIssuanceStatementsBench({ quick, log, postgresUrl }));
    await run("console", () =>
      runConsoleBench({
        quick,
        log,
        postgresUrl,
        recreatePostgres: async () => {
          await adminQuery(`DROP DATABASE IF EXISTS ${PG_DATABASE} WITH (FORCE)`);
          await adminQuery(`CREATE DATABASE ${PG_DATABASE}`);
        },
      }),
    );
  } finally {
    await cleanupAll();
    if (postgresUrl) await adminQuery(`DROP DATABASE IF EXISTS ${PG_DATABASE} WITH (FORCE)`).catch(() => undefined);
  }

  const minutes = ((Date.now() - started.getTime()) / 60_000).toFixed(1);
  const header = [
    `# Benchmark results${quick ? " (quick smoke run: short durations, not for comparison)" : ""}`,
    "",
    `- Date: ${started.toISOString()} (${minutes} min)`,
    `- Machine: ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, shared with other work: load average ${loadAtStart
      .map((l) => l.toFixed(1))
      .join(" / ")} at the start, ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")} at the end`,
    `- Node ${process.version}, ${os.type()} ${os.release()}`,
    "- Every figure is compared with a reference measured in the same run (the machine is shared, so absolute numbers drift).",
    "- Ratio is oriented so that higher is better (throughput: value / reference; latency and size: reference / value); met = ratio ≥ target.",
    "- Rows marked report-only have no target (memory, start-up times, p95/p99, import validation, the floors themselves).",
    "",
  ].join("\n");
  const notes = results.filter((r) => r.note).map((r) => `- ${r.name}: ${r.note}`);
  const markdown = `${header}\n${table(results)}\n\n## Notes\n\n${notes.join("\n")}\n`;
  // Only a full run is the record (bench/results.*, committed); a quick or partial run writes beside it, untracked, so
  // it never replaces the full run's figures with a few rows.
  const outDir = path.join(ROOT, "bench");
  const base = quick || only ? "results.partial" : "results";
  fs.writeFileSync(
    path.join(outDir, `${base}.json`),
    `${JSON.stringify(
      results.map(({ note: _note, ...r }) => r),
      null,
      2,
    )}\n`,
  );
  fs.writeFileSync(path.join(outDir, `${base}.md`), markdown);
  console.log(`\n${table(results)}\n`);
  log(`wrote bench/${base}.json and bench/${base}.md (${minutes} min)`);
}

let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${signal}: stopping everything the benchmark started…`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (error: unknown) => {
    console.error("[bench] failed:", error);
    await cleanupAll();
    process.exit(1);
  },
);
