// Fault injection: kill -9 of the console (`next start`) inside online renewals and offline imports, at seeded
// random points chosen among latches that hold the console there (the enrollment request held at the proxy; a
// commit held at its fsync on PGlite or at a table lock on PostgreSQL), so every kill is known to land inside the
// operation it targets — the test asserts it. After every kill the database, opened directly, must hold exactly one
// active SLC (the old or the new), the pending request intact or consumed, and an audit log that agrees with the
// certificates installed.
import { expect as expectPage, type Page } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CapturedAction, replayAction, replyStatus } from "../support/browser-actions";
import { kill9 } from "../support/processes";
import { openHydrated, renewButton } from "./support/browser";
import { type CommitLatch, fsyncCommitLatch, lockCommitLatch } from "./support/commit-latch";
import type { ClusterSnapshot } from "./support/data";
import { enrollDirect, exportRequest } from "./support/http";
import { seededRandom } from "./support/random";
import { clusterPath, createStack, databaseKinds, pause, type SystemStack } from "./support/stack";

// 2 kills per path and database in `npm test` (each kill is a console restart, ≈ 4–14 s): the first kills visit every
// kill point once, in a seeded random order, and later ones pick a seeded random point. `npm run test:soak` raises
// the count (SYSTEM_KILLS); SYSTEM_SEED replays a run's kill points.
const KILLS = Number(process.env.SYSTEM_KILLS ?? 2);
const { seed, int: random } = seededRandom("kill -9 points");

/** The i-th kill's point: each point once (in a random order) before any is repeated, so a short run covers them all. */
function pointSchedule<P>(points: readonly P[]): (i: number) => P {
  const order = [...points];
  for (let i = order.length - 1; i > 0; i--) {
    const j = random(i + 1);
    [order[i], order[j]] = [order[j] as P, order[i] as P];
  }
  return (i) => (i < order.length ? order[i] : order[random(order.length)]) as P;
}

/** The audit log agrees with what is installed; no certificate without its event and vice versa. */
function expectConsistent(s: ClusterSnapshot): void {
  expect(s.activeFingerprints).toHaveLength(1);
  expect(s.certificatesBy.online ?? 0).toBe(s.audit.renew_online_succeeded ?? 0);
  expect(s.certificatesBy.offline ?? 0).toBe(s.audit.import_confirmed ?? 0);
  expect(s.requestsByStatus.consumed ?? 0).toBe(s.audit.import_confirmed ?? 0);
  expect(s.pending.length).toBeLessThanOrEqual(1);
  // Every started online renewal ended in success or failure, or was cut off by a kill (never more outcomes).
  expect((s.audit.renew_online_succeeded ?? 0) + (s.audit.renew_online_failed ?? 0)).toBeLessThanOrEqual(s.audit.renew_online_started ?? 0);
}

async function restart(stack: SystemStack, renew: CapturedAction): Promise<string> {
  const proc = await stack.startConsole();
  // Warm the route (modules, database) so the kill lands in the renewal, not in the cold start.
  const warm = await fetch(`${proc.url}${clusterPath(stack)}`, { headers: { Cookie: stack.cookie } });
  expect(warm.status).toBe(200);
  await warm.arrayBuffer();
  // …and the renewal action's module: the browser's Renew without a session goes to sign-in before it touches anything.
  expect((await replayAction(renew, { cookie: null })).redirect).toMatch(/^\/sign-in\b/);
  return proc.url;
}

/**
 * Holds the running console inside a commit: on PostgreSQL the next one that writes `table`, on PGlite the nth
 * commit from now (its fsync).
 */
function commitLatch(stack: SystemStack, table: "clusters" | "certificates", nth = 1): Promise<CommitLatch> {
  if (!stack.console) throw new Error("no console");
  if (stack.kind === "pglite") return fsyncCommitLatch(stack.console.pid, nth);
  if (!stack.databaseUrl) throw new Error("no database URL");
  return lockCommitLatch(stack.databaseUrl, table);
}

/** Opens when called; the proxy holds the enrollment request until then. */
function proxyGate(): { hold: () => Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { hold: () => opened, open };
}

const once = (stack: SystemStack, event: "received" | "answered") =>
  new Promise<void>((resolve) => stack.proxy.enrollEvents.once(event, () => resolve()));

const FINGERPRINT = /^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/;

/** Renew → Offline → Browse → Import in Chromium, up to "Install this certificate?"; returns the dialog and the fingerprint shown. */
async function importUpToYes(page: Page, stack: SystemStack, slcXml: string) {
  // Before hydration the dialog's buttons post the form as a page (the no-JavaScript path), with no dialog to answer in.
  await (await openHydrated(page, clusterPath(stack), renewButton)).click();
  const dialog = page.getByRole("dialog", { name: "Renew server licensor certificate" });
  await dialog.getByRole("radio", { name: "Offline" }).check();
  await dialog.getByLabel("Browse").setInputFiles({ name: "slc.xml", mimeType: "text/xml", buffer: Buffer.from(slcXml) });
  await dialog.getByRole("button", { name: "Import" }).click();
  await expectPage(dialog.getByRole("heading", { name: "Install this certificate?" })).toBeVisible({ timeout: 30_000 });
  // The confirmation folds its identifiers behind a summary (a native <details>): open it. It shows the installed
  // certificate beside the new one: the new SLC's fingerprint is the last.
  await dialog
    .locator("summary")
    .filter({ hasText: /^Details: / })
    .click();
  const fingerprint =
    (
      await dialog
        .getByRole("term")
        .filter({ hasText: /^\s*SLC fingerprint \(SHA-256\)\s*$/ })
        .locator("xpath=following-sibling::dd[1]")
        .last()
        .textContent()
    )?.trim() ?? "";
  return { dialog, fingerprint };
}

describe.each(databaseKinds())("kill -9 of the console during renewals (%s)", (kind) => {
  let stack: SystemStack;
  let renew: CapturedAction;
  const outcomes = { online: { installed: 0, interrupted: 0 }, offline: { installed: 0, unchanged: 0 } };

  beforeAll(async () => {
    stack = await createStack({ kind });
    renew = await stack.captureRenewOnline();
    if (stack.console) await kill9(stack.console);
  }, 180_000);

  afterAll(async () => {
    console.log(`[system] kill -9 on ${kind}: online ${JSON.stringify(outcomes.online)}, offline ${JSON.stringify(outcomes.offline)}`);
    await stack?.dispose();
  });

  it(`online renewal: ${KILLS} kills inside the renewal leave the old or the new SLC, never both or none`, async () => {
    let before = await stack.snapshot();
    expectConsistent(before);
    const pointOf = pointSchedule(["at the enrollment service", "in the final commit"] as const);
    for (let i = 0; i < KILLS; i++) {
      await restart(stack, renew);
      const point = pointOf(i);
      // Every assertion names the kill point and the seed that replays the run.
      const where = `kill ${i + 1} ${point} (SYSTEM_SEED=${seed})`;
      const gate = proxyGate();
      stack.proxy.mode = { kind: "forward", hold: gate.hold };
      const received = once(stack, "received");
      const call = replayAction(renew, { cookie: stack.cookie }).catch((error: unknown) => error);
      // The console has recorded the start and sent its request: it waits for the service's answer, held here.
      await received;
      let latch: CommitLatch | null = null;
      if (point === "at the enrollment service") {
        await pause(random(50));
      } else {
        latch = await commitLatch(stack, "certificates");
        gate.open();
        await latch.reached(60_000);
      }
      if (stack.console) await kill9(stack.console);
      gate.open();
      await latch?.release();
      stack.proxy.mode = { kind: "forward" };
      // The kill landed inside the renewal: it had started, and the console never answered.
      expect(await call, where).toBeInstanceOf(Error);
      const after = await stack.snapshot();
      expect((after.audit.renew_online_started ?? 0) - (before.audit.renew_online_started ?? 0), where).toBe(1);
      expectConsistent(after);
      const installed = after.certificateCount - before.certificateCount;
      expect([0, 1]).toContain(installed);
      if (point === "at the enrollment service") expect(installed, where).toBe(0);
      if (installed === 1) {
        outcomes.online.installed += 1;
        expect(after.activeFingerprints[0]).not.toBe(before.activeFingerprints[0]);
        expect(after.audit.renew_online_succeeded).toBe((before.audit.renew_online_succeeded ?? 0) + 1);
      } else {
        outcomes.online.interrupted += 1;
        expect(after.activeFingerprints).toEqual(before.activeFingerprints);
        expect(after.audit.renew_online_succeeded ?? 0).toBe(before.audit.renew_online_succeeded ?? 0);
      }
      before = after;
    }
    // The lease a killed console left behind does not block the next renewal.
    await restart(stack, renew);
    const last = await replayAction(renew, { cookie: stack.cookie });
    if (stack.console) await kill9(stack.console);
    expect(replyStatus(last, "renewed"), last.text.slice(0, 300)).toBe(true);
    expectConsistent(await stack.snapshot());
  }, 300_000);

  it(`offline import: ${KILLS} kills during Yes leave the request intact or consumed, never half`, async () => {
    if (stack.console) await kill9(stack.console);
    const page = stack.page;
    if (!page) throw new Error("no administrator page");
    let before = await stack.snapshot();
    const pointOf = pointSchedule(["clusters", "certificates"] as const);
    for (let i = 0; i < KILLS; i++) {
      const url = await restart(stack, renew);
      const request = await exportRequest(url, stack.clusterId, stack.cookie);
      const slc = await enrollDirect(stack.enrollment.url, request.xml, stack.enrollment.rootPath);
      const { dialog, fingerprint } = await importUpToYes(page, stack, slc);
      expect(fingerprint).toMatch(FINGERPRINT);
      // Yes takes the cluster's lease (its first commit, writing clusters), then installs (its second, writing
      // certificates): the kill lands in one of the two.
      const point = pointOf(i);
      const latch = await commitLatch(stack, point, point === "clusters" ? 1 : 2);
      await dialog.getByRole("button", { name: "Yes" }).click();
      await latch.reached(60_000);
      if (stack.console) await kill9(stack.console);
      await latch.release();
      const after = await stack.snapshot();
      expectConsistent(after);
      const installed = after.certificateCount - before.certificateCount;
      expect([0, 1]).toContain(installed);
      if (installed === 1) {
        outcomes.offline.installed += 1;
        expect(after.activeFingerprints).toEqual([fingerprint]);
        expect(after.pending).toEqual([]);
        expect(after.requestsByStatus.consumed).toBe((before.requestsByStatus.consumed ?? 0) + 1);
      } else {
        outcomes.offline.unchanged += 1;
        expect(after.activeFingerprints).toEqual(before.activeFingerprints);
        expect(after.pending.map((p) => [p.requestId, p.document])).toEqual([[request.requestId, request.xml]]);
        expect(after.requestsByStatus.consumed ?? 0).toBe(before.requestsByStatus.consumed ?? 0);
      }
      before = after;
    }
  }, 400_000);
});
