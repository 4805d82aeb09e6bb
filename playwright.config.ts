// Browser walkthroughs in Debian's Chromium against a production build. webServer starts the stack through the one
// process harness (tests/support/e2e-stack.ts: fresh data folder, test accounts, enrollment service, console).
import { defineConfig, type PlaywrightTestConfig } from "@playwright/test";
import { CHROMIUM_LAUNCH } from "./tests/support/chromium";
import { E2E_PART, E2E_PORTS } from "./tests/support/e2e-state";
import { scratchInMemory } from "./tests/support/scratch";

scratchInMemory();

const consoleUrl = `http://127.0.0.1:${E2E_PORTS.console}`;

/**
 * The walkthroughs of the second part (E2E_PART=2; tests/support/e2e-state.ts). `npm test` runs both parts side by side,
 * each with a stack of its own, as two Playwright runs: one browser and one stack left both cores partly idle. These
 * files took about half of the walkthroughs' time; every other walkthrough is in the first part, after the foundation.
 */
const SECOND_PART = [
  "active-directory.spec.ts",
  "auto-renewal.spec.ts",
  "directory-sign-in.spec.ts",
  "enrollment-approval.spec.ts",
  "global-administration.spec.ts",
  "held-for-approval.spec.ts",
  "proxy-settings.spec.ts",
  "rekey.spec.ts",
  "renewal-in-progress.spec.ts",
  "revocation.spec.ts",
  "security-settings.spec.ts",
  "settings.spec.ts",
];

/**
 * The foundation walkthrough checks the stack as the first start left it (the demo SLC expiring in 20 days); every
 * other walkthrough may renew it, so they run after it, whatever their file names. Then each test account signs in
 * once through the form (e2e/sign-in.setup.ts), the walkthroughs that only need to be signed in resume that session,
 * and the sessions-kept project checks at the end that none of them ended it. The second part's stack has no
 * foundation walkthrough: its accounts sign in first.
 */
function projects(): PlaywrightTestConfig["projects"] {
  const walkthroughs = { name: "walkthroughs", dependencies: ["sign-in"] };
  const signIn = { name: "sign-in", testMatch: "sign-in.setup.ts", teardown: "sessions-kept" };
  const sessionsKept = { name: "sessions-kept", testMatch: "sessions-kept.teardown.ts" };
  if (E2E_PART === "2") return [signIn, sessionsKept, { ...walkthroughs, testMatch: SECOND_PART }];
  const ignored = E2E_PART === "1" ? ["foundation.spec.ts", ...SECOND_PART] : ["foundation.spec.ts"];
  return [
    { name: "first-start", testMatch: "foundation.spec.ts" },
    { ...signIn, dependencies: ["first-start"] },
    sessionsKept,
    { ...walkthroughs, testIgnore: ignored },
  ];
}

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  outputDir: E2E_PART ? `test-results/playwright-part-${E2E_PART}` : "test-results/playwright",
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
  projects: projects(),
  use: {
    baseURL: consoleUrl,
    locale: "en-GB",
    timezoneId: "UTC",
    screenshot: "only-on-failure",
    // No trace by default: recording one (a screencast and a DOM snapshot at every action) took about a third of
    // Chromium's CPU in every test, failing or not. A failure keeps its screenshot and its page's error context;
    // `npx playwright test <file> --trace retain-on-failure` records the trace of a failing walkthrough.
    trace: "off",
    launchOptions: CHROMIUM_LAUNCH,
  },
});
