// The readable audit log and the certificate itself, as an administrator meets them: events told as sentences in the
// chosen language with the raw detail behind a disclosure, filters that live in the URL (forged values ignored and
// named), the cluster-scoped view, the filtered CSV download; History with times, each SLC's detail page and its
// downloads; and the refusals (unknown certificate 404, non-administrator 403, no session → sign-in).
import { createHash, randomUUID, X509Certificate } from "node:crypto";
import fs from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { type BrowserContext, expect, type Page, test } from "@playwright/test";
import { localServerName } from "@/lib/platform/server-identity";
import { resumeSignIn, shot, signIn } from "./support/session";

// alice is a local account: shown as Windows shows one, MACHINE\\alice (this host's name, not RMS_DOMAIN).
const ALICE = `${localServerName()}\\alice`;

/** The cluster's Administration page, by the address of Global Administration's link (no click racing hydration). */
async function openAdministration(page: Page): Promise<void> {
  await page.goto("/");
  const href = await page.getByRole("link", { name: "Administer RMS on this Web site" }).first().getAttribute("href");
  await page.goto(href ?? "/");
  await expect(page).toHaveURL(/\/clusters\/[0-9a-f-]{36}$/);
}

async function swedish(context: BrowserContext, page: Page): Promise<void> {
  const url = new URL(page.url());
  await context.addCookies([{ name: "rms_locale", value: "sv", domain: url.hostname, path: "/" }]);
}

/** RFC 4180 records of a CSV body (every cell quoted, as the export writes them). */
function csvRecords(body: string): string[][] {
  const records: string[][] = [];
  const re = /"((?:[^"]|"")*)"(,|\r\n)/g;
  let record: string[] = [];
  for (const match of body.replace(/^\uFEFF/, "").matchAll(re)) {
    record.push((match[1] ?? "").replaceAll('""', '"'));
    if (match[2] === "\r\n") {
      records.push(record);
      record = [];
    }
  }
  return records;
}

test.describe("readable audit log", () => {
  test("events read as sentences, filters live in the URL, and the cluster view says it is scoped", async ({ page }) => {
    // Through the form, not the saved session: this sign-in is the newest one the log shows below.
    await signIn(page, "admin");
    await openAdministration(page);
    await page.getByRole("region", { name: "Administration links" }).getByRole("link", { name: "Audit log" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
    const scope = page.getByRole("status").filter({ hasText: "Only events for the cluster" });
    await expect(scope).toBeVisible();
    await expect(page).toHaveURL(/cluster=[0-9a-f-]{36}/);

    // The first start enrolled the cluster: told as a sentence, by the system, the raw detail one click away. After the
    // earlier walkthroughs that event may be pages back, so the action filter finds it.
    const scopedUrl = page.url();
    await page.goto(`${scopedUrl}&action=enroll_succeeded`);
    const enrolled = page.locator('tr[data-action="enroll_succeeded"]').first();
    await expect(enrolled).toContainText("Enrolled the cluster; its server licensor certificate is valid until");
    await expect(enrolled).toContainText("System (first start)");
    await expect(enrolled.getByText(/"fingerprint":/)).toBeHidden();
    await enrolled.getByText("Raw details").click();
    await expect(enrolled.getByText(/"fingerprint":"[0-9A-F:]+"/)).toBeVisible();
    await page.screenshot(shot("audit-cluster"));
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

    await page.goto(scopedUrl);
    await scope.getByRole("link", { name: "Show events for all clusters" }).click();
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByText("Only events for the cluster")).toHaveCount(0);
    // Sign-ins name the person the way every other row does: DOMAIN\user.
    await expect(page.locator('tr[data-action="sign_in"]').first()).toContainText(/\\alice/);
    // The actor filter finds what the page shows, however the row stored the name (sign-ins once stored a bare "alice").
    await page.goto(`/audit?${new URLSearchParams({ action: "sign_in", actor: ALICE })}`);
    await expect(page.locator('tr[data-action="sign_in"]').first()).toContainText(ALICE);
    await page.goto(`/audit?${new URLSearchParams({ actor: "System (first start)" })}`);
    await expect(page.locator('tr[data-action="enroll_succeeded"]').first()).toContainText("System (first start)");
    await page.goto("/audit");

    // Filters: a plain GET form; the URL carries them and the form keeps them.
    await page.getByLabel("Action").selectOption({ label: "Sign in" });
    await page.getByLabel("Outcome").selectOption({ label: "Succeeded" });
    await page.getByLabel("Who (part of the name)").fill("ALI");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/action=sign_in/);
    await expect(page).toHaveURL(/outcome=success/);
    const rows = page.locator("tbody tr");
    expect(await rows.count()).toBeGreaterThan(0);
    for (const action of await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-action")))) expect(action).toBe("sign_in");
    await expect(page.getByLabel("Action")).toHaveValue("sign_in");
    await expect(page.getByLabel("Who (part of the name)")).toHaveValue("ALI");
    await expect(page.getByText(/\d+ events? match/)).toBeVisible();
    await page.screenshot(shot("audit-filtered"));
    await page.getByRole("link", { name: "Clear filters" }).click();
    await expect(page).toHaveURL(/\/audit$/);
  });

  test("at 390 px the filters fold away until needed and say which are set; wide screens always show them", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await resumeSignIn(page, "admin");
    await page.goto("/audit");
    const filters = page.locator("summary", { hasText: "Filter the log" });
    await expect(filters).toContainText("None set: every event is shown.");
    await expect(page.getByLabel("Action")).toBeHidden();
    // The first event is on the first screen, not below a form.
    await expect(page.locator("tbody tr").first()).toBeInViewport();
    await page.screenshot(shot("audit-390-filters-closed"));
    await filters.click();
    await page.getByLabel("Action").selectOption({ label: "Sign in" });
    await page.getByLabel("Who (part of the name)").fill(ALICE.slice(0, -2).toLowerCase());
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect(page).toHaveURL(/action=sign_in/);
    // A filter is set: the form stays open, and its summary names what is set.
    await expect(page.getByLabel("Action")).toBeVisible();
    await expect(filters).toContainText(`Active: Action: Sign in · Who (part of the name): ${ALICE.slice(0, -2).toLowerCase()}`);
    await expect(page.locator("tbody tr").first()).toContainText(ALICE);
    await page.screenshot(shot("audit-390-filters-open"));
    // Each event takes a few lines: time, who, action, outcome and address flow together above the sentence.
    const row = await page.locator("tbody tr").first().boundingBox();
    expect(row?.height).toBeLessThan(110);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/audit");
    await expect(filters).toBeHidden();
    await expect(page.getByLabel("Action")).toBeVisible();
  });

  test("forged filter values are ignored and named, never an error", async ({ page }) => {
    await resumeSignIn(page, "admin");
    const forged = new URLSearchParams({
      action: "sign_in' OR '1'='1",
      outcome: "maybe",
      cluster: "1; DELETE FROM audit_events",
      from: "2026-02-31",
      to: "not-a-date",
      actor: "x".repeat(5000),
    });
    const response = await page.goto(`/audit?${forged}`);
    expect(response?.status()).toBe(200);
    await expect(page.getByRole("alert").filter({ hasText: "were ignored" })).toContainText(
      "were ignored: Action, Outcome, Who (part of the name), Cluster, From (date), To (date, inclusive)",
    );
    // Nothing was narrowed (every event is listed) and nothing was deleted.
    await expect(page.locator("tbody tr").first()).toBeVisible();

    // SQL in a valid-looking actor is just text that matches nobody.
    const sqlish = await page.goto(`/audit?${new URLSearchParams({ actor: "' OR 1=1 --" })}`);
    expect(sqlish?.status()).toBe(200);
    await expect(page.getByText("No events match.")).toBeVisible();
    // A page far past the end is empty, not an error.
    expect((await page.goto("/audit?page=999999"))?.status()).toBe(200);
    expect((await page.goto("/audit?page=-1&page=x"))?.status()).toBe(200);
  });

  test("the CSV download holds the filtered log; forged filters and strangers are refused", async ({ page, browser }) => {
    await resumeSignIn(page, "admin");
    await page.goto("/audit?action=sign_in");
    const downloadPromise = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download as CSV" }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const body = fs.readFileSync(await download.path(), "utf8");
    const records = csvRecords(body);
    expect(records[0]).toEqual(["Time", "Who", "From", "Action", "Outcome", "Cluster", "Cluster GUID", "What happened", "Raw details"]);
    expect(records.length).toBeGreaterThan(1);
    for (const record of records.slice(1)) expect(record[3]).toBe("Sign in");

    const response = await page.request.get("/audit/export?action=sign_in");
    expect(response.headers()["content-type"]).toContain("text/csv");
    expect(response.headers()["content-disposition"]).toMatch(/^attachment; filename="audit-log-/);
    const refused = await page.request.get("/audit/export?from=2026-13-45");
    expect(refused.status()).toBe(400);
    expect(await refused.text()).toContain("From (date)");

    // No session: to sign-in. A non-administrator: 403.
    const anonymous = await browser.newContext();
    const anon = await anonymous.request.get("/audit/export", { maxRedirects: 0 });
    expect([303, 307, 308]).toContain(anon.status());
    expect(anon.headers().location).toContain("/sign-in");
    await anonymous.close();
    const strangerContext = await browser.newContext();
    const stranger = await strangerContext.newPage();
    await resumeSignIn(stranger, "user");
    expect((await stranger.request.get("/audit/export")).status()).toBe(403);
    await strangerContext.close();
  });

  test("in Swedish the sentences and the form are Swedish", async ({ page, context }) => {
    await resumeSignIn(page, "admin");
    await swedish(context, page);
    await page.goto("/audit?action=enroll_succeeded");
    await expect(page.getByRole("heading", { level: 1, name: "Granskningslogg" })).toBeVisible();
    await expect(page.locator('tr[data-action="enroll_succeeded"]').first()).toContainText(
      "Registrerade klustret; dess serverlicensieringscertifikat gäller till",
    );
    await expect(page.locator('tr[data-action="enroll_succeeded"]').first()).toContainText("System (första start)");
    await expect(page.getByRole("button", { name: "Filtrera" })).toBeVisible();
    await page.screenshot(shot("audit-sv"));
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot(shot("audit-sv-390"));
  });
});

test.describe("history and the certificate itself", () => {
  test("History shows times and opens each certificate; Download certificate gives the file as installed", async ({ page }) => {
    await resumeSignIn(page, "admin");
    await openAdministration(page);
    const clusterUrl = page.url();
    await page
      .getByRole("region", { name: "Administration links" })
      .getByRole("link", { name: "Server licensor certificate history" })
      .click();
    await expect(page.getByRole("heading", { level: 1, name: "Server licensor certificate history" })).toBeVisible();
    const active = page.locator('tr[data-active="true"]');
    // Date and time with the zone stated, for validity and installation.
    await expect(active).toContainText(/\d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC – \d{1,2} \w+ \d{4} at \d{2}:\d{2} UTC/);
    await page.screenshot(shot("history"));
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

    await active.getByRole("link").first().click();
    await expect(page.getByRole("heading", { level: 1, name: "Server licensor certificate" })).toBeVisible();
    const identity = page.getByRole("region", { name: "Identity" });
    for (const label of ["SLC serial number", "SLC fingerprint (SHA-256)", "Public key fingerprint (SHA-256)", "Request ID", "Issuer"]) {
      await expect(identity.getByText(label, { exact: true })).toBeVisible();
    }
    // The issuer reads once ("… Enrollment Service"), not "… Enrollment Service Enrollment Service".
    const issuer =
      (await identity
        .locator("dt", { hasText: /^Issuer$/ })
        .locator("xpath=following-sibling::dd[1]")
        .textContent()) ?? "";
    expect(issuer.trim()).toMatch(/\S/);
    expect(issuer).not.toMatch(/\b(\w+ \w+)\s+\1\b/);
    await expect(page.getByRole("region", { name: "Installation" })).toContainText("System (first start)");
    await expect(page.getByRole("region", { name: "Checks at import" })).toContainText("Trusted issuer");
    await page.screenshot(shot("certificate"));
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

    const fingerprint = (
      await identity
        .getByText(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/)
        .first()
        .textContent()
    )?.trim();
    const downloadPromise = page.waitForEvent("download");
    await page.getByRole("link", { name: "Download certificate" }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(/ServerLicensorCertificate\.xml$/);
    const file = fs.readFileSync(await download.path());
    const digest = (createHash("sha256").update(file).digest("hex").toUpperCase().match(/../g) ?? []).join(":");
    expect(digest).toBe(fingerprint);

    const chain = await page.request.get(`${page.url()}/chain`);
    expect(chain.status()).toBe(200);
    const pems = (await chain.text()).match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(pems.length).toBeGreaterThan(0);
    for (const pem of pems) expect(() => new X509Certificate(pem)).not.toThrow();

    // Cluster resources links the current certificate too.
    await page.goto(clusterUrl);
    await page.getByRole("region", { name: "Cluster resources" }).getByRole("link", { name: "Certificate details" }).click();
    await expect(page).toHaveURL(/\/certificates\/[0-9a-f-]{36}$/);
    await expect(page.getByRole("heading", { level: 1, name: "Server licensor certificate" })).toBeVisible();
  });

  test("a certificate that does not exist, or not in this cluster, is Not found; strangers are refused", async ({ page, browser }) => {
    await resumeSignIn(page, "admin");
    await openAdministration(page);
    const clusterPath = new URL(page.url()).pathname;
    await page.getByRole("region", { name: "Cluster resources" }).getByRole("link", { name: "Certificate details" }).click();
    await expect(page).toHaveURL(/\/certificates\/[0-9a-f-]{36}$/);
    const certificatePath = new URL(page.url()).pathname;
    const certificateId = certificatePath.split("/").at(-1) ?? "";

    for (const path of [
      `${clusterPath}/certificates/${randomUUID()}`,
      `${clusterPath}/certificates/not-a-uuid`,
      `/clusters/${randomUUID()}/certificates/${certificateId}`,
    ]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(404);
      await expect(page.getByRole("heading", { name: "Not found" })).toBeVisible();
      expect((await page.request.get(`${path}/download`)).status(), `${path}/download`).toBe(404);
    }

    const strangerContext = await browser.newContext();
    const stranger = await strangerContext.newPage();
    await resumeSignIn(stranger, "user");
    expect((await stranger.request.get(`${certificatePath}/download`)).status()).toBe(403);
    expect((await stranger.request.get(`${certificatePath}/chain`)).status()).toBe(403);
    expect((await stranger.goto(certificatePath))?.status()).toBe(403);
    await strangerContext.close();
    const anonymous = await browser.newContext();
    const anon = await anonymous.request.get(`${certificatePath}/download`, { maxRedirects: 0 });
    expect(anon.headers().location).toContain("/sign-in");
    await anonymous.close();
  });

  test("screenshots: history and certificate at 1280 and 390 px, English and Swedish", async ({ page, context }) => {
    await resumeSignIn(page, "admin");
    await openAdministration(page);
    const clusterPath = new URL(page.url()).pathname;
    await page.getByRole("region", { name: "Cluster resources" }).getByRole("link", { name: "Certificate details" }).click();
    await expect(page).toHaveURL(/\/certificates\/[0-9a-f-]{36}$/);
    const certificatePath = new URL(page.url()).pathname;
    for (const language of ["en", "sv"] as const) {
      if (language === "sv") await swedish(context, page);
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 900 });
        for (const [name, path] of [
          ["history", `${clusterPath}/history`],
          ["certificate", certificatePath],
          ["audit", "/audit"],
        ] as const) {
          await page.goto(path);
          await page.screenshot(shot(`${name}-${language}-${width}`));
        }
      }
    }
  });
});
