// A second enrollment service for the approval walkthrough, as an organisation would run its signing station: policy
// `approval`, an operator account, and the e2e stack's CA (a copy of its `ca/` folder, so the console trusts what it
// signs) but a store of its own, so the demo cluster is a new cluster there. Playwright's `test` here starts it once per
// worker and launches Chromium trusting exactly the chain it serves, by public key.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test as base } from "@playwright/test";
import { enrollmentRootPath, freePort, program, ROOT, startEnrollment, terminateGroup } from "../../tests/support/processes";
import { readState, servedSpkiHashes } from "./stack";

export { expect, type Page } from "@playwright/test";

export interface ApprovalService {
  url: string;
  /** Its enrollment data folder (`ca/`, `tls/`, `db/`, `admin.sock`). */
  dataDir: string;
  operator: { name: string; password: string };
}

/** `npm run enrollment -- <args>` on the service's data folder; throws with its output on failure. */
function enrollmentCli(dataDir: string, args: string[], stdin: string): void {
  const result = spawnSync(process.execPath, program("enrollment", ...args), {
    cwd: ROOT,
    env: { ...process.env, RMS_ENROLLMENT_DATA_DIR: dataDir },
    input: stdin,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`enrollment ${args.join(" ")} failed: ${result.stdout}${result.stderr}`);
}

export const test = base.extend<Record<never, never>, { approvalService: ApprovalService; approvalServiceSpkiHashes: string[] }>({
  approvalService: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this destructuring.
    async ({}, use) => {
      const folder = fs.mkdtempSync(path.join(os.tmpdir(), "rms-e2e-approval-"));
      // startEnrollment runs the service with RMS_DATA_DIR=folder, so its data folder is <folder>/enrollment.
      const dataDir = path.join(folder, "enrollment");
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      fs.cpSync(path.join(readState().dataDir, "enrollment", "ca"), path.join(dataDir, "ca"), { recursive: true });
      const operator = { name: "olivia", password: `0per-${randomBytes(8).toString("hex")}-ator` };
      enrollmentCli(dataDir, ["operators", "add", operator.name, "--password-stdin"], `${operator.password}\n`);
      const port = await freePort();
      const service = await startEnrollment({ dataDir: folder, port, policy: "approval" });
      try {
        await use({ url: service.url, dataDir, operator });
      } finally {
        terminateGroup(service.pid);
        await Promise.race([service.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
        fs.rmSync(folder, { recursive: true, force: true });
      }
    },
    { scope: "worker", timeout: 120_000 },
  ],
  approvalServiceSpkiHashes: [
    async ({ approvalService }, use) => {
      const root = path.join(approvalService.dataDir, "ca", "root.pem");
      const rootPem = fs.readFileSync(root, "utf8");
      // The same root as the stack's service, or the console would not trust what this one signs.
      if (rootPem !== fs.readFileSync(enrollmentRootPath(readState().dataDir), "utf8")) {
        throw new Error(`${root} is not the e2e stack's enrollment root: the approval service made a CA of its own`);
      }
      await use(await servedSpkiHashes(approvalService.url, rootPem));
    },
    { scope: "worker" },
  ],
  launchOptions: [
    async ({ launchOptions, approvalServiceSpkiHashes }, use) => {
      const args = [...(launchOptions.args ?? []), `--ignore-certificate-errors-spki-list=${approvalServiceSpkiHashes.join(",")}`];
      await use({ ...launchOptions, args });
    },
    { scope: "worker" },
  ],
});
