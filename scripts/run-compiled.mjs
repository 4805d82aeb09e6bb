// `npm start` and the other long-running programs: `node scripts/run-compiled.mjs <entry.ts> [args]` runs a TypeScript
// entry as plain JavaScript — its bundle (lib/platform/workers/compiled-script.ts: built when missing or older than its
// sources, by a short-lived child that exits before the program starts) imported into this process — so the program
// carries no TypeScript loader (≈ 27 MB per process with tsx) and no esbuild child.
import { spawnSync } from "node:child_process";
import { pathToFileURL } from "node:url";
import { compiledPaths, upToDate } from "../lib/platform/workers/compiled-stamp.mjs";

const [entry, ...args] = process.argv.slice(2);
if (!entry || !/^scripts\/[\w-]+\.ts$/.test(entry)) {
  console.error("Usage: node scripts/run-compiled.mjs scripts/<program>.ts [arguments]");
  process.exit(2);
}
/** Builds the bundle in a short-lived tsx child (scripts/compile.ts) and returns its path; exits as the child did on failure. */
function build() {
  const built = spawnSync(process.execPath, ["--import", "tsx", "scripts/compile.ts", entry], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
  return built.stdout.trim();
}

// A current bundle is used as it is; only a missing or stale one needs the child.
const cached = compiledPaths(entry, process.cwd());
const bundle = upToDate(cached, process.cwd()) ? cached.bundle : build();
// The bundle is this process's main module, as the entry would be under tsx (a main-module check compares with argv[1]).
process.argv = [process.argv[0] ?? process.execPath, bundle, ...args];
await import(pathToFileURL(bundle).href);
