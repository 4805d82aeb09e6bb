// Playwright's `test` for walkthroughs that visit the enrollment service's web site: its Chromium accepts the service's
// own TLS chain (verified first against the root in the data folder) by public key — never ignoreHTTPSErrors, which
// would accept any certificate. Worker-scoped: computed once the webServer has started the service.
import { test as base } from "@playwright/test";
import { enrollmentSpkiHashes } from "./stack";

export { expect, type Page } from "@playwright/test";

export const test = base.extend({
  launchOptions: [
    async ({ launchOptions }, use) => {
      const hashes = await enrollmentSpkiHashes();
      const args = [...(launchOptions.args ?? []), `--ignore-certificate-errors-spki-list=${hashes.join(",")}`];
      await use({ ...launchOptions, args });
    },
    { scope: "worker" },
  ],
});
