// Browser walkthroughs in Debian's Chromium against a production build. webServer starts the stack through the one
// process harness (tests/support/e2e-stack.ts: fresh data folder, test accounts, enrollment service, console).
import { defineConfig } from "@playwright/test";
import { CHROMIUM_LAUNCH } from "./tests/support/chromium";
import { E2E_PORTS } from "./tests/support/e2e-state";

const consoleUrl = `http://127.0.0.1:${E2E_PORTS.console}`;

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: "test-results/playwright",
  webServer: {
    command: "node --import tsx tests/support/e2e-stack.ts",
    url: `${consoleUrl}/sign-in`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    env: { NEXT_TELEMETRY_DISABLED: "1" },
  },
  // The foundation walkthrough checks the stack as the first start left it (the demo SLC expiring in 20 days); every
  // other walkthrough may renew it, so they run after it, whatever their file names. Then each test account signs in
  // once through the form (e2e/sign-in.setup.ts), the walkthroughs that only need to be signed in resume that session,
  // and the sessions-kept project checks at the end that none of them ended it.
  projects: [
    { name: "first-start", testMatch: "foundation.spec.ts" },
    { name: "sign-in", testMatch: "sign-in.setup.ts", dependencies: ["first-start"], teardown: "sessions-kept" },
    { name: "sessions-kept", testMatch: "sessions-kept.teardown.ts" },
    { name: "walkthroughs", testIgnore: "foundation.spec.ts", dependencies: ["sign-in"] },
  ],
  use: {
    baseURL: consoleUrl,
    locale: "en-GB",
    timezoneId: "UTC",
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    launchOptions: CHROMIUM_LAUNCH,
  },
});
