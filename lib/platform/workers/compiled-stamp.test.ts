import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { compiledPaths, stampOf, upToDate } from "./compiled-stamp.mjs";

describe("a compiled bundle's name and freshness", () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "rms-compiled-stamp-"));
    fs.mkdirSync(path.join(root, "scripts"));
    fs.mkdirSync(path.join(root, "lib"));
    fs.writeFileSync(path.join(root, "scripts", "tool.ts"), 'import "../lib/part";\n');
    fs.writeFileSync(path.join(root, "lib", "part.ts"), "export const part = 1;\n");
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  /** What compiled-script.ts leaves after a build: the bundle and the stamps of the files it was built from. */
  function built(entry: string, inputs: string[]): ReturnType<typeof compiledPaths> {
    const paths = compiledPaths(entry, root);
    fs.mkdirSync(paths.dir, { recursive: true });
    fs.writeFileSync(paths.bundle, "export {};\n");
    const stamps = Object.fromEntries(inputs.map((file) => [file, stampOf(path.join(root, file))]));
    fs.writeFileSync(paths.stampFile, JSON.stringify({ inputs: stamps }));
    return paths;
  }

  it("names the bundle after the entry and its absolute path, in node_modules/.cache/rms-compiled", () => {
    const paths = compiledPaths("scripts/tool.ts", root);
    expect(paths.dir).toBe(path.join(root, "node_modules", ".cache", "rms-compiled"));
    expect(path.basename(paths.bundle)).toMatch(/^tool-[0-9a-f]{12}\.mjs$/);
    expect(paths.stampFile).toBe(`${paths.bundle}.json`);
    expect(compiledPaths("scripts/tool.ts", root)).toEqual(paths);
    expect(compiledPaths("scripts/tool.ts", path.join(root, "lib")).bundle).not.toBe(paths.bundle);
  });

  it("is current while every file it was built from is as stamped", () => {
    const paths = built("scripts/tool.ts", ["scripts/tool.ts", "lib/part.ts"]);
    expect(upToDate(paths, root)).toBe(true);
  });

  it("is stale once a source changes, is removed, or the bundle or its stamp is missing or unreadable", () => {
    const inputs = ["scripts/tool.ts", "lib/part.ts"];
    const paths = built("scripts/tool.ts", inputs);
    fs.appendFileSync(path.join(root, "lib", "part.ts"), "export const more = 2;\n");
    expect(upToDate(paths, root)).toBe(false);

    built("scripts/tool.ts", inputs);
    fs.rmSync(path.join(root, "lib", "part.ts"));
    expect(upToDate(paths, root)).toBe(false);

    fs.writeFileSync(path.join(root, "lib", "part.ts"), "export const part = 1;\n");
    built("scripts/tool.ts", inputs);
    fs.rmSync(paths.bundle);
    expect(upToDate(paths, root)).toBe(false);

    built("scripts/tool.ts", inputs);
    fs.writeFileSync(paths.stampFile, "{not json");
    expect(upToDate(paths, root)).toBe(false);

    built("scripts/tool.ts", []);
    expect(upToDate(paths, root)).toBe(false);
  });
});
