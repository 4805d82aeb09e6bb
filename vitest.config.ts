// Vitest projects: `unit` (pure, no database, process or socket: the fast loop), `integration` (databases, child
// processes, loopback servers), `system` (the production build as real processes: faults, concurrency, load, attacks).
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { SHORT_LIVED_WASM_FLAG } from "./lib/platform/db/short-lived";
import { scratchInMemory } from "./tests/support/scratch";

scratchInMemory();

/** lib tests that open a socket, spawn a tool or a process, or touch a data folder: they run with the integration tests. */
const libIntegration = [
  "lib/core/certificates/interop.test.ts",
  "lib/core/certificates/verify-off-thread.test.ts",
  "lib/enrollment/attacks.test.ts",
  "lib/enrollment/ca.test.ts",
  "lib/enrollment/desk.test.ts",
  "lib/enrollment/process.test.ts",
  "lib/enrollment/server.test.ts",
  "lib/enrollment/store.test.ts",
  "lib/platform/http/request-gate.test.ts",
  "lib/platform/http/response-status.test.ts",
  "lib/console/renewal/enrollment-client.test.ts",
];

/**
 * The system file that runs alone: the load run (50 sessions and their renewals against one console) keeps both cores
 * busy by itself.
 */
const systemSerial = ["tests/system/load.test.ts"];

/**
 * A test file's process opens its databases, runs its statements and exits, like the command-line programs: the same
 * WebAssembly tiering (lib/platform/db/short-lived.ts). The servers the tests start keep V8's default, as in production.
 */
const shortLivedExecArgv = [SHORT_LIVED_WASM_FLAG];

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    environment: "node",
    pool: "forks",
    setupFiles: ["./tests/setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "components/**/*.test.tsx", "proxy.test.ts"],
          exclude: libIntegration,
          testTimeout: 20_000,
          maxWorkers: 2,
          // Pure tests share their workers' module graph instead of re-importing it per file (x509, xml-crypto, zod):
          // about a third of the CPU time. Nothing here may keep state between files; proxy.test.ts is the only
          // caller of env() (cached) and stubs what it reads.
          pool: "threads",
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: [...libIntegration, "tests/*.test.ts", "tests/integration/**/*.test.ts", "scripts/**/*.test.ts"],
          // scrypt at a cheap cost for the sign-ins and accounts of these files (see tests/support/password-cost.ts),
          // in place of the module lib/core/secrets/password.ts imports as ./password-cost (the only one so named).
          alias: [
            { find: /^\.\/password-cost$/, replacement: fileURLToPath(new URL("./tests/support/password-cost.ts", import.meta.url)) },
          ],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ["./tests/support/pglite-template.global.ts"],
          execArgv: shortLivedExecArgv,
          // Most of these wait on child processes and sockets, not on this process's CPU: two files at a time.
          maxWorkers: 2,
        },
      },
      {
        extends: true,
        test: {
          name: "system",
          include: ["tests/system/**/*.test.ts"],
          exclude: systemSerial,
          testTimeout: 60_000,
          hookTimeout: 180_000,
          globalSetup: ["./tests/support/pglite-template.global.ts"],
          execArgv: shortLivedExecArgv,
          // The production build as real processes, after the others: two files at a time (each file's ports come
          // from the kernel, its folders from mkdtemp, its PostgreSQL database is its own; most of its time is spent
          // waiting on its processes, its latches and its fixed-length runs). SYSTEM_WORKERS=1 on a machine already busy.
          maxWorkers: Number(process.env.SYSTEM_WORKERS ?? 2),
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: "system-serial",
          include: systemSerial,
          testTimeout: 60_000,
          hookTimeout: 180_000,
          globalSetup: ["./tests/support/pglite-template.global.ts"],
          // Last, with the machine to itself: see systemSerial.
          maxWorkers: 1,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
