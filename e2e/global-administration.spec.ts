// The rest of Global Administration (TechNet 18124738), as an administrator walks it in English and Swedish: provision
// RMS on the seeded web site without it, see its Administration page (no certificate yet: Enroll), remove RMS again
// with the typed cluster name, every refusal said next to its field; /admin, the favicon, page titles; and provision,
// a first enrollment (offline, EnrollRequest.xml) and remove as native forms with JavaScript disabled.
import type { BrowserContext } from "@playwright/test";
import { E2E_UNPROVISIONED_WEB_SITE } from "../tests/support/e2e-state";
import { expectAccessible } from "./support/console";
import { expect, type Page, test } from "./support/fixtures";
import { resumeSignIn, savedSignInPath, shot } from "./support/session";
import { readState } from "./support/stack";

const SITE = E2E_UNPROVISIONED_WEB_SITE;

interface Labels {
  provision: string;
  remove: string;
  administer: string;
  clusterName: string;
  clusterUrl: string;
  configDatabase: string;
  provisionButton: string;
  confirm: string;
  removeButton: string;
  noSlc: RegExp;
  enroll: string;
  removed: RegExp;
  urlInvalid: RegExp;
  urlTaken: RegExp;
  mismatch: RegExp;
  notProvisionedAnyMore: RegExp;
  product: string;
  provisionTitle: string;
}

const EN: Labels = {
  provision: "Provision RMS on this Web site",
  remove: "Remove RMS from this Web site",
  administer: "Administer RMS on this Web site",
  clusterName: "Cluster name",
  clusterUrl: "Cluster URL",
  configDatabase: "Configuration database name",
  provisionButton: "Provision",
  confirm: "Type the cluster name to confirm",
  removeButton: "Remove RMS",
  noSlc: /No server licensor certificate is installed yet/,
  enroll: "Enroll",
  removed: /RMS was removed from the web site\. The key of the cluster .* was destroyed/,
  urlInvalid: /Enter an absolute http:\/\/ or https:\/\/ address/,
  urlTaken: /Another cluster already uses this URL/,
  mismatch: /does not match the cluster name\. Nothing was changed/,
  notProvisionedAnyMore: /RMS is not provisioned on this web site any more/,
  product: "RMS Administration",
  provisionTitle: "Provision RMS",
};

const SV: Labels = {
  provision: "Etablera RMS på den här webbplatsen",
  remove: "Ta bort RMS från den här webbplatsen",
  administer: "Administrera RMS på den här webbplatsen",
  clusterName: "Klusternamn",
  clusterUrl: "Klustrets URL",
  configDatabase: "Namn på konfigurationsdatabasen",
  provisionButton: "Etablera",
  confirm: "Skriv klustrets namn för att bekräfta",
  removeButton: "Ta bort RMS",
  noSlc: /Inget serverlicensieringscertifikat är installerat ännu/,
  enroll: "Registrera",
  removed: /RMS togs bort från webbplatsen\. Nyckeln för klustret .* förstördes/,
  urlInvalid: /Ange en fullständig http:\/\/- eller https:\/\/-adress/,
  urlTaken: /Ett annat kluster använder redan den här URL:en/,
  mismatch: /stämmer inte med klustrets namn\. Ingenting ändrades/,
  notProvisionedAnyMore: /RMS är inte längre etablerat på den här webbplatsen/,
  product: "RMS-administration",
  provisionTitle: "Etablera RMS",
};

function siteRow(page: Page, name: string) {
  return page.getByRole("row", { name: new RegExp(name) });
}

/** The demo cluster's URL as Global Administration shows it: a value another cluster may not take. */
async function demoClusterUrl(page: Page): Promise<string> {
  await page.goto("/");
  const url = (await siteRow(page, "Default Web Site").locator("td").nth(1).textContent())?.trim() ?? "";
  expect(url).toMatch(/^https?:\/\//);
  return url;
}

async function useSwedish(page: Page): Promise<void> {
  await page.goto("/");
  await page.getByRole("button", { name: "Svenska" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Global administration" })).toBeVisible();
}

/** Provision → the new cluster's Administration page; returns its id. */
async function provision(page: Page, l: Labels, values: { name: string; url: string; db: string }, tag: string): Promise<string> {
  await page.goto("/");
  await siteRow(page, SITE).getByRole("link", { name: l.provision }).click();
  await expect(page.getByRole("heading", { level: 1, name: l.provision })).toBeVisible();
  await expect(page).toHaveTitle(`${l.provisionTitle} — ${SITE} — ${l.product}`);
  await page.getByLabel(l.clusterName).fill(values.name);
  await page.getByLabel(l.clusterUrl).fill(values.url);
  await page.getByLabel(l.configDatabase).fill(values.db);
  await page.screenshot(shot(`provision-${tag}`));
  await page.getByRole("button", { name: l.provisionButton, exact: true }).click();
  await expect(page).toHaveURL(/\/clusters\/[0-9a-f-]{36}\?provisioned=1$/);
  const clusterId = /\/clusters\/([0-9a-f-]{36})/.exec(page.url())?.[1] ?? "";
  await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
  await expect(page).toHaveTitle(`Administration — ${values.name} — ${l.product}`);
  return clusterId;
}

/** Remove RMS from the seeded web site with the typed cluster name → Global Administration says so. */
async function remove(page: Page, l: Labels, clusterName: string): Promise<void> {
  await page.goto("/");
  await siteRow(page, SITE).getByRole("link", { name: l.remove }).click();
  await expect(page.getByRole("heading", { level: 1, name: l.remove })).toBeVisible();
  await page.getByLabel(l.confirm).fill(clusterName);
  await page.getByRole("button", { name: l.removeButton, exact: true }).click();
  await expect(page).toHaveURL(/\/\?removed=/);
  await expect(page.getByRole("status").filter({ hasText: l.removed })).toBeVisible();
  await expect(siteRow(page, SITE).getByRole("link", { name: l.provision })).toBeVisible();
}

test.describe("Global Administration", () => {
  test("English: provision a web site, its Administration page, refusals, remove with the typed name, remove twice", async ({
    page,
    context,
  }) => {
    // The longest walkthrough here (provision, refusals, axe on each page, remove twice): past the default 60 s on a
    // loaded machine, and a timeout midway leaves the site provisioned for the walkthroughs after it.
    test.setTimeout(150_000);
    await resumeSignIn(page, "admin");
    const taken = await demoClusterUrl(page);
    await expect(page).toHaveTitle(`Global Administration — ${EN.product}`);
    await expect(siteRow(page, "Default Web Site").getByRole("link", { name: EN.administer })).toBeVisible();
    await expect(siteRow(page, "Default Web Site").getByRole("link", { name: EN.remove })).toBeVisible();
    await expect(siteRow(page, SITE).getByRole("link", { name: EN.administer })).toHaveCount(0);
    await page.screenshot(shot("global-administration-sites"));

    // Bad input: every field said next to itself, nothing created.
    await siteRow(page, SITE).getByRole("link", { name: EN.provision }).click();
    await expectAccessible(page);
    await page.getByLabel(EN.clusterName).fill("Contoso intranet cluster");
    await page.getByLabel(EN.clusterUrl).fill("rms.contoso.com/_wmcs");
    await page.getByLabel(EN.configDatabase).fill("DRMS_Config_intranet");
    await page.getByRole("button", { name: EN.provisionButton, exact: true }).click();
    const url = page.getByLabel(EN.clusterUrl);
    await expect(url).toHaveAttribute("aria-invalid", "true");
    await expect(url).toHaveAccessibleDescription(EN.urlInvalid);
    await expect(page.getByRole("main").getByRole("alert")).toContainText("Nothing was changed");
    // What was typed stays.
    await expect(page.getByLabel(EN.clusterName)).toHaveValue("Contoso intranet cluster");
    await page.getByLabel(EN.clusterUrl).fill(taken.toUpperCase());
    await page.getByRole("button", { name: EN.provisionButton, exact: true }).click();
    await expect(page.getByLabel(EN.clusterUrl)).toHaveAccessibleDescription(EN.urlTaken);
    await expect(page.getByLabel(EN.clusterName)).not.toHaveAttribute("aria-invalid", "true");
    await page.screenshot(shot("provision-refused"));
    await expectAccessible(page);

    const name = "Contoso intranet cluster";
    const clusterId = await provision(page, EN, { name, url: "https://intranet.contoso.example/_wmcs", db: "DRMS_Config_intranet" }, "en");
    const resources = page.getByRole("region", { name: "Cluster resources" });
    await expect(page.getByRole("status").filter({ hasText: "RMS was provisioned on Contoso Intranet" })).toBeVisible();
    await expect(resources).toContainText(EN.noSlc);
    await expect(resources.getByRole("button", { name: EN.enroll, exact: true })).toBeVisible();
    await expect(page.getByRole("region", { name: "Cluster information" })).toContainText("https://intranet.contoso.example/_wmcs");
    await page.screenshot(shot("administration-not-enrolled"));
    await expectAccessible(page);

    // Enroll, Online: the same dialog as renewal, named for the first certificate; the expiry date appears.
    await resources.getByRole("button", { name: EN.enroll, exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Enroll this cluster" });
    // Enrollment words throughout, not renewal's: a first certificate is enrolled, not renewed.
    await expect(dialog.getByRole("group", { name: "Enrollment method" })).toBeVisible();
    await expect(dialog.getByRole("radio", { name: "Online" })).toHaveAccessibleDescription(
      "Send a signed enrollment request to the enrollment service and install the certificate it returns.",
    );
    await expect(dialog.getByRole("heading", { name: "Online enrollment", includeHidden: true })).toBeAttached();
    await expect(dialog.getByRole("heading", { name: "Offline enrollment", includeHidden: true })).toBeAttached();
    await expect(dialog).not.toContainText(/renewal|Renew/);
    await dialog.getByRole("radio", { name: "Online" }).check();
    await dialog.getByRole("button", { name: EN.enroll, exact: true }).click();
    // Installed: the page behind re-renders for a cluster with an SLC, but the open dialog keeps its title until closed.
    await expect(dialog.getByText(/^The cluster is enrolled\. Its server licensor certificate expires on /)).toBeVisible({
      timeout: 30_000,
    });
    await expect(resources.getByRole("button", { name: "Renew", exact: true, includeHidden: true })).toBeAttached();
    await expect(dialog.getByRole("heading", { level: 2 })).toHaveText("Enroll this cluster");
    await page.screenshot(shot("enroll-dialog-online-success"));
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(resources).not.toContainText(EN.noSlc);
    await expect(resources.getByRole("button", { name: "Renew", exact: true })).toBeVisible();

    // Global Administration now offers Administer and Remove for it.
    await page.goto("/");
    await expect(siteRow(page, SITE).getByRole("link", { name: EN.administer })).toHaveAttribute("href", `/clusters/${clusterId}`);

    // Remove: a wrong name is refused next to the field; a second tab then finds it already removed.
    await siteRow(page, SITE).getByRole("link", { name: EN.remove }).click();
    await expect(page).toHaveTitle(`Remove RMS — ${SITE} — ${EN.product}`);
    await expect(page.getByRole("main")).toContainText("private key is destroyed");
    const stale = await context.newPage();
    await stale.goto(page.url());
    await page.getByLabel(EN.confirm).fill("contoso INTRANET cluster");
    await page.getByRole("button", { name: EN.removeButton, exact: true }).click();
    await expect(page.getByLabel(EN.confirm)).toHaveAccessibleDescription(new RegExp(`${EN.mismatch.source}.*Type ${name}`));
    await page.screenshot(shot("remove-refused"));
    await expectAccessible(page);
    await page.getByLabel(EN.confirm).fill(name);
    await page.screenshot(shot("remove-en"));
    await page.getByRole("button", { name: EN.removeButton, exact: true }).click();
    await expect(page).toHaveURL(`/?removed=${clusterId}`);
    await expect(page.getByRole("status").filter({ hasText: EN.removed })).toBeVisible();
    await expect(siteRow(page, SITE).getByRole("link", { name: EN.provision })).toBeVisible();
    await page.screenshot(shot("global-administration-removed"));

    await stale.getByLabel(EN.confirm).fill(name);
    await stale.getByRole("button", { name: EN.removeButton, exact: true }).click();
    await expect(stale.getByRole("main").getByRole("alert")).toContainText(EN.notProvisionedAnyMore);
    await stale.close();

    // The removed cluster's page: what happened, and its history and audit are still there.
    await page.goto(`/clusters/${clusterId}`);
    await expect(page.getByText("RMS was removed from this cluster's web site")).toBeVisible();
    await expect(page.getByRole("button", { name: EN.enroll, exact: true })).toHaveCount(0);
    await page.screenshot(shot("administration-removed"));
    await expectAccessible(page);
    await page.getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByRole("main")).toContainText("RMS removed from a web site");
    await expect(page.getByRole("main")).toContainText("RMS provisioned on a web site");
  });

  test("/admin shows Global Administration; the favicon is served", async ({ page, request }) => {
    await resumeSignIn(page, "admin");
    await page.goto("/admin");
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByRole("heading", { level: 1, name: "Global Administration" })).toBeVisible();
    const icon = await page.locator('head link[rel="icon"]').getAttribute("href");
    expect(icon).toMatch(/^\/icon\.svg/);
    const served = await request.get(icon ?? "");
    expect(served.status()).toBe(200);
    expect(served.headers()["content-type"]).toContain("image/svg+xml");
  });

  test("Swedish: provision and remove, labels and titles in Swedish, at 1280 and 390 px", async ({ page }) => {
    await resumeSignIn(page, "admin");
    await useSwedish(page);
    await expect(page).toHaveTitle(`Global administration — ${SV.product}`);
    await page.screenshot(shot("global-administration-sv"));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot(shot("global-administration-sv-390"));
    await page.setViewportSize({ width: 1280, height: 720 });

    // A refusal in Swedish, next to its field.
    await siteRow(page, SITE).getByRole("link", { name: SV.provision }).click();
    await page.getByLabel(SV.clusterName).fill("Intranätkluster");
    await page.getByLabel(SV.clusterUrl).fill("ftp://intranet.contoso.example/_wmcs");
    await page.getByLabel(SV.configDatabase).fill("DRMS_Config_intranat");
    await page.getByRole("button", { name: SV.provisionButton, exact: true }).click();
    await expect(page.getByLabel(SV.clusterUrl)).toHaveAccessibleDescription(SV.urlInvalid);

    const name = "Intranätkluster";
    await provision(page, SV, { name, url: "https://intranat.contoso.example/_wmcs", db: "DRMS_Config_intranat" }, "sv");
    const resources = page.getByRole("region", { name: "Klusterresurser" });
    await expect(resources).toContainText(SV.noSlc);
    await expect(resources.getByRole("button", { name: SV.enroll, exact: true })).toBeVisible();
    await page.screenshot(shot("administration-not-enrolled-sv"));
    // The Enroll dialog in Swedish: registrering throughout, not förnyelse.
    await resources.getByRole("button", { name: SV.enroll, exact: true }).click();
    const registrera = page.getByRole("dialog", { name: "Registrera klustret" });
    await expect(registrera.getByRole("group", { name: "Registreringsmetod" })).toBeVisible();
    await expect(registrera.getByRole("radio", { name: "Online" })).toHaveAccessibleDescription(
      "Skicka en signerad registreringsbegäran till registreringstjänsten och installera certifikatet som kommer tillbaka.",
    );
    await expect(registrera).not.toContainText(/förnye|Förny/i);
    await page.screenshot(shot("enroll-dialog-sv"));
    await registrera.getByRole("button", { name: "Stäng" }).click();

    await page.goto("/");
    await siteRow(page, SITE).getByRole("link", { name: SV.remove }).click();
    await expect(page).toHaveTitle(`Ta bort RMS — ${SITE} — ${SV.product}`);
    await page.getByLabel(SV.confirm).fill("fel namn");
    await page.getByRole("button", { name: SV.removeButton, exact: true }).click();
    await expect(page.getByLabel(SV.confirm)).toHaveAccessibleDescription(SV.mismatch);
    await page.screenshot(shot("remove-sv"));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot(shot("remove-sv-390"));
    await page.setViewportSize({ width: 1280, height: 720 });
    await remove(page, SV, name);
  });

  test("narrow screens: the provision and remove pages fit 390 px in English", async ({ page }) => {
    await resumeSignIn(page, "admin");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto("/");
    await page.screenshot(shot("global-administration-390"));
    await siteRow(page, SITE).getByRole("link", { name: EN.provision }).click();
    await expect(page.getByRole("heading", { level: 1, name: EN.provision })).toBeVisible();
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await fits()).toBe(true);
    await page.screenshot(shot("provision-390"));
    await page.goto("/");
    await siteRow(page, "Default Web Site").getByRole("link", { name: EN.remove }).click();
    await expect(page.getByRole("heading", { level: 1, name: EN.remove })).toBeVisible();
    expect(await fits()).toBe(true);
    await page.screenshot(shot("remove-390"));
  });
});

test.describe("Global Administration without JavaScript", () => {
  let noScript: BrowserContext;

  test.beforeEach(async ({ browser }) => {
    // The sign-in project's session (sign-in is not what this walkthrough is about).
    noScript = await browser.newContext({ javaScriptEnabled: false, storageState: savedSignInPath("admin") });
  });
  test.afterEach(async () => noScript.close());

  test("provision and remove work as native forms", async () => {
    const page = await noScript.newPage();
    await page.goto("/");
    await siteRow(page, SITE).getByRole("link", { name: EN.provision }).click();
    await page.getByLabel(EN.clusterName).fill("No-script cluster");
    await page.getByLabel(EN.clusterUrl).fill("https://noscript.contoso.example/_wmcs?x=1");
    await page.getByLabel(EN.configDatabase).fill("DRMS_Config_noscript");
    await page.getByRole("button", { name: EN.provisionButton, exact: true }).click();
    // The server renders the page again with the refusal next to the field and what was typed.
    await expect(page.getByLabel(EN.clusterUrl)).toHaveAccessibleDescription(EN.urlInvalid);
    await expect(page.getByLabel(EN.clusterName)).toHaveValue("No-script cluster");
    await page.getByLabel(EN.clusterUrl).fill("https://noscript.contoso.example/_wmcs");
    await page.getByRole("button", { name: EN.provisionButton, exact: true }).click();
    await expect(page).toHaveURL(/\/clusters\/[0-9a-f-]{36}\?provisioned=1$/);
    await expect(page.getByRole("region", { name: "Cluster resources" })).toContainText(EN.noSlc);

    await page.goto("/");
    await siteRow(page, SITE).getByRole("link", { name: EN.remove }).click();
    await page.getByLabel(EN.confirm).fill("wrong");
    await page.getByRole("button", { name: EN.removeButton, exact: true }).click();
    await expect(page.getByLabel(EN.confirm)).toHaveAccessibleDescription(EN.mismatch);
    await remove(page, EN, "No-script cluster");
  });

  test("first enrollment offline: EnrollRequest.xml, signed on the enrollment service's web site, imported and confirmed", async () => {
    const page = await noScript.newPage();
    const name = "No-script enrolled cluster";
    await page.goto("/");
    await siteRow(page, SITE).getByRole("link", { name: EN.provision }).click();
    await page.getByLabel(EN.clusterName).fill(name);
    await page.getByLabel(EN.clusterUrl).fill("https://enrolled.contoso.example/_wmcs");
    await page.getByLabel(EN.configDatabase).fill("DRMS_Config_enrolled");
    await page.getByRole("button", { name: EN.provisionButton, exact: true }).click();
    await expect(page).toHaveURL(/\/clusters\/[0-9a-f-]{36}\?provisioned=1$/);
    const clusterPage = page.url().replace(/\?.*$/, "");
    const resources = page.getByRole("region", { name: "Cluster resources" });

    // Enroll → Offline → Export: the browser downloads <servername>EnrollRequest.xml.
    await resources.getByRole("button", { name: EN.enroll, exact: true }).click();
    let dialog = page.getByRole("dialog", { name: "Enroll this cluster" });
    await dialog.getByRole("radio", { name: "Offline" }).check();
    const download = page.waitForEvent("download");
    await dialog.getByRole("button", { name: "Export" }).click();
    const request = await download;
    expect(request.suggestedFilename()).toMatch(/^[A-Za-z0-9._-]+EnrollRequest\.xml$/);
    const requestPath = test.info().outputPath("enroll-request.xml");
    await request.saveAs(requestPath);

    // The enrollment service's web site (policy open in this stack) signs it.
    const station = await noScript.newPage();
    await station.goto(readState().enrollmentUrl);
    await station.getByLabel("Request file").setInputFiles(requestPath);
    await station.getByRole("button", { name: "Submit" }).click();
    await expect(station.getByRole("heading", { level: 1, name: "Certificate issued" })).toBeVisible();
    const slcDownload = station.waitForEvent("download");
    await station.getByRole("link", { name: "Download certificate" }).click();
    const slcPath = test.info().outputPath("slc.xml");
    await (await slcDownload).saveAs(slcPath);
    await station.close();

    // Enroll → Browse → Import → Yes: the cluster has its first certificate.
    await page.goto(clusterPage);
    await expect(resources.getByRole("region", { name: "Pending enrollment request" })).toBeVisible();
    await resources.getByRole("button", { name: EN.enroll, exact: true }).click();
    dialog = page.getByRole("dialog", { name: "Enroll this cluster" });
    await expect(dialog.getByRole("radio", { name: "Offline" })).toBeChecked();
    await expect(dialog.getByRole("navigation", { name: "Offline enrollment steps" })).toBeVisible();
    await expect(dialog.getByText(/An enrollment request \(.*EnrollRequest\.xml\) is pending\./)).toBeVisible();
    await expect(dialog).not.toContainText(/renewal/);
    await dialog.getByLabel("Browse").setInputFiles(slcPath);
    await dialog.getByRole("button", { name: "Import" }).click();
    await expect(dialog.getByRole("heading", { name: "Install this certificate?" })).toBeFocused();
    // A first enrollment replaces nothing: no current certificate to keep active, no empty box for it.
    await expect(dialog).toContainText("install it as this cluster's first certificate");
    await expect(dialog).not.toContainText("stays active");
    await expect(dialog.getByTestId("current-certificate")).toHaveCount(0);
    await dialog.getByRole("button", { name: "Yes", exact: true }).click();
    await expect(
      page.getByRole("dialog").getByText(/^The cluster is enrolled\. Its server licensor certificate expires on /),
    ).toBeVisible();
    await expect(resources).not.toContainText(EN.noSlc);
    await page.screenshot(shot("no-js-enrolled"));

    await remove(page, EN, name);
  });
});
