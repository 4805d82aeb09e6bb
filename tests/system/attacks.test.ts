// Attack suite against a running console over HTTP: hostile certificate files through the import actions, server
// actions without a session / as a non-admin / cross-origin, x-middleware-subrequest, oversize bodies, CR/LF and
// markup in names, sign-in throttling. Each asserts its safe outcome, and at the end the installed SLC is unchanged.
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, clusters, webSites } from "@/lib/db/schema";
import { consoleKeyEncryptionKey, createClusterKey } from "@/lib/renewal/cluster-keys";
import { ADMIN, type ClusterSnapshot, USER } from "./support/data";
import { enrollmentCa, type HostileFile, hostileFiles } from "./support/hostile-files";
import { actionState, callAction, exportRequest, postSignIn, signIn } from "./support/http";
import { kill9 } from "./support/processes";
import { clusterPath, createStack, type SystemStack, t } from "./support/stack";

const HOSTILE_NAME = 'EVIL\r\n2026-01-01T00:00:00Z SYSTEM sign_in success <script>alert("xss")</script>"; x=.xml';

let stack: SystemStack;
let url = "";
let before: ClusterSnapshot;
let files: HostileFile[] = [];
let pendingRequestId = "";
let evilClusterId = "";

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
  stack.cookie = await signIn(url, ADMIN);
  const request = await exportRequest(url, stack.clusterId, stack.cookie);
  pendingRequestId = request.requestId;
  files = await hostileFiles(await enrollmentCa(path.join(stack.dir, "enrollment-service")), request.xml);
  if (stack.console) await kill9(stack.console);
  before = await stack.snapshot();
  url = (await stack.startConsole()).url;
}, 180_000);

afterAll(async () => {
  await stack?.dispose();
});

function expectedMessage(file: HostileFile): string {
  return file.expect === "too_large"
    ? t("failure.too_large", { limit: "256 KB" })
    : t("failure.invalid_file", { check: t(`check.${file.expect.check}`), reason: t(`reason.${file.expect.reason}`) });
}

describe("hostile certificate files through Import (validate) and Yes (confirm)", () => {
  it("every hostile file is rejected with its own message", async () => {
    const seen: Record<string, string> = {};
    const wanted: Record<string, string> = {};
    for (const file of files) {
      if (file.bytes.length > 1024 * 1024) continue; // over the server action body limit: see the oversize test
      const blob = new Blob([new Uint8Array(file.bytes)], { type: "text/xml" });
      const validated = actionState(
        await callAction(
          url,
          clusterPath(stack),
          "validateImportAction",
          { clusterId: stack.clusterId, file: blob },
          { cookie: stack.cookie },
        ),
      );
      seen[file.name] = validated.message ?? validated.status;
      wanted[file.name] = expectedMessage(file);
      // Skipping Import and sending Yes with a made-up fingerprint changes nothing either.
      const confirmed = actionState(
        await callAction(
          url,
          clusterPath(stack),
          "confirmImportAction",
          { clusterId: stack.clusterId, file: blob, fingerprint: Array(32).fill("AB").join(":") },
          { cookie: stack.cookie },
        ),
      );
      seen[`${file.name} (Yes)`] = confirmed.message ?? confirmed.status;
      wanted[`${file.name} (Yes)`] = expectedMessage(file);
    }
    expect(seen).toEqual(wanted);
    expect(Object.keys(seen).length).toBeGreaterThanOrEqual(2 * 22);
  });

  it("a server action body over the 1 MB limit (the 5 MB attribute file) is refused, and nothing runs", async () => {
    const big = files.find((f) => f.name === "5 MB attribute");
    if (!big) throw new Error("no 5 MB file");
    const response = await rawAction(big.bytes);
    console.log(`[system] server action with a ${big.bytes.length}-byte body: HTTP ${response.status}`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.body).not.toContain("validated");
    const still = await fetch(`${url}${clusterPath(stack)}`, { headers: { Cookie: stack.cookie } });
    expect(still.status).toBe(200);
    await still.arrayBuffer();
  });

  // proxy.ts refuses it before Next's own check (which would answer 500).
  it("a server action body over the 1 MB limit is answered 413, not 500", async () => {
    const big = files.find((f) => f.name === "5 MB attribute");
    if (!big) throw new Error("no 5 MB file");
    expect((await rawAction(big.bytes)).status).toBe(413);
  });
});

/** validateImportAction with a large file over a fresh connection (Next closes it while the body still streams). */
async function rawAction(bytes: Buffer): Promise<{ status: number; body: string }> {
  const { default: http } = await import("node:http");
  const form = new FormData();
  form.append("_1_clusterId", stack.clusterId);
  form.append("_1_file", new Blob([new Uint8Array(bytes)]), "certificate.xml");
  form.append("0", JSON.stringify([{ status: "idle" }, "$K1"]));
  const encoded = new Response(form);
  const body = Buffer.from(await encoded.arrayBuffer());
  const { actionId } = await import("./support/http");
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}${clusterPath(stack)}`,
      {
        method: "POST",
        agent: false,
        headers: {
          "Content-Type": encoded.headers.get("content-type") ?? "",
          "Content-Length": String(body.length),
          Connection: "close",
          Accept: "text/x-component",
          "Next-Action": actionId("validateImportAction"),
          Origin: url,
          Cookie: stack.cookie,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (c: Buffer) => chunks.push(c));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

describe("who may call the server actions and route handlers", () => {
  it("a server action replayed without a session → 401", async () => {
    const response = await callAction(url, clusterPath(stack), "renewOnlineAction", { clusterId: stack.clusterId }, { cookie: null });
    expect(response.status).toBe(401);
  });

  it("a server action called by a signed-in non-administrator → 403, audited", async () => {
    const cookie = await signIn(url, USER);
    for (const name of ["renewOnlineAction", "validateImportAction", "cancelRequestAction"] as const) {
      const response = await callAction(
        url,
        clusterPath(stack),
        name,
        { clusterId: stack.clusterId, requestId: pendingRequestId, file: new Blob(["x"]) },
        { cookie },
      );
      expect(response.status).toBe(403);
    }
    const exportAsUser = await fetch(`${url}${clusterPath(stack)}/renewal-request`, {
      method: "POST",
      headers: { Origin: url, Cookie: cookie },
    });
    expect(exportAsUser.status).toBe(403);
  });

  it("a server action with a foreign Origin is refused (not run), even with an admin session", async () => {
    const response = await callAction(
      url,
      clusterPath(stack),
      "renewOnlineAction",
      { clusterId: stack.clusterId },
      { cookie: stack.cookie, origin: "http://evil.example" },
    );
    console.log(`[system] server action with a foreign Origin: HTTP ${response.status}`);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.text).not.toContain("was renewed");
    // (that nothing ran is checked at the end: no renew_online_started/succeeded in the audit log)
  });

  // proxy.ts refuses it before Next's own check (which would answer 500).
  it("a server action with a foreign Origin is answered 403", async () => {
    const response = await callAction(
      url,
      clusterPath(stack),
      "renewOnlineAction",
      { clusterId: stack.clusterId },
      { cookie: stack.cookie, origin: "http://evil.example" },
    );
    expect(response.status).toBe(403);
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
    const action = await callAction(url, clusterPath(stack), "renewOnlineAction", { clusterId: stack.clusterId }, { headers: header });
    expect(action.status).toBe(401);
    const route = await fetch(`${url}${clusterPath(stack)}/renewal-request`, { headers: header });
    expect(route.status).toBe(401);
    const asUser = await fetch(`${url}${clusterPath(stack)}`, { headers: { ...header, Cookie: await signIn(url, USER) } });
    expect(asUser.status).toBe(403);
  });
});

describe("oversize bodies", () => {
  it("the enrollment API refuses a request over 256 KiB with 413", async () => {
    const response = await fetch(`${stack.enrollment.url}/api/enroll`, {
      method: "POST",
      headers: { "Content-Type": "application/xml" },
      body: `<RenewalRequest>${"x".repeat(300 * 1024)}</RenewalRequest>`,
    }).catch((error: unknown) => error);
    if (response instanceof Error) throw response;
    expect((response as Response).status).toBe(413);
  });
});

describe("names with CR/LF and markup", () => {
  it("a sign-in with a hostile user name: refused, no forged audit line, no markup in the audit page", async () => {
    const result = await postSignIn(url, HOSTILE_NAME.slice(0, 64), "wrong-password");
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
    expect(disposition).toMatch(/^attachment; filename="[A-Za-z0-9._-]+RenewalRequest\.xml"$/);
    await download.arrayBuffer();
  });
});

describe("sign-in throttling", () => {
  it("the 6th failed attempt for one user name is throttled", async () => {
    const messages: string[] = [];
    for (let i = 0; i < 6; i++) {
      const result = await postSignIn(url, "mallory", `wrong-${i}`);
      messages.push(result.body);
    }
    expect(messages.slice(0, 5).every((body) => body.includes(t("signIn.invalid")))).toBe(true);
    expect(messages[5]).toMatch(/Too many failed sign-in attempts\. Wait \d+ seconds and try again\./);
  });
});

describe("where a request comes from", () => {
  // lib/http/client-address.ts (installed by instrumentation.ts) replaces client-made X-Forwarded-* headers.
  it("a client-supplied X-Forwarded-For does not decide the audited address (or the per-address throttle key)", async () => {
    await postSignIn(url, "spoofer", "wrong-password", { "X-Forwarded-For": "203.0.113.77" });
    if (stack.console) await kill9(stack.console);
    const rows = await stack.withDb((db) => db.select().from(auditEvents).where(eq(auditEvents.action, "sign_in")));
    url = (await stack.startConsole()).url;
    const spoofed = rows.filter((r) => r.actor?.includes("spoofer"));
    expect(spoofed).toHaveLength(1);
    console.log(`[system] sign-in with X-Forwarded-For 203.0.113.77 audited from ${spoofed[0]?.remoteAddress}`);
    expect(spoofed[0]?.remoteAddress).not.toBe("203.0.113.77");
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
