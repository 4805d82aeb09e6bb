// `npm start` on a fresh data folder, as a newcomer runs it (scripts/start.ts with the bundled enrollment service, on the
// build `npm test` made): once the console serves, the setup link — at the console's origin — is the last thing it has
// printed, after everything the console prints at start-up (its first expiry check among it). Until an administrator
// exists the sign-in page says how to get the link, in English and Swedish; following the link in Chromium creates the
// administrator, and the sign-in page no longer shows the hint.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type Browser, expect as expectPage } from "@playwright/test";
import { afterAll, describe, expect, it } from "vitest";
import { kill9, type Started, spawnNode } from "../support/processes";
import { launchBrowser } from "./support/browser";

const PORT = 3560;
const ENROLLMENT_PORT = 3561;
const ORIGIN = `http://127.0.0.1:${PORT}`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-first-start-"));
const RULE = `[rms] ${"=".repeat(78)}`;
let start: Started | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  if (start) await kill9(start);
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The start's output so far, line by line. */
const output = () =>
  start
    ? fs
        .readFileSync(start.log, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : [];

/** Waits (polling its log) until the start has printed its setup-link block, or stopped. */
async function untilSetupLinkPrinted(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const lines = output();
    if (lines.at(-1) === RULE && lines.some((line) => line.includes("/setup?token="))) return;
    if (start && start.child.exitCode !== null) throw new Error(`npm start stopped:\n${lines.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no setup link within ${timeoutMs / 1000} s:\n${output().join("\n")}`);
}

async function signInHtml(language: string): Promise<string> {
  const response = await fetch(`${ORIGIN}/sign-in`, { headers: { "accept-language": language } });
  expect(response.status).toBe(200);
  return response.text();
}

describe("the first npm start on a fresh data folder", () => {
  it("ends with the setup link; the sign-in page says how to get one until the first administrator exists", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      NODE_NO_WARNINGS: "1",
      NEXT_TELEMETRY_DISABLED: "1",
      HOST: "127.0.0.1",
      PORT: String(PORT),
      RMS_ENROLLMENT_PORT: String(ENROLLMENT_PORT),
      RMS_DATA_DIR: path.join(tmp, "data"),
    };
    for (const name of [
      "DATABASE_URL",
      "RMS_ENROLLMENT_URL",
      "RMS_TRUST_ANCHORS",
      "RMS_MASTER_KEY",
      "RMS_MASTER_KEY_FILE",
      "RMS_LDAP_URL",
    ]) {
      delete env[name];
    }
    start = spawnNode(["scripts/run-compiled.mjs", "scripts/start.ts"], env, path.join(tmp, "start.log"));
    await untilSetupLinkPrinted(240_000);

    // Both pages answered: the console has been serving for a while, and nothing it printed came after the link.
    const english = await signInHtml("en");
    const swedish = await signInHtml("sv");
    const lines = output();
    const link = lines
      .find((line) => line.includes("/setup?token="))
      ?.trim()
      .replace(/^\[rms\]\s+/, "");
    expect(link).toMatch(new RegExp(`^${ORIGIN.replace(/\./g, "\\.")}/setup\\?token=[A-Za-z0-9_-]{43}$`));
    expect(lines.slice(-8)).toEqual([
      RULE,
      "[rms] No administrator exists yet. Create the first one (link valid for 60 minutes, single use):",
      "[rms] ",
      `[rms]     ${link}`,
      "[rms] ",
      "[rms] Or: npm run rms -- user add <name> --group Administrators --password-stdin",
      "[rms] A new link, if this one expires: npm run rms -- setup-link",
      RULE,
    ]);
    expect(lines.at(-9)).toBe(`[rms] RMS Administration console: ${ORIGIN}  (enrollment service: https://127.0.0.1:${ENROLLMENT_PORT})`);
    // The console's first expiry check (the demo SLC expires in 20 days) was logged before the console served.
    const expiryLine = lines.findIndex((line) => line.includes('"eventId":16'));
    expect(expiryLine).toBeGreaterThanOrEqual(0);
    expect(expiryLine).toBeLessThan(lines.length - 9);

    expect(english).toContain(
      "No administrator exists yet. To create the first one, open the setup link that `npm start` printed in its terminal, " +
        "or get a new link: run `npm run rms -- setup-link` in the console&#x27;s folder.",
    );
    expect(swedish).toContain("Det finns ingen administratör ännu.");
    expect(swedish).toContain("kör `npm run rms -- setup-link` i konsolens mapp.");

    browser = await launchBrowser();
    const page = await (await browser.newContext({ locale: "en-GB", timezoneId: "UTC" })).newPage();
    await page.goto(String(link));
    await page.getByLabel("User name").fill("firstadmin");
    await page.getByLabel("Password", { exact: true }).fill("first-admin-password");
    await page.getByLabel("Confirm password").fill("first-admin-password");
    await page.getByRole("button", { name: "Create administrator" }).click();
    await expectPage(page.getByText("The administrator was created. Sign in to continue.")).toBeVisible({ timeout: 30_000 });
    await expectPage(page.getByRole("status").filter({ hasText: "No administrator exists yet" })).toHaveCount(0);
    expect(await signInHtml("en")).not.toContain("No administrator exists yet");
  }, 300_000);
});
