// The console behind Debian's nginx with TLS, configured as the README's "Behind a reverse proxy" block, once for each
// of the stock Host lines ($host, $host:$server_port, $http_host): sign-in, an online renewal, an offline Export and
// Import and sign-out in Chromium at https://rms.test:<port> (a port that is not the console's, so Origin and Host
// differ for real), with __Host- Secure cookies, HSTS and the browser's address in the audit log; a forged Host gets
// 421, a cross-site post is refused with what to check and one log line, and the framework never fetched itself over
// https. The stack's console has RMS_PUBLIC_URL=https://rms.test:<port> and trusts nginx's address (127.0.0.2) only.
import { createHash, X509Certificate } from "node:crypto";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import { localServerName } from "@/lib/platform/server-identity";
import { E2E_PORTS, E2E_PROXY_ADDRESS, E2E_PUBLIC_NAME, E2E_PUBLIC_URL } from "../tests/support/e2e-state";
import { type RunningNginx, startNginx } from "../tests/support/nginx";
import { createTestTlsPki, type TestTlsPki } from "../tests/support/tls";
import { clusterResources, confirmIfAsked, expiration, openAdministration, openRenew } from "./support/console";
import { test as base, expect, type Page } from "./support/fixtures";
import { signIn, signOut } from "./support/session";
import { readState } from "./support/stack";

// alice is a local account: shown as Windows shows one, MACHINE\\alice (this host's name, not RMS_DOMAIN).
const ALICE = `${localServerName()}\\alice`;

const spki = (pem: string) =>
  createHash("sha256")
    .update(new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" }))
    .digest("base64");

// nginx's certificate comes from a test CA made for this worker; Chromium accepts exactly its keys (never any
// certificate) and resolves the public name to this machine.
const test = base.extend<object, { proxyPki: TestTlsPki }>({
  proxyPki: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this destructuring.
    async ({}, use) => use(await createTestTlsPki({ label: "Reverse proxy", hosts: [E2E_PUBLIC_NAME] })),
    { scope: "worker" },
  ],
  launchOptions: [
    async ({ launchOptions, proxyPki }, use) => {
      const args = (launchOptions.args ?? []).map((arg) =>
        arg.startsWith("--ignore-certificate-errors-spki-list=")
          ? `${arg},${spki(proxyPki.serverCertPem)},${spki(proxyPki.intermediatePem)}`
          : arg,
      );
      await use({ ...launchOptions, args: [...args, `--host-resolver-rules=MAP ${E2E_PUBLIC_NAME} 127.0.0.1`] });
    },
    { scope: "worker" },
  ],
});

test.use({ baseURL: E2E_PUBLIC_URL });

const artifacts = path.join("test-results", "reverse-proxy");
const consoleLog = () => path.join(readState().dataDir, "console.log");
let logStart = 0;

test.beforeAll(() => {
  fs.mkdirSync(artifacts, { recursive: true });
  logStart = fs.statSync(consoleLog()).size;
});

/** What the console logged since this file's tests began. */
function consoleLogSinceStart(): string {
  const fd = fs.openSync(consoleLog(), "r");
  try {
    const size = fs.fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.max(0, size - logStart));
    fs.readSync(fd, buffer, 0, buffer.length, logStart);
    return buffer.toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** A request to nginx as a non-browser client would send it: any Host and headers, TLS verified against the test CA. */
function throughNginx(
  pki: TestTlsPki,
  opts: { method?: string; path?: string; host: string; headers?: Record<string, string>; body?: Buffer | string },
): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: "127.0.0.1",
        port: E2E_PORTS.proxy,
        servername: E2E_PUBLIC_NAME,
        ca: pki.rootPem,
        method: opts.method ?? "GET",
        path: opts.path ?? "/sign-in",
        headers: { host: opts.host, ...opts.headers },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers["content-type"] ?? "",
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    request.on("error", reject);
    request.end(opts.body);
  });
}

async function offlineRenewal(page: Page, saveAs: string): Promise<void> {
  let dialog = await openRenew(page);
  await dialog.getByRole("radio", { name: "Offline" }).check();
  const download = page.waitForEvent("download");
  await dialog.getByRole("button", { name: "Export" }).click();
  await (await download).saveAs(`${saveAs}-request.xml`);
  await expect(dialog.getByRole("status").filter({ hasText: "was exported" })).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();

  const station = await page.context().newPage();
  await station.goto(readState().enrollmentUrl);
  await station.getByLabel("Request file").setInputFiles(`${saveAs}-request.xml`);
  await station.getByRole("button", { name: "Submit" }).click();
  await expect(station.getByRole("heading", { level: 1, name: "Certificate issued" })).toBeVisible();
  const slc = station.waitForEvent("download");
  await station.getByRole("link", { name: "Download certificate" }).click();
  await (await slc).saveAs(`${saveAs}-slc.xml`);
  await station.close();

  const before = await expiration(page);
  dialog = await openRenew(page);
  await dialog.getByLabel("Browse").setInputFiles(`${saveAs}-slc.xml`);
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(dialog.getByRole("heading", { name: "Install this certificate?" })).toBeFocused();
  await dialog.getByRole("button", { name: "Yes" }).click();
  await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();
  await expect.poll(() => expiration(page)).toBeGreaterThan(before);
}

const VARIANTS = ["$host", "$host:$server_port", "$http_host"] as const;

for (const host of VARIANTS) {
  test.describe(`nginx with proxy_set_header Host ${host}`, () => {
    let nginx: RunningNginx;
    test.beforeAll(async ({ proxyPki }) => {
      nginx = await startNginx({
        port: E2E_PORTS.proxy,
        serverName: E2E_PUBLIC_NAME,
        upstreamPort: E2E_PORTS.console,
        host,
        bindAddress: E2E_PROXY_ADDRESS,
        pki: proxyPki,
      });
    });
    test.afterAll(() => nginx.stop());

    test("sign-in, online renewal, offline Export + Import and sign-out through the proxy", async ({ page, context }) => {
      // Three renewals' worth of steps in one test.
      test.setTimeout(120_000);
      const since = new Date().toISOString();
      const first = await page.goto("/sign-in");
      expect(first?.headers()["strict-transport-security"]).toBe("max-age=31536000");
      const requests: string[] = [];
      page.on("request", (request) => requests.push(`${request.method()} ${new URL(request.url()).pathname}`));
      await signIn(page, "admin");
      expect(page.url().startsWith(`${E2E_PUBLIC_URL}/`)).toBe(true);
      // The framework rendered the page after sign-in with the new session itself (fetched from its own port):
      // the browser was not bounced back through sign-in.
      expect(requests.slice(requests.lastIndexOf("POST /sign-in") + 1)).not.toContain("GET /sign-in");
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name.endsWith("rms_session"));
      expect(session).toMatchObject({ name: "__Host-rms_session", secure: true, path: "/", domain: E2E_PUBLIC_NAME });

      await openAdministration(page);
      const before = await expiration(page);
      const dialog = await openRenew(page);
      await dialog.getByRole("radio", { name: "Online" }).check();
      const replace = dialog.getByRole("checkbox", { name: /Replace the pending offline request/ });
      if (await replace.isVisible()) await replace.check();
      await dialog.getByRole("button", { name: "Renew", exact: true }).click();
      await confirmIfAsked(dialog);
      await expect(dialog.getByRole("status").filter({ hasText: "was renewed" })).toBeVisible({ timeout: 30_000 });
      await dialog.getByRole("button", { name: "Close" }).click();
      await expect.poll(() => expiration(page)).toBeGreaterThan(before);
      await expect(clusterResources(page)).toBeVisible();

      await offlineRenewal(page, path.join(artifacts, host.replace(/[^a-z_]+/g, "-")));

      // The audit log names the browser's address (X-Forwarded-For from the trusted proxy), never the proxy's.
      // Fetched by the page: the public name resolves in Chromium only.
      const csv = await page.evaluate(() => fetch("/audit/export").then((response) => response.text()));
      const mine = csv.split("\n").filter((line) => line.replace(/^"/, "").slice(0, 24) >= since && line.includes(ALICE));
      expect(mine.length).toBeGreaterThanOrEqual(3);
      for (const line of mine) expect(line).toMatch(/,"?127\.0\.0\.1"?,/);
      expect(csv).not.toContain(E2E_PROXY_ADDRESS);

      await signOut(page);
      expect(page.url()).toBe(`${E2E_PUBLIC_URL}/sign-in`);
    });
  });
}

test.describe("nginx with proxy_set_header Host $http_host: what is refused", () => {
  let nginx: RunningNginx;
  test.beforeAll(async ({ proxyPki }) => {
    nginx = await startNginx({
      port: E2E_PORTS.proxy,
      serverName: E2E_PUBLIC_NAME,
      upstreamPort: E2E_PORTS.console,
      host: "$http_host",
      bindAddress: E2E_PROXY_ADDRESS,
      pki: proxyPki,
    });
  });
  test.afterAll(() => nginx.stop());

  test("a forged Host gets 421, a cross-site post 403 with what to check and one log line; no self-fetch over https", async ({
    proxyPki,
  }) => {
    expect((await throughNginx(proxyPki, { host: `${E2E_PUBLIC_NAME}:${E2E_PORTS.proxy}` })).status).toBe(200);
    const forged = await throughNginx(proxyPki, { host: `rebind.attacker.example:${E2E_PORTS.proxy}` });
    expect(forged.status).toBe(421);
    expect(forged.text).toMatch(/^Misdirected Request/);

    const crossSite = await throughNginx(proxyPki, {
      method: "POST",
      host: `${E2E_PUBLIC_NAME}:${E2E_PORTS.proxy}`,
      headers: { origin: "https://evil.example", "content-type": "application/x-www-form-urlencoded" },
      body: "x=1",
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.text).toContain("RMS_PUBLIC_URL");
    expect(crossSite.text).toContain(`(${E2E_PUBLIC_URL})`);

    const log = consoleLogSinceStart();
    const refusals = log
      .split("\n")
      .filter((line) => line.includes('"source":"same-origin"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(refusals).toEqual([
      expect.objectContaining({
        message: "cross-site request refused",
        origin: "https://evil.example",
        host: `${E2E_PUBLIC_NAME}:${E2E_PORTS.proxy}`,
        path: "/sign-in",
        client: "127.0.0.1",
      }),
    ]);
    // Every sign-in and sign-out above redirected; none made the framework fetch its own port over https.
    // (The page's own refusal, below, adds one more same-origin line: read the log first.)
    expect(log).not.toContain("failed to get redirect response");
    expect(log).not.toContain("Invalid Server Actions request");
  });

  test("a server action the console refuses as cross-site says what to check, not that something went wrong", async ({
    page,
    proxyPki,
  }) => {
    await signIn(page, "admin");
    // As if the proxy lost the browser's origin: the page's next action is sent on, through nginx, with another Origin
    // (Chromium does not let a test change Origin), and the console's answer goes back to the page.
    await page.route(
      (url) => url.pathname === "/",
      async (route) => {
        const request = route.request();
        if (request.method() !== "POST") return route.fallback();
        const headers = Object.fromEntries(
          Object.entries(await request.allHeaders()).filter(
            ([name]) => !name.startsWith(":") && name !== "host" && name !== "content-length",
          ),
        );
        const reply = await throughNginx(proxyPki, {
          method: "POST",
          path: "/",
          host: `${E2E_PUBLIC_NAME}:${E2E_PORTS.proxy}`,
          headers: { ...headers, origin: "https://proxy.misconfigured.example" },
          body: request.postDataBuffer() ?? undefined,
        });
        expect(reply.status).toBe(403);
        await route.fulfill({ status: reply.status, headers: { "content-type": reply.contentType }, body: reply.text });
      },
    );
    await page.goto("/");
    await page.getByRole("button", { name: "Sign out" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "the address in your browser is not the console's address" });
    await expect(alert).toBeVisible();
    await expect(alert).toContainText("RMS_PUBLIC_URL");
    await expect(alert).not.toContainText("Something went wrong");
    await page.screenshot({ path: "artifacts/screenshots/cross-site-refused.png", fullPage: true });
  });
});
