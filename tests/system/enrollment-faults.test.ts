// A misbehaving enrollment service (down, hanging past the timeout, 500, 429 with Retry-After, garbage, an SLC for
// another key): each online renewal gives its own message and changes nothing — active SLC, pending request, history.

import { expect as expectPage } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kill9 } from "../support/processes";
import type { ClusterSnapshot } from "./support/data";
import type { ProxyMode } from "./support/enrollment-proxy";
import { exportRequest } from "./support/http";
import { clusterPath, createStack, type SystemStack, t } from "./support/stack";

let stack: SystemStack;
let url = "";

beforeAll(async () => {
  stack = await createStack({
    // On PostgreSQL the state is read while the console runs; PGlite is the console's own, read with it stopped.
    kind: process.env.DATABASE_URL ? "postgres" : "pglite",
    // The hanging case waits this out; every other answer comes well within it, on a busy machine too.
    consoleEnv: { RMS_ENROLLMENT_TIMEOUT_MS: "5000" },
  });
  url = stack.console?.url ?? "";
}, 180_000);

afterAll(async () => {
  await stack?.dispose();
});

/** Renew → Online → Renew in Chromium; resolves once the dialog shows `expected` (an alert, or the success text). */
async function renewInBrowser(expected: string | RegExp): Promise<void> {
  const page = stack.page;
  if (!page) throw new Error("no administrator page");
  await page.goto(clusterPath(stack));
  await page.getByRole("region", { name: "Cluster resources" }).getByRole("button", { name: "Renew", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Renew server licensor certificate" });
  await dialog.getByRole("radio", { name: "Online" }).check();
  // A pending offline request (every case keeps one) must be replaced knowingly: the consent box.
  await dialog.getByRole("checkbox").check();
  await dialog.getByRole("button", { name: "Renew", exact: true }).click();
  await expectPage(dialog.getByText(expected).first()).toBeVisible({ timeout: 30_000 });
}

const enrollmentUrl = () => stack.proxy.url;

const cases: Array<{ name: string; mode: ProxyMode | "down"; message: () => string }> = [
  { name: "down (connection refused)", mode: "down", message: () => t("failure.unreachable", { url: enrollmentUrl() }) },
  { name: "hanging past the timeout", mode: { kind: "hang" }, message: () => t("failure.timeout", { url: enrollmentUrl() }) },
  { name: "answering 500", mode: { kind: "status", status: 500 }, message: () => t("failure.server_error") },
  {
    name: "answering 429 with Retry-After",
    mode: { kind: "status", status: 429, headers: { "retry-after": "120" } },
    message: () => t("failure.busy", { seconds: 120 }),
  },
  {
    name: "answering garbage as HTML",
    mode: { kind: "garbage", contentType: "text/html", body: "<html>proxy error page</html>" },
    message: () => t("failure.invalid_response"),
  },
  {
    name: "answering garbage as XML",
    mode: { kind: "garbage", contentType: "application/xml", body: '<XrML version="1.2"><BODY>' },
    message: () => t("failure.invalidResponseCheck", { check: t("check.input"), reason: t("reason.malformed") }),
  },
  {
    name: "answering with an SLC for another cluster key",
    mode: { kind: "other_key" },
    message: () => t("failure.invalidResponseCheck", { check: t("check.public_key"), reason: t("reason.wrong_public_key") }),
  },
];

describe("online renewal against a misbehaving enrollment service", () => {
  type State = Pick<ClusterSnapshot, "activeFingerprints" | "certificateCount" | "pending" | "audit">;
  /** The state after the last case: the next case's "before" (on PGlite each read costs a console restart). */
  let last: State | undefined;

  async function state(): Promise<State> {
    if (stack.kind === "postgres") {
      last = await stack.snapshot();
      return last;
    }
    // The console holds PGlite, so the database is read with the console stopped, then the console starts again.
    if (stack.console) await kill9(stack.console);
    last = await stack.snapshot();
    url = (await stack.startConsole()).url;
    return last;
  }

  /** A pending offline request must survive every failed online attempt: each case makes sure there is one. */
  async function withPendingRequest() {
    const before = last ?? (await state());
    if (before.pending.length > 0) return { before, pendingRequestId: before.pending[0]?.requestId ?? "" };
    const { requestId } = await exportRequest(url, stack.clusterId, stack.cookie);
    return { before: await state(), pendingRequestId: requestId };
  }

  it.each(cases)("$name: its own message, and nothing changes", async ({ mode, message }) => {
    const { before, pendingRequestId } = await withPendingRequest();
    if (mode === "down") await stack.proxy.down();
    else stack.proxy.mode = mode;
    try {
      await renewInBrowser(message());
    } finally {
      if (mode === "down") await stack.proxy.up();
      stack.proxy.mode = { kind: "forward" };
    }
    const after = await state();
    expect(after.activeFingerprints).toEqual(before.activeFingerprints);
    expect(after.certificateCount).toBe(before.certificateCount);
    expect(after.pending.map((p) => p.requestId)).toEqual([pendingRequestId]);
    expect(after.audit.renew_online_failed).toBe((before.audit.renew_online_failed ?? 0) + 1);
    expect(after.audit.renew_online_succeeded).toBe(before.audit.renew_online_succeeded);
  });

  it("and once the service behaves, the renewal succeeds (and supersedes the pending request)", async () => {
    const { before } = await withPendingRequest();
    await renewInBrowser(/was renewed/);
    const after = await state();
    expect(after.pending).toEqual([]);
    expect(after.audit.renew_online_succeeded).toBe((before.audit.renew_online_succeeded ?? 0) + 1);
  });
});
