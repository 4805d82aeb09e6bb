// After the walkthroughs: the sessions the sign-in project saved are still valid, so none of the walkthroughs that
// resumed them signed out or ended them, and one sign-in lasted the whole run.
import { test as teardown } from "@playwright/test";
import { resumeSignIn, type TestAccount } from "./support/session";

for (const who of ["admin", "user"] as const satisfies TestAccount[]) {
  teardown(`the saved session of ${who} is still valid`, async ({ page }) => {
    await resumeSignIn(page, who);
  });
}
