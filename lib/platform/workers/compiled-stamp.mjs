// Where a program's compiled bundle lives and whether it is still current, in plain JavaScript: scripts/run-compiled.mjs
// asks before any TypeScript loader exists (asking through a tsx child cost ≈ 0.45 s of CPU at every program start),
// and compiled-script.ts asks before it builds one.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * The bundle for `entry` (a path relative to `root`, the project folder) and its stamp file, in npm's conventional
 * cache folder beside the packages the bundle imports.
 * @param {string} entry
 * @param {string} root
 * @returns {{ dir: string, bundle: string, stampFile: string }}
 */
export function compiledPaths(entry, root) {
  const name = createHash("sha256").update(path.resolve(root, entry)).digest("hex").slice(0, 12);
  const dir = path.join(root, "node_modules", ".cache", "rms-compiled");
  const bundle = path.join(dir, `${path.basename(entry, path.extname(entry))}-${name}.mjs`);
  return { dir, bundle, stampFile: `${bundle}.json` };
}

/**
 * A file's size and modification time, as a stamp records them; null when it is gone.
 * @param {string} file
 * @returns {string | null}
 */
export function stampOf(file) {
  try {
    const stat = fs.statSync(file);
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return null;
  }
}

/**
 * True when the bundle exists and every project file it was built from is as its stamp recorded it.
 * @param {{ bundle: string, stampFile: string }} paths
 * @param {string} root
 * @returns {boolean}
 */
export function upToDate({ bundle, stampFile }, root) {
  if (!fs.existsSync(bundle)) return false;
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile, "utf8"));
    const inputs = Object.entries(stamp.inputs);
    return inputs.length > 0 && inputs.every(([file, seen]) => stampOf(path.join(/*turbopackIgnore: true*/ root, file)) === seen);
  } catch {
    return false;
  }
}
