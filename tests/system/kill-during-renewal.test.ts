// Fault injection: kill -9 of the console (`next start`) at random points during online renewals and offline
// imports. After every kill the database, opened directly, must hold exactly one active SLC (the old or the new),
// the pending request intact or consumed, and an audit log that agrees with the certificates installed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSnapshot } from "./support/data";
import { actionState, callAction, enrollDirect, exportRequest } from "./support/http";
import { kill9 } from "./support/processes";
import { clusterPath, createStack, databaseKinds, type SystemStack, sleep, t } from "./support/stack";

const KILLS = Number(process.env.SYSTEM_KILLS ?? 20);
const random = (max: number) => Math.floor(Math.random() * max);

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

async function restart(stack: SystemStack): Promise<string> {
  const proc = await stack.startConsole();
  // Warm the route (modules, database) so the kill lands in the renewal, not in the cold start.
  const warm = await fetch(`${proc.url}${clusterPath(stack)}`, { headers: { Cookie: stack.cookie } });
  expect(warm.status).toBe(200);
  await warm.arrayBuffer();
  // …and the renewal actions' modules: an invalid call is refused by the schema before it touches anything.
  const refused = actionState(
    await callAction(
      proc.url,
      clusterPath(stack),
      "declineImportAction",
      { clusterId: stack.clusterId, fingerprint: "x" },
      { cookie: stack.cookie },
    ),
  );
  expect(refused.message).toBe(t("error.badRequest"));
  return proc.url;
}

describe.each(databaseKinds())("kill -9 of the console during renewals (%s)", (kind) => {
  let stack: SystemStack;
  const outcomes = { online: { installed: 0, interrupted: 0, unchanged: 0 }, offline: { installed: 0, unchanged: 0 } };

  beforeAll(async () => {
    stack = await createStack({ kind });
    // Slow the enrollment side a little and at random, so kills also land while the HTTP exchange is open.
    stack.proxy.mode = { kind: "forward", delayMs: () => random(100) };
    if (stack.console) await kill9(stack.console);
  }, 180_000);

  afterAll(async () => {
    console.log(`[system] kill -9 on ${kind}: online ${JSON.stringify(outcomes.online)}, offline ${JSON.stringify(outcomes.offline)}`);
    await stack?.dispose();
  });

  it(`online renewal: ${KILLS} kills at random points leave the old or the new SLC, never both or none`, async () => {
    let before = await stack.snapshot();
    expectConsistent(before);
    for (let i = 0; i < KILLS; i++) {
      const url = await restart(stack);
      const call = callAction(url, clusterPath(stack), "renewOnlineAction", { clusterId: stack.clusterId }, { cookie: stack.cookie }).catch(
        (error: unknown) => error,
      );
      await sleep(random(400));
      if (stack.console) await kill9(stack.console);
      await call;
      const after = await stack.snapshot();
      expectConsistent(after);
      const installed = after.certificateCount - before.certificateCount;
      expect([0, 1]).toContain(installed);
      if (installed === 1) {
        outcomes.online.installed += 1;
        expect(after.activeFingerprints[0]).not.toBe(before.activeFingerprints[0]);
        expect(after.audit.renew_online_succeeded).toBe((before.audit.renew_online_succeeded ?? 0) + 1);
      } else {
        const started = (after.audit.renew_online_started ?? 0) - (before.audit.renew_online_started ?? 0);
        if (started > 0) outcomes.online.interrupted += 1;
        else outcomes.online.unchanged += 1;
        expect(after.activeFingerprints).toEqual(before.activeFingerprints);
        expect(after.audit.renew_online_succeeded ?? 0).toBe(before.audit.renew_online_succeeded ?? 0);
      }
      before = after;
    }
    // The lease a killed console left behind does not block the next renewal.
    const url = await restart(stack);
    const last = actionState(
      await callAction(url, clusterPath(stack), "renewOnlineAction", { clusterId: stack.clusterId }, { cookie: stack.cookie }),
    );
    if (stack.console) await kill9(stack.console);
    expect(last).toMatchObject({ status: "renewed" });
    expectConsistent(await stack.snapshot());
  }, 300_000);

  it(`offline import: ${KILLS} kills during Yes leave the request intact or consumed, never half`, async () => {
    if (stack.console) await kill9(stack.console);
    let before = await stack.snapshot();
    for (let i = 0; i < KILLS; i++) {
      const url = await restart(stack);
      const request = await exportRequest(url, stack.clusterId, stack.cookie);
      const slc = await enrollDirect(stack.enrollment.url, request.xml);
      const file = new Blob([slc], { type: "text/xml" });
      const validated = actionState(
        await callAction(url, clusterPath(stack), "validateImportAction", { clusterId: stack.clusterId, file }, { cookie: stack.cookie }),
      );
      expect(validated.status).toBe("validated");
      const fingerprint = validated.slc?.fingerprint ?? "";
      const call = callAction(
        url,
        clusterPath(stack),
        "confirmImportAction",
        { clusterId: stack.clusterId, file, fingerprint },
        { cookie: stack.cookie },
      ).catch((error: unknown) => error);
      await sleep(random(300));
      if (stack.console) await kill9(stack.console);
      await call;
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
