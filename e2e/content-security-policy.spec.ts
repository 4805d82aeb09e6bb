// The Content-Security-Policy in a real browser: every page carries its own script nonce, Next's scripts carry it, and
// signing in, Global Administration, the Administration page and the Renew dialog run without a single violation.
import { expect, test } from "@playwright/test";
import { openAdministration, openRenew } from "./support/console";
import { signIn } from "./support/session";

test("the console runs under a nonce-based policy without violations", async ({ page }) => {
  const violations: string[] = [];
  await page.exposeFunction("reportViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window as unknown as { reportViolation(text: string): void }).reportViolation(
        `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`,
      );
    });
  });

  const first = await page.goto("/sign-in");
  const policy = first?.headers()["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce).toBeDefined();
  expect(policy).toContain("'strict-dynamic'");
  expect(policy).toContain("frame-ancestors 'none'");
  const scriptNonces = await page.locator("script").evaluateAll((scripts) => scripts.map((s) => (s as HTMLScriptElement).nonce));
  expect(scriptNonces.length).toBeGreaterThan(0);
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]));
  const again = await page.goto("/sign-in");
  expect(again?.headers()["content-security-policy"]).not.toContain(`'nonce-${nonce}'`);
  expect(again?.headers()["cross-origin-opener-policy"]).toBe("same-origin");

  await signIn(page, "admin");
  await openAdministration(page);
  // The dialog opens only if the page's scripts ran: the policy lets the console's own code through.
  const dialog = await openRenew(page);
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  expect(violations).toEqual([]);
});
