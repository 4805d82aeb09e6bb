// Active Directory in the browser: a console of its own (its own data folder, the stack's enrollment service) signing in
// against the Samba AD DC this file starts (tests/support/samba-ad.ts), so only this file pays for the domain
// controller. A Domain Admin by primary group only administers and is named as stored; a user who must change the
// password is told so.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import {
  type ConsoleOptions,
  consoleEnv,
  enrollmentRootPath,
  freePort,
  runCli,
  type Started,
  startConsole,
  terminateGroup,
  waitForGroupGone,
  writeTrustAnchors,
} from "../tests/support/processes";
import {
  AD_BASE_DN,
  AD_DOMAIN,
  AD_SERVICE_DN,
  AD_SERVICE_PASSWORD,
  AD_USERS,
  startSambaAd,
  type TestActiveDirectory,
} from "../tests/support/samba-ad";
import { shot } from "./support/session";
import { readState } from "./support/stack";

let dc: TestActiveDirectory | undefined;
let adConsole: (Started & { url: string }) | undefined;
let dataDir: string | undefined;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  dc = await startSambaAd();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rms-e2e-ad-"));
  const stack = readState();
  const options: ConsoleOptions = {
    dataDir,
    port: await freePort(),
    enrollmentUrl: stack.enrollmentUrl,
    trustRoots: [enrollmentRootPath(stack.dataDir)],
    sweep: false,
    logName: "console-ad.log",
    extraEnv: {
      RMS_DOMAIN: AD_DOMAIN,
      RMS_LDAP_URL: dc.ldapsUrl,
      RMS_LDAP_CA_FILE: dc.caFile,
      RMS_LDAP_BIND_DN: AD_SERVICE_DN,
      RMS_LDAP_BIND_PASSWORD: AD_SERVICE_PASSWORD,
      RMS_LDAP_USER_BASE: AD_BASE_DN,
      RMS_LDAP_GROUP_BASE: AD_BASE_DN,
    },
  };
  // The console server does not migrate a new database; the CLI does, as it creates a local break-glass account.
  writeTrustAnchors(options);
  runCli(
    consoleEnv(options),
    ["user", "add", "breakglass", "--group", "Administrators", "--password-stdin", "--create"],
    "Br3ak-Gl4ss-Passw0rd!\n",
  );
  adConsole = await startConsole(options);
});

test.afterAll(async () => {
  if (adConsole) {
    terminateGroup(adConsole.pid);
    await waitForGroupGone(adConsole.pid, 15_000);
  }
  await dc?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
});

test("a Domain Admin by primary group signs in as RMS\\Alice; a password that must be changed is named", async ({ page }) => {
  const url = adConsole?.url ?? "";
  await page.goto(`${url}/sign-in`);
  await page.getByLabel("User name").fill("alice@rms.test");
  await page.getByLabel("Password").fill(AD_USERS.Alice.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("signed-in-user")).toHaveText("RMS\\Alice");
  await expect(page.getByRole("heading", { name: "Global Administration" })).toBeVisible();
  await page.screenshot(shot("active-directory-primary-group-admin"));
  await page.getByRole("button", { name: "Sign out" }).click();

  await page.getByLabel("User name").fill("RMS\\mustchange");
  await page.getByLabel("Password").fill(AD_USERS.mustchange.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByText("You must change your password before you sign in.")).toBeVisible();
  await page.screenshot(shot("active-directory-must-change-password"));
});
