// Two admins renewing at once: ten simultaneous online renewals send exactly one request to the enrollment service
// and install one SLC, the rest are told a renewal is in progress — in one console, and across two consoles sharing
// one PostgreSQL (sessions and locks in the database). On PGlite a second process on the same data folder fails fast.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ActionReply, type CapturedAction, replayAction, replySays, replyStatus } from "../support/browser-actions";
import { consoleEnv, freePort, kill9, program, ROOT, spawnNode, waitForHttp } from "../support/processes";
import { captureSignIn, signInByReplay } from "./support/browser";
import { ADMIN, newMasterKey } from "./support/data";
import { clusterPath, createStack, databaseKinds, type SystemStack, t } from "./support/stack";

const RENEWALS = 10;

/**
 * The browser's own Renew request, sent RENEWALS times at once, spread over the targets. The proxy holds every
 * enrollment request until all the other calls have answered (a latch, not a delay): the winner is mid-renewal for
 * the whole race. A second enrollment request (a broken lock) opens the latch too, so the test fails instead of hanging.
 */
async function renewTogether(
  stack: SystemStack,
  renew: CapturedAction,
  targets: Array<{ url: string; cookie: string }>,
): Promise<ActionReply[]> {
  let open = () => {};
  const latch = new Promise<void>((resolve) => {
    open = resolve;
  });
  let settled = 0;
  let received = 0;
  const onReceived = () => {
    received += 1;
    if (received > 1) open();
  };
  stack.proxy.enrollEvents.on("received", onReceived);
  stack.proxy.mode = { kind: "forward", hold: () => latch };
  try {
    const calls = Array.from({ length: RENEWALS }, (_, i) => {
      const target = targets[i % targets.length];
      if (!target) throw new Error("no target");
      return replayAction(renew, { cookie: target.cookie, baseUrl: target.url }).finally(() => {
        settled += 1;
        if (settled === RENEWALS - 1) open();
      });
    });
    return await Promise.all(calls);
  } finally {
    open();
    stack.proxy.enrollEvents.off("received", onReceived);
    stack.proxy.mode = { kind: "forward" };
  }
}

function expectOneWinner(results: ActionReply[]): void {
  const renewed = results.filter((r) => replyStatus(r, "renewed"));
  const inProgress = results.filter((r) => replyStatus(r, "error") && replySays(r, t("failure.in_progress")));
  expect(renewed).toHaveLength(1);
  expect(inProgress).toHaveLength(RENEWALS - 1);
}

describe.each(databaseKinds())("simultaneous online renewals in one console (%s)", (kind) => {
  let stack: SystemStack;
  beforeAll(async () => {
    stack = await createStack({ kind });
  }, 180_000);
  afterAll(async () => {
    await stack?.dispose();
  });

  // Before the renewals (whose test ends with a kill), on the same stack: the console holds its PGlite data folder.
  const inUse = /The data folder .* is in use by process \d+\. The embedded database allows one process at a time/;

  if (kind === "pglite") {
    it("PGlite: a second process on the same data folder: the CLI fails fast with a clear message", () => {
      const result = spawnSync(process.execPath, program("rms", "user", "list"), {
        cwd: ROOT,
        env: consoleEnv(stack.consoleOptions),
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      expect(`${result.stdout}${result.stderr}`).toMatch(inUse);
      expect(`${result.stdout}${result.stderr}`).toContain(`process ${stack.console?.pid}`);
    });

    it("PGlite: a second console (start.ts --console-only) fails fast with a clear message and leaves the first one serving", async () => {
      // Pointed at the real enrollment service: spawnSync blocks this process, and with it the in-process proxy.
      const result = spawnSync(process.execPath, program("start", "--console-only"), {
        cwd: ROOT,
        env: consoleEnv({ ...stack.consoleOptions, port: await freePort(), enrollmentUrl: stack.enrollment.url }),
        encoding: "utf8",
        timeout: 90_000,
      });
      expect(result.status).toBe(1);
      expect(`${result.stdout}${result.stderr}`).toMatch(inUse);
      const still = await fetch(`${stack.console?.url ?? ""}${clusterPath(stack)}`, { headers: { Cookie: stack.cookie } });
      expect(still.status).toBe(200);
      await still.arrayBuffer();
    });
  }

  it(`${RENEWALS} at once: one enrollment request, one new SLC, the rest told a renewal is in progress`, async () => {
    const url = stack.console?.url ?? "";
    const renew = await stack.captureRenewOnline();
    const sent = stack.proxy.enrollRequests;
    const results = await renewTogether(stack, renew, [{ url, cookie: stack.cookie }]);
    expectOneWinner(results);
    expect(stack.proxy.enrollRequests - sent).toBe(1);
    if (stack.console) await kill9(stack.console);
    const after = await stack.snapshot();
    expect(after.activeFingerprints).toHaveLength(1);
    expect(after.certificatesBy.online).toBe(1);
    expect(after.audit.renew_online_started).toBe(1);
    expect(after.audit.renew_online_succeeded).toBe(1);
  });
});

describe.runIf(process.env.DATABASE_URL)("two console processes on one PostgreSQL", () => {
  let stack: SystemStack;
  let a = "";
  let b = "";
  let signIn: CapturedAction;
  beforeAll(async () => {
    stack = await createStack({ kind: "postgres", masterKey: newMasterKey() });
    a = stack.console?.url ?? "";
    b = (await spawnSecond(stack)).url;
    signIn = await captureSignIn(stack.browser, a);
  }, 180_000);
  afterAll(async () => {
    await stack?.dispose();
  });

  async function spawnSecond(s: SystemStack) {
    const port = await freePort();
    const proc = spawnNode(
      [path.join(ROOT, "node_modules", "next", "dist", "bin", "next"), "start", "-H", "127.0.0.1", "-p", String(port)],
      consoleEnv({ ...s.consoleOptions, port }),
      path.join(s.dir, "console-b.log"),
    );
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/sign-in`, 90_000, proc);
    return { ...proc, url };
  }

  it("a session made on A is valid on B (sessions live in the database)", async () => {
    const cookie = await signInByReplay(signIn, a, ADMIN);
    const onB = await fetch(`${b}${clusterPath(stack)}`, { headers: { Cookie: cookie }, redirect: "manual" });
    expect(onB.status).toBe(200);
    expect(await onB.text()).toContain("Cluster resources");
    const anonymousOnB = await fetch(`${b}${clusterPath(stack)}`, { redirect: "manual" });
    expect(anonymousOnB.status).toBe(307);
    await anonymousOnB.arrayBuffer();
  });

  it(`${RENEWALS} at once across A and B: one enrollment request, one new SLC (the lock is in the database)`, async () => {
    const cookieA = await signInByReplay(signIn, a, ADMIN);
    const cookieB = await signInByReplay(signIn, b, ADMIN);
    const renew = await stack.captureRenewOnline();
    const sent = stack.proxy.enrollRequests;
    const results = await renewTogether(stack, renew, [
      { url: a, cookie: cookieA },
      { url: b, cookie: cookieB },
    ]);
    expectOneWinner(results);
    expect(stack.proxy.enrollRequests - sent).toBe(1);
    const after = await stack.snapshot();
    expect(after.activeFingerprints).toHaveLength(1);
    expect(after.certificatesBy.online).toBe(1);
    expect(after.audit.renew_online_succeeded).toBe(1);
    expect(after.lockedBy).toBeNull();
  });
});
