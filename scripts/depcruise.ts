// `npm run depcruise`: dependency-cruiser's rules (.dependency-cruiser.cjs) over the given paths, through its API,
// because the depcruise CLI refuses Node 20 (engines ^22) while the API runs on it.
import { cruise, type IReporterOutput } from "dependency-cruiser";
import extractDepcruiseOptions from "dependency-cruiser/config-utl/extract-depcruise-options";
import extractTSConfig from "dependency-cruiser/config-utl/extract-ts-config";

async function main(): Promise<number> {
  const paths = process.argv.slice(2);
  if (paths.length === 0) {
    console.error("usage: tsx scripts/depcruise.ts <path>…");
    return 2;
  }
  const options = await extractDepcruiseOptions("./.dependency-cruiser.cjs");
  const tsConfig = extractTSConfig("tsconfig.json");
  const result: IReporterOutput = await cruise(paths, { ...options, validate: true, outputType: "err" }, undefined, { tsConfig });
  const output = typeof result.output === "string" ? result.output : JSON.stringify(result.output);
  if (output.trim() !== "") console.log(output);
  return result.exitCode;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
