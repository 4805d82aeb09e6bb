// Online renewal through a real forward proxy (Debian's squid, started here), set on the RMS proxy settings or by
// HTTPS_PROXY. Direct access is blocked honestly: the service is addressed as enrollment.rms-proxy.test, a name only the
// proxy's hosts file resolves (the reserved .test domain resolves nowhere else), so a renewal that succeeds went through
// the proxy — its access log shows the CONNECT, and TLS to the service is still verified against the trust anchors.
// Each proxy failure has its own outcome (unreachable, 407, CONNECT refused, tunnel timeout) and changes nothing.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { type ClusterCommandIo, renewOnlineCommand } from "@/lib/console/cli/cluster-commands";
import { type Env, loadEnv } from "@/lib/console/env";
import { deliverWebhook } from "@/lib/console/notifications/webhook";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { effectiveProxyPolicy, type ProxySettingsInput, saveProxySettings, storedProxyPassword } from "@/lib/console/proxy/settings";
import { consoleKeyEncryptionKey } from "@/lib/console/renewal/cluster-keys";
import { englishFailureMessage } from "@/lib/console/renewal/failure-messages";
import { renewOnline } from "@/lib/console/renewal/online";
import { renewalContextFrom } from "@/lib/console/renewal/settings-context";
import type { EnrollmentService } from "@/lib/enrollment/server";
import { certificates, clusters } from "@/lib/platform/db/schema";
import type { TestDatabase } from "../support/databases";
import { describeOnEachDatabase } from "../support/db-test";
import { startTestEnrollment, testRenewalContext } from "../support/enrollment";
import { freePort } from "../support/processes";
import { type RunningSquid, startSquid } from "../support/squid";
import { createTestTlsPki } from "../support/tls";

const PROXY_ONLY_HOST = "enrollment.rms-proxy.test";
const USER = "rms-proxy";
const PASSWORD = "correct horse battery";
const actor = { name: "RMS\\alice", remoteAddress: "127.0.0.1" };
const by = { actor: actor.name, remoteAddress: actor.remoteAddress, now: new Date() };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-forward-proxy-"));
let enrollment: EnrollmentService;
let root: string;
let squid: RunningSquid;
let servicePort: number;
/** Accepts connections and never answers: a proxy whose CONNECT times out. */
let silent: net.Server;
const held: net.Socket[] = [];

const settings = (overrides: Partial<ProxySettingsInput>): ProxySettingsInput => ({
  enabled: true,
  address: "127.0.0.1",
  port: squid.openPort,
  bypassLocal: false,
  bypass: [],
  authRequired: false,
  authScheme: "basic",
  ...overrides,
});

beforeAll(async () => {
  servicePort = await freePort();
  ({ service: enrollment, root } = await startTestEnrollment(path.join(tmp, "enrollment"), {
    port: servicePort,
    tlsNames: [PROXY_ONLY_HOST],
    allowedHosts: [`${PROXY_ONLY_HOST}:${servicePort}`],
  }));
  squid = await startSquid({ hosts: { [PROXY_ONLY_HOST]: "127.0.0.1" }, connectPorts: [servicePort], user: USER, password: PASSWORD });
  silent = net.createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  fs.writeFileSync(path.join(tmp, "anchors.pem"), root);
}, 60_000);

afterAll(async () => {
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
  await squid.stop();
  await enrollment.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describeOnEachDatabase("online renewal through squid", ({ kind, sharedDatabase }) => {
  let handle: TestDatabase;
  let clusterId: string;
  let clusterGuid: string;
  const consoleDir = path.join(tmp, `console-${kind}`);

  /** The console's and the CLI's configuration, as lib/console/env.ts validates it. */
  function config(extra: Record<string, string> = {}, url = `https://${PROXY_ONLY_HOST}:${servicePort}`): Env {
    const loaded = loadEnv({
      RMS_DATA_DIR: consoleDir,
      RMS_ENROLLMENT_URL: url,
      RMS_TRUST_ANCHORS: path.join(tmp, "anchors.pem"),
      ...extra,
    });
    if (!loaded.ok) throw new Error(loaded.message);
    return loaded.env;
  }
  const context = (env: Env = config()) => renewalContextFrom(env, handle.db);
  const kek = () => consoleKeyEncryptionKey({ dataDir: consoleDir });

  async function installedCount() {
    return (await handle.db.select().from(certificates).where(eq(certificates.clusterId, clusterId))).length;
  }

  beforeAll(async () => {
    handle = await sharedDatabase();
    fs.mkdirSync(consoleDir, { recursive: true });
    // Enrolled directly at 127.0.0.1 (the service's loopback name), before any proxy is set.
    const direct = testRenewalContext(handle.db, { consoleDir, trustAnchors: [root], enrollmentUrl: enrollment.url });
    const provisioned = await provisionFirstRun(direct, { serverName: `PROXY-${kind}`, validityDays: DEMO_SLC_VALIDITY_DAYS });
    if (!provisioned.ok) throw new Error(`first run failed: ${provisioned.code}`);
    const [cluster] = await handle.db.select().from(clusters);
    if (!cluster) throw new Error("no cluster");
    clusterId = cluster.id;
    clusterGuid = cluster.guid;
  }, 60_000);

  it("cannot reach the service directly: its name resolves only at the proxy", async () => {
    const before = await installedCount();
    const result = await renewOnline(context(), { clusterId, actor });
    expect(result).toMatchObject({ ok: false, code: "unreachable", detail: "ENOTFOUND" });
    expect(await installedCount()).toBe(before);
  });

  it("renews through the proxy set on the page, without authentication; squid logs the CONNECT", async () => {
    const saved = await saveProxySettings(handle.db, kek, settings({}), by);
    expect(saved).toMatchObject({ ok: true, changed: ["enabled", "address", "port"] });
    const before = await installedCount();
    const result = await renewOnline(context(), { clusterId, actor });
    expect(result).toMatchObject({ ok: true });
    expect(await installedCount()).toBe(before + 1);
    expect(squid.accessLog()).toContain(`CONNECT ${PROXY_ONLY_HOST}:${servicePort}`);
  });

  it("renews with Basic authentication from the CLI's context; the password is stored encrypted", async () => {
    const saved = await saveProxySettings(
      handle.db,
      kek,
      settings({ port: squid.basicPort, authRequired: true, user: USER, password: PASSWORD, confirmPassword: PASSWORD }),
      by,
    );
    expect(saved).toMatchObject({ ok: true, changed: ["port", "authScheme", "userName", "password"] });
    const envelope = await storedProxyPassword(handle.db);
    expect(envelope).toBeTruthy();
    expect(envelope).not.toContain(PASSWORD);
    expect(envelope).not.toContain(Buffer.from(PASSWORD).toString("base64"));
    const out: string[] = [];
    const io: ClusterCommandIo = {
      stdout: (text) => out.push(text),
      stderr: (text) => out.push(text),
      readFile: async () => new Uint8Array(),
      writeFile: async () => undefined,
      confirm: async () => null,
    };
    const before = await installedCount();
    expect(await renewOnlineCommand(context(), clusterGuid, { name: "cli:operator", remoteAddress: null }, io), out.join("\n")).toBe(0);
    expect(await installedCount()).toBe(before + 1);
  });

  it("fails with 407 on a wrong password, says so, and changes nothing", async () => {
    await saveProxySettings(
      handle.db,
      kek,
      settings({ port: squid.basicPort, authRequired: true, user: USER, password: "wrong", confirmPassword: "wrong" }),
      by,
    );
    const before = await installedCount();
    const result = await renewOnline(context(), { clusterId, actor });
    expect(result).toMatchObject({ ok: false, code: "proxy_auth_required", proxy: `127.0.0.1:${squid.basicPort}` });
    if (result.ok) return;
    expect(englishFailureMessage(result, { enrollmentUrl: "https://x" })).toContain("HTTP 407");
    expect(await installedCount()).toBe(before);
    const audit = await listAuditEvents(handle.db, { page: 1, pageSize: 5, clusterId });
    expect(audit.events[0]).toMatchObject({ action: "renew_online_failed", details: { code: "proxy_auth_required" } });
  });

  it("names every other proxy failure: unreachable, CONNECT refused, tunnel timeout; TLS still verified end to end", async () => {
    const before = await installedCount();
    const closed = await freePort();
    await saveProxySettings(handle.db, kek, settings({ port: closed }), by);
    expect(await renewOnline(context(), { clusterId, actor })).toMatchObject({
      ok: false,
      code: "proxy_unreachable",
      detail: "ECONNREFUSED",
    });

    await saveProxySettings(handle.db, kek, settings({}), by);
    // squid allows CONNECT only to the service's port: another port is refused with 403.
    const elsewhere = config({}, `https://${PROXY_ONLY_HOST}:${closed}`);
    expect(await renewOnline(context(elsewhere), { clusterId, actor })).toMatchObject({ ok: false, code: "proxy_refused", status: 403 });

    // Through the proxy to the right service, but trusting another root: the tunnel carries TLS, it does not replace it.
    fs.writeFileSync(path.join(tmp, "other.pem"), (await createTestTlsPki({ label: "Another root" })).rootPem);
    const untrusting = config({ RMS_TRUST_ANCHORS: path.join(tmp, "other.pem") });
    expect(await renewOnline(context(untrusting), { clusterId, actor })).toMatchObject({ ok: false, code: "untrusted" });

    const silentPort = (silent.address() as net.AddressInfo).port;
    await saveProxySettings(handle.db, kek, settings({ port: silentPort }), by);
    const quick = config({ RMS_ENROLLMENT_CONNECT_TIMEOUT_MS: "1000" });
    expect(await renewOnline(context(quick), { clusterId, actor })).toMatchObject({ ok: false, code: "proxy_timeout" });
    expect(await installedCount()).toBe(before);
  });

  it("uses HTTPS_PROXY when the page sets none, and NO_PROXY's exceptions", async () => {
    await saveProxySettings(handle.db, kek, { ...settings({}), enabled: false }, by);
    const proxyUrl = `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${squid.basicPort}`;
    expect(await effectiveProxyPolicy(handle.db, config({ HTTPS_PROXY: proxyUrl }), kek)).toMatchObject({ source: "environment" });
    const before = await installedCount();
    expect(await renewOnline(context(config({ https_proxy: proxyUrl })), { clusterId, actor })).toMatchObject({ ok: true });
    expect(await installedCount()).toBe(before + 1);
    const bypassed = config({ HTTPS_PROXY: proxyUrl, NO_PROXY: ".rms-proxy.test" });
    expect(await renewOnline(context(bypassed), { clusterId, actor })).toMatchObject({ ok: false, code: "unreachable" });
  });

  it("sends the webhook through the proxy too", async () => {
    await saveProxySettings(
      handle.db,
      kek,
      settings({ port: squid.basicPort, authRequired: true, user: USER, password: "wrong", confirmPassword: "wrong" }),
      by,
    );
    const proxy = () => effectiveProxyPolicy(handle.db, config(), kek);
    const delivery = await deliverWebhook(
      { url: `https://${PROXY_ONLY_HOST}:${servicePort}/hook`, secret: "s".repeat(16), proxy },
      {},
      { maxAttempts: 1 },
    );
    expect(delivery).toMatchObject({ ok: false, status: null });
    expect(delivery.error).toContain("proxy_auth_required");
  });
});
