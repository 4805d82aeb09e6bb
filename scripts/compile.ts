// `tsx scripts/compile.ts scripts/<program>.ts`: prints the path of the program's compiled bundle, building it if it is
// missing or older than its sources (lib/platform/workers/compiled-script.ts). scripts/run-compiled.mjs runs it.
import fs from "node:fs";
import { compiledScript } from "@/lib/platform/workers/compiled-script";

const entry = process.argv[2] ?? "";
if (!/^scripts\/[\w-]+\.ts$/.test(entry) || !fs.existsSync(entry)) {
  console.error(`Not a program of this project: "${entry.slice(0, 80)}" (expected scripts/<program>.ts)`);
  process.exit(2);
}
console.log(compiledScript(entry));
