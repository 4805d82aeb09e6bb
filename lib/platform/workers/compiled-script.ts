// Worker threads and the long-running programs `npm start` spawns run plain JavaScript: a TypeScript entry is bundled
// once into one .mjs (esbuild, the project's own modules inlined, npm packages left to Node), reused until one of its
// source files changes. Registering tsx instead cost each worker ≈ 60 MB and an esbuild child process of its own, and
// each program ≈ 27 MB of loader state.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { compiledPaths, stampOf, upToDate } from "./compiled-stamp.mjs";

interface Stamp {
  /** Every project file the bundle was built from, with its size and modification time then. */
  inputs: Record<string, string>;
}

/**
 * The compiled script for `entry` (a path relative to `root`, the project folder): built now if it is missing or
 * older than its sources. Concurrent processes may build it at once; each writes its own temporary file and renames it
 * into place, so nothing ever loads half a file.
 */
export function compiledScript(entry: string, root: string = process.cwd()): string {
  const paths = compiledPaths(entry, root);
  const { dir, bundle, stampFile } = paths;
  if (upToDate(paths, root)) return bundle;
  fs.mkdirSync(dir, { recursive: true });
  // Without this, esbuild's synchronous API keeps a worker thread and an esbuild child process alive for the rest of
  // the process (≈ 40 MB idle per program after a first start); with it, each build is one child that exits. Read when
  // esbuild loads.
  process.env.ESBUILD_WORKER_THREADS ??= "0";
  // Loaded only when a bundle is built; createRequire keeps the console's bundler from inlining esbuild.
  const esbuild = createRequire(path.join(root, "package.json"))("esbuild") as typeof import("esbuild");
  const temporary = `${bundle}.${process.pid}.tmp`;
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile: temporary,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    tsconfig: path.join(root, "tsconfig.json"),
    metafile: true,
    logLevel: "error",
    // A bundled CommonJS helper may call require(); ESM has none of its own.
    banner: { js: 'import { createRequire as rmsCreateRequire } from "node:module"; const require = rmsCreateRequire(import.meta.url);' },
  });
  const inputs: Record<string, string> = {};
  for (const file of Object.keys(result.metafile.inputs)) {
    const seen = stampOf(path.join(/*turbopackIgnore: true*/ root, file));
    if (seen !== null) inputs[file] = seen;
  }
  fs.renameSync(temporary, bundle);
  const stampTemporary = `${stampFile}.${process.pid}.tmp`;
  fs.writeFileSync(stampTemporary, JSON.stringify({ inputs } satisfies Stamp));
  fs.renameSync(stampTemporary, stampFile);
  return bundle;
}
