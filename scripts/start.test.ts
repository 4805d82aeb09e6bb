// `npm start`'s first build (scripts/start.ts buildConsole): the build's own output passes through, a progress line with
// the time so far comes every interval while it runs, and a failed build is reported. The build it runs is Next's with
// the project's configuration as Next resolves it, which leaves type-checking to `npm run check`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PHASE_PRODUCTION_BUILD } from "next/constants";
import loadConfig from "next/dist/server/config";
import { afterAll, describe, expect, it } from "vitest";
import { buildConsole, firstBuildEnv } from "./start";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-start-build-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A stand-in build process that prints, then waits until the progress line has been seen (no timing in the test). */
function waitingBuild(flag: string, exitCode: number): string[] {
  const script = `
    const fs = require("node:fs");
    console.log("Creating an optimized production build ...");
    const poll = setInterval(() => {
      if (!fs.existsSync(${JSON.stringify(flag)})) return;
      clearInterval(poll);
      console.error("✓ Compiled successfully");
      process.exit(${exitCode});
    }, 10);`;
  return ["-e", script];
}

describe("the first start's build", () => {
  it("passes the build's output through and says every interval that it is still building, with the time so far", async () => {
    const flag = path.join(tmp, "seen-progress");
    const said: string[] = [];
    let output = "";
    const built = await buildConsole({
      command: process.execPath,
      args: waitingBuild(flag, 0),
      env: { PATH: process.env.PATH, NODE_ENV: "production" },
      progressMs: 50,
      log: (message) => {
        said.push(message);
        fs.writeFileSync(flag, "");
      },
      write: (chunk) => {
        output += chunk.toString();
      },
    });
    expect(built.ok).toBe(true);
    expect(said.length).toBeGreaterThanOrEqual(1);
    for (const message of said) expect(message).toMatch(/^Still building the console: \d+ s so far…$/);
    expect(output).toContain("Creating an optimized production build ...\n");
    expect(output).toContain("✓ Compiled successfully\n");
    expect(built.seconds).toBeGreaterThanOrEqual(0);
  });

  it("reports a failed build", async () => {
    const flag = path.join(tmp, "seen-progress-failing");
    const built = await buildConsole({
      command: process.execPath,
      args: waitingBuild(flag, 3),
      env: { PATH: process.env.PATH, NODE_ENV: "production" },
      progressMs: 50,
      log: () => fs.writeFileSync(flag, ""),
      write: () => {},
    });
    expect(built.ok).toBe(false);
  });

  it("runs Next's build without its type check (`npm run check` type-checks; `npm test` runs it before) and without its cache", async () => {
    const env = firstBuildEnv({ PATH: "/usr/bin", NODE_ENV: "production" });
    expect(env).toMatchObject({ NEXT_TELEMETRY_DISABLED: "1", RMS_BUILD_CACHE: "off", PATH: "/usr/bin" });
    // next.config.js reads the build's environment when Next loads it, as `next build` does in the start's child process.
    const before = process.env.RMS_BUILD_CACHE;
    process.env.RMS_BUILD_CACHE = env.RMS_BUILD_CACHE;
    try {
      const config = await loadConfig(PHASE_PRODUCTION_BUILD, path.resolve(import.meta.dirname, ".."), { silent: true });
      expect(config.typescript.ignoreBuildErrors).toBe(true);
      expect(config.experimental.turbopackFileSystemCacheForBuild).toBe(false);
    } finally {
      if (before === undefined) delete process.env.RMS_BUILD_CACHE;
      else process.env.RMS_BUILD_CACHE = before;
    }
  });
});
