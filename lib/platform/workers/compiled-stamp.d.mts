// Types of compiled-stamp.mjs (plain JavaScript, so scripts/run-compiled.mjs can load it without a TypeScript loader).
export interface CompiledPaths {
  dir: string;
  bundle: string;
  stampFile: string;
}
export function compiledPaths(entry: string, root: string): CompiledPaths;
export function stampOf(file: string): string | null;
export function upToDate(paths: Pick<CompiledPaths, "bundle" | "stampFile">, root: string): boolean;
