// Attack suite against a running console: server actions without a session / as a non-admin / cross-origin,
// x-middleware-subrequest, oversize bodies, CR/LF and markup in names, sign-in throttling. The server actions are the
// browser's own requests (captured in Chromium, then replayed altered); hostile certificate files go through the real
// Import in e2e/attacks.spec.ts. Each asserts its safe outcome, and at the end the installed SLC is unchanged.
import fs from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { consoleKeyEncryptionKey, createClusterKey } from "@/lib/console/renewal/cluster-keys";
import { auditEvents, clusters, webSites } from "@/lib/platform/db/schema";
import { type CapturedAction, replayAction, replySays, withText } from "../support/browser-actions";
import { request } from "../support/https-client";
import { kill9 } from "../support/processes";
import { captureCancelRequest, captureSignIn, SIGN_IN_PASSWORD, SIGN_IN_USER, signInByReplay } from "./support/browser";
import { ADMIN, type ClusterSnapshot, USER } from "./support/data";
import { exportRequest } from "./support/http";
import { clusterPath, createStack, type SystemStack, t } from "./support/stack";

const HOSTILE_NAME = 'EVIL\r\n2026-01-01T00:00:00Z SYSTEM sign_in success <script>alert("xss")</script>"; x=.xml';

let stack: SystemStack;
let url = "";
let before: ClusterSnapshot;
let pendingRequestId = "";
let evilClusterId = "";
let renew: CapturedAction;
let cancel: CapturedAction;
let signIn: CapturedAction;

beforeAll(async () => {
  stack = await createStack({ kind: "pglite", start: false });
  // A second web site whose cluster has a hostile server name (as if the data came from elsewhere).
  evilClusterId = await stack.withDb(async (db) => {
    const [cluster] = await db
      .insert(clusters)
      .values({
        guid: "{0BADC0DE-0000-4000-8000-000000000001}",
        name: HOSTILE_NAME,
        serverName: HOSTILE_NAME,
        clusterUrl: "http://evil/_wmcs",
        configDatabase: HOSTILE_NAME,
      })
      .returning();
    if (!cluster) throw new Error("no cluster");
    await db.insert(webSites).values({ name: `Evil <script>alert(1)</script> site`, clusterId: cluster.id });
    await createClusterKey(db, cluster.id, consoleKeyEncryptionKey({ dataDir: stack.consoleOptions.dataDir }));
    return cluster.id;
  });
  url = (await stack.startConsole()).url;
  await stack.signInAdmin();
  pendingRequestId = (await exportRequest(url, stack.clusterId, stack.cookie)).requestId;
  // The browser's own requests (none of them reached the server): Renew online, Cancel on the pending request, Sign in.
  renew = await stack.captureRenewOnline();
  const page = stack.page;
  if (!page) throw new Error("no administrator page");
  cancel = await captureCancelRequest(page, clusterPath(stack));
  signIn = await captureSignIn(stack.browser, url);
  if (stack.console) await kill9(stack.console);
  before = await stack.snapshot();
  url = (await stack.startConsole()).url;
}, 180_000);

afterAll(async () => {
  await stack?.dispose();
});

/** The sign-in form's request with this user name and password. */
function signInBody(userName: string, password: string): Buffer {
  const named = withText(signIn, SIGN_IN_USER, userName);
  return withText({ ...signIn, body: named }, SIGN_IN_PASSWORD, password);
}

describe("oversize server action bodies", () => {
  // The console's server (lib/platform/http/request-gate.ts) refuses it before Next's own check (which would answer 500);
  // nothing runs (checked at the end: no renewal).
  it("the browser's Renew request grown past the 1 MB action body limit (5 MB) is answered 413, and nothing runs", async () => {
    const body = Buffer.concat([renew.body, Buffer.alloc(5 * 1024 * 1024, 0x20)]);
    const reply = await replayAction(renew, { cookie: stack.cookie, body });
    console.log(`[system] server action with a ${body.length}-byte body: HTTP ${reply.status}`);
    expect(reply.status).toBe(413);
    expect(reply.text).not.toContain("was renewed");
    const still = await fetch(`${url}${clusterPath(stack)}`, { headers: { Cookie: stack.cookie } });
    expect(still.status).toBe(200);
    await still.arrayBuffer();
  });

  it("the same request sent chunked, without Content-Length, is counted as it arrives: 413, and nothing runs", async () => {
    const body = Buffer.concat([renew.body, Buffer.alloc(5 * 1024 * 1024, 0x20)]);
    const reply = await replayAction(renew, { cookie: stack.cookie, body, chunked: true });
    console.log(`[system] chunked server action with a ${body.length}-byte body: HTTP ${reply.status}`);
    expect(reply.status).toBe(413);
    expect(reply.text).toBe("Request too large.\n");
  });
});

describe("who may call the server actions and route handlers", () => {
  it("a server action replayed without a session does not run: the browser is sent to sign-in", async () => {
    for (const action of [renew, cancel]) {
      const reply = await replayAction(action, { cookie: null });
      expect(reply.redirect).toMatch(/^\/sign-in\b/);
      expect(reply.text).not.toContain("was renewed");
    }
  });

  it("a server action replayed by a signed-in non-administrator → 403, audited", async () => {
    const cookie = await signInByReplay(signIn, url, USER);
    for (const action of [renew, cancel]) {
      expect((await replayAction(action, { cookie })).status).toBe(403);
    }
    const exportAsUser = await fetch(`${url}${clusterPath(stack)}/renewal-request`, {
      method: "POST",
      headers: { Origin: url, Cookie: cookie },
    });
    expect(exportAsUser.status).toBe(403);
  });

  // proxy.ts refuses it before Next's own check (which would answer 500).
  it("a server action with a foreign Origin is answered 403 and not run, even with an admin session", async () => {
    const reply = await replayAction(renew, { cookie: stack.cookie, origin: "http://evil.example" });
    console.log(`[system] server action with a foreign Origin: HTTP ${reply.status}`);
    expect(reply.status).toBe(403);
    expect(reply.text).not.toContain("was renewed");
    // (that nothing ran is checked at the end: no renew_online_started/succeeded in the audit log)
  });

  it("the route handler POST /clusters/<id>/renewal-request with a foreign (or no) Origin → 403", async () => {
    for (const origin of ["http://evil.example", null]) {
      const response = await fetch(`${url}${clusterPath(stack)}/renewal-request`, {
        method: "POST",
        headers: { Cookie: stack.cookie, ...(origin ? { Origin: origin } : {}) },
      });
      expect(response.status).toBe(403);
      await response.arrayBuffer();
    }
  });

  it("an x-middleware-subrequest header bypasses nothing", async () => {
    const header = { "x-middleware-subrequest": "middleware:middleware:middleware:middleware:middleware" };
    const page = await fetch(`${url}${clusterPath(stack)}`, { headers: header, redirect: "manual" });
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toContain("/sign-in");
    const action = await replayAction(renew, { cookie: null, headers: header });
    expect(action.redirect).toMatch(/^\/sign-in\b/);
    const route = await fetch(`${url}${clusterPath(stack)}/renewal-request`, { headers: header, redirect: "manual" });
    expect(route.status).toBe(307);
    expect(route.headers.get("location")).toContain("/sign-in");
    const exported = await fetch(`${url}${clusterPath(stack)}/renewal-request`, { method: "POST", headers: { ...header, Origin: url } });
    expect(exported.status).toBe(401);
    expect(await exported.json()).toMatchObject({ signIn: expect.stringMatching(/^\/sign-in\?next=/) });
    const asUser = await fetch(`${url}${clusterPath(stack)}`, { headers: { ...header, Cookie: await signInByReplay(signIn, url, USER) } });
    expect(asUser.status).toBe(403);
  });
});

describe("oversize bodies", () => {
  it("the enrollment API refuses a request over 256 KiB with 413", async () => {
    const response = await request(`${stack.enrollment.url}/api/enroll`, {
      method: "POST",
      headers: { "Content-Type": "application/xml" },
      body: `<RenewalRequest>${"x".repeat(300 * 1024)}</RenewalRequest>`,
      ca: fs.readFileSync(stack.enrollment.rootPath, "utf8"),
    });
    expect(response.status).toBe(413);
  });
});

describe("names with CR/LF and markup", () => {
  it("a sign-in with a hostile user name: refused, no forged audit line, no markup in the audit page", async () => {
    // A text input cannot hold CR/LF, so the name goes into the browser's own sign-in request.
    const result = await replayAction(signIn, { cookie: null, body: signInBody(HOSTILE_NAME.slice(0, 64), "wrong-password") });
    expect(result.status).toBe(200);
    expect(result.cookie).toBeNull();
    const audit = await fetch(`${url}/audit`, { headers: { Cookie: stack.cookie } });
    const html = await audit.text();
    expect(audit.status).toBe(200);
    expect(html).not.toContain("<script>alert(");
    expect(html).not.toMatch(/EVIL\r?\n/);
  });

  it("a server name with CR/LF and markup: pages escape it and the download file name is safe", async () => {
    for (const page of ["/", `/clusters/${evilClusterId}`]) {
      const response = await fetch(`${url}${page}`, { headers: { Cookie: stack.cookie } });
      const html = await response.text();
      expect(response.status).toBe(200);
      expect(html).not.toContain("<script>alert(");
      expect(html).toContain("&lt;script&gt;");
    }
    const download = await fetch(`${url}/clusters/${evilClusterId}/renewal-request`, {
      method: "POST",
      headers: { Origin: url, Cookie: stack.cookie },
    });
    expect(download.status).toBe(200);
    const disposition = download.headers.get("content-disposition") ?? "";
    // The hostile cluster has no SLC yet, so its request is an enrollment request.
    expect(disposition).toMatch(/^attachment; filename="[A-Za-z0-9._-]+(Renewal|Enroll)Request\.xml"$/);
    await download.arrayBuffer();
  });
});

describe("sign-in throttling", () => {
  it("the 6th failed attempt for one user name is throttled", async () => {
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push(await replayAction(signIn, { cookie: null, body: signInBody("mallory", `wrong-${i}`) }));
    expect(replies.slice(0, 5).every((reply) => replySays(reply, t("signIn.invalid")))).toBe(true);
    expect(replies[5]?.text).toMatch(/Too many failed sign-in attempts\. Wait \d+ seconds and try again\./);
  });
});

describe("sessions", () => {
  it("signing in ends the session the browser held before, so a planted session token is worth nothing", async () => {
    const held = await signInByReplay(signIn, url, ADMIN);
    const reply = await replayAction(signIn, { cookie: held, body: signInBody(ADMIN.userName, ADMIN.password) });
    expect(reply.cookie).not.toBeNull();
    expect(reply.cookie).not.toBe(held);
    const page = (cookie: string) => fetch(`${url}${clusterPath(stack)}`, { headers: { Cookie: cookie }, redirect: "manual" });
    const before = await page(held);
    expect(before.status).toBe(307);
    expect(before.headers.get("location")).toMatch(/\/sign-in/);
    expect((await page(reply.cookie ?? "")).status).toBe(200);
  });
});

describe("where a request comes from", () => {
  // lib/platform/http/request-gate.ts (the console's server) replaces client-made X-Forwarded-* headers.
  it("a client-supplied X-Forwarded-For does not decide the audited address (or the per-address throttle key)", async () => {
    await replayAction(signIn, {
      cookie: null,
      body: signInBody("spoofer", "wrong-password"),
      headers: { "X-Forwarded-For": "203.0.113.77" },
    });
    if (stack.console) await kill9(stack.console);
    const rows = await stack.withDb((db) => db.select().from(auditEvents).where(eq(auditEvents.action, "sign_in")));
    url = (await stack.startConsole()).url;
    const spoofed = rows.filter((r) => r.actor?.includes("spoofer"));
    expect(spoofed).toHaveLength(1);
    console.log(`[system] sign-in with X-Forwarded-For 203.0.113.77 audited from ${spoofed[0]?.remoteAddress}`);
    expect(spoofed[0]?.remoteAddress).not.toBe("203.0.113.77");
  });

  it("behind a trusted proxy, X-Forwarded-For is walked from the right and HTTPS gives __Host- cookies and HSTS", async () => {
    if (stack.console) await kill9(stack.console);
    // The test plays the proxy on loopback.
    const metricsToken = "metrics-token-for-the-attack-suite";
    const extraEnv = { ...stack.consoleOptions.extraEnv, RMS_TRUSTED_PROXIES: "127.0.0.1", RMS_METRICS_TOKEN: metricsToken };
    url = (await stack.startConsole({ extraEnv })).url;
    const forwarded = { "X-Forwarded-For": "203.0.113.77, 198.51.100.23", "X-Forwarded-Proto": "https" };
    // The browser's page is https://…: its Origin says so (an http:// Origin is another origin, refused).
    const origin = new URL(url).origin.replace(/^http:/, "https:");
    const crossScheme = await replayAction(signIn, { cookie: null, body: signInBody("proxied", "wrong-password"), headers: forwarded });
    expect(crossScheme.status).toBe(403);
    const failed = await replayAction(signIn, { cookie: null, origin, body: signInBody("proxied", "wrong-password"), headers: forwarded });
    expect(replySays(failed, t("signIn.invalid"))).toBe(true);
    const reply = await replayAction(signIn, {
      cookie: null,
      origin,
      body: signInBody(ADMIN.userName, ADMIN.password),
      headers: forwarded,
    });
    console.log(`[system] sign-in through a trusted proxy over HTTPS sets: ${reply.sessionSetCookie?.replace(/=[^;]+/, "=…")}`);
    expect(reply.sessionSetCookie).toMatch(/^__Host-rms_session=[^;]+; Path=\/;.*Secure/);
    expect(reply.sessionSetCookie).not.toMatch(/Domain=/i);
    const home = await fetch(`${url}/sign-in`, { headers: forwarded });
    expect(home.headers.get("strict-transport-security")).toBe("max-age=31536000");
    await home.arrayBuffer();
    // /metrics: a scraper behind the proxy (not loopback) needs the token; this machine does not.
    const scrape = (headers: Record<string, string>) =>
      fetch(`${url}/metrics`, { headers }).then(async (r) => ({ status: r.status, text: await r.text() }));
    expect((await scrape(forwarded)).status).toBe(401);
    expect((await scrape({ ...forwarded, Authorization: "Bearer not-the-token" })).status).toBe(401);
    const remote = await scrape({ ...forwarded, Authorization: `Bearer ${metricsToken}` });
    expect(remote.status).toBe(200);
    expect(remote.text).toMatch(/^rms_slc_expiration_timestamp_seconds\{cluster_guid="[^"]+",server_name="[^"]+"\} \d+$/m);
    expect((await scrape({})).status).toBe(200);
    if (stack.console) await kill9(stack.console);
    const rows = await stack.withDb((db) => db.select().from(auditEvents).where(eq(auditEvents.action, "sign_in")));
    url = (await stack.startConsole()).url;
    const proxied = rows.filter((r) => r.actor?.includes("proxied"));
    expect(proxied.map((r) => r.remoteAddress)).toEqual(["198.51.100.23"]);
  });
});

describe("afterwards", () => {
  it("the installed SLC, the history and the pending request did not change, and the log holds no forged lines", async () => {
    if (stack.console) await kill9(stack.console);
    const after = await stack.snapshot();
    expect(after.activeFingerprints).toEqual(before.activeFingerprints);
    expect(after.certificateCount).toBe(before.certificateCount);
    expect(after.pending.map((p) => p.requestId)).toEqual([pendingRequestId]);
    expect(after.audit.import_confirmed).toBeUndefined();
    expect(after.audit.renew_online_succeeded).toBeUndefined();
    expect(after.audit.renew_online_started).toBeUndefined();
    const rows = await stack.withDb((db) => db.select().from(auditEvents).where(eq(auditEvents.action, "sign_in")));
    const text = JSON.stringify(rows.map((r) => [r.actor, r.remoteAddress, r.details]));
    expect(text).not.toMatch(/\\r|\\n/);
  });
});
