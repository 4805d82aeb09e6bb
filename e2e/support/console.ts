// The console's Administration page as the walkthroughs drive it (by its visible labels), and reading labelled values.
import AxeBuilder from "@axe-core/playwright";
import { expect, type Locator, type Page } from "@playwright/test";

export const RENEW_DIALOG = "Renew server licensor certificate";

/** Step 1: Global Administration → Administer RMS on this Web site. */
export async function openAdministration(page: Page): Promise<void> {
  await page.goto("/");
  await page
    .getByRole("row", { name: /Default Web Site/ })
    .getByRole("link", { name: "Administer RMS on this Web site" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
}

export function clusterResources(page: Page): Locator {
  return page.getByRole("region", { name: "Cluster resources" });
}

/** The pending offline request in Cluster resources (Export made it; Import or Cancel ends it). */
export function pendingRequest(page: Page): Locator {
  return clusterResources(page).getByRole("region", { name: "Pending renewal request" });
}

/** Step 2 / 11: Renew in Cluster resources opens the Renew dialog. */
export async function openRenew(page: Page): Promise<Locator> {
  await clusterResources(page).getByRole("button", { name: "Renew", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: RENEW_DIALOG });
  await expect(dialog).toBeVisible();
  return dialog;
}

/** The installed SLC's expiration date (ms since the epoch). */
export async function expiration(page: Page): Promise<number> {
  // By test id: while the modal is open the page behind it is hidden from the accessibility tree.
  const iso = await page.getByTestId("slc-expiration").locator("time").getAttribute("datetime");
  expect(iso).not.toBeNull();
  return Date.parse(iso ?? "");
}

/**
 * After Online → Renew: the small-gain rule (a certificate with more than 30 days left, or a gain under 30 days) shows
 * the confirmation first, and Yes installs what the service signed; otherwise it is installed at once.
 */
export async function confirmIfAsked(dialog: Locator, words: { confirm: string; yes: string; renewed: string } = ENGLISH): Promise<void> {
  const asked = dialog.getByRole("heading", { name: words.confirm });
  // Renewed, asked, or refused (an error is the caller's to check).
  const outcome = dialog.getByRole("status").filter({ hasText: words.renewed }).or(asked).or(dialog.getByRole("alert"));
  await expect(outcome.first()).toBeVisible({ timeout: 30_000 });
  if (await asked.isVisible()) await dialog.getByRole("button", { name: words.yes, exact: true }).click();
}
const ENGLISH = { confirm: "Install this certificate?", yes: "Yes", renewed: "was renewed" };

/**
 * The confirmation folds its checks and identifiers behind a summary that names them ("Details: all 11 checks
 * passed…"); this opens it (a native <details>, so also without JavaScript) and returns the summary.
 */
export async function showConfirmDetails(dialog: Locator): Promise<Locator> {
  const summary = dialog.locator("summary").filter({ hasText: /^(Details|Detaljer): / });
  await summary.click();
  await expect(dialog.getByTestId("confirm-details")).toHaveAttribute("open", "");
  return summary;
}

export async function expectAccessible(page: Page): Promise<void> {
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
}

/** The value (`<dd>`) a definition list gives for the term (`<dt>`) labelled exactly `term`. */
export function definitionOf(scope: Page | Locator, term: string): Locator {
  const exact = new RegExp(`^\\s*${term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
  return scope.getByRole("term").filter({ hasText: exact }).locator("xpath=following-sibling::dd[1]");
}
