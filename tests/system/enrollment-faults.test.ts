// A misbehaving enrollment service (down, hanging past the timeout, 500, 429 with Retry-After, garbage, an SLC for
// another key): each online renewal gives its own message and changes nothing — active SLC, pending request, history.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClusterSnapshot } from "./support/data";
import type { ProxyMode } from "./support/enrollment-proxy";
import { actionState, callAction, exportRequest } from "./support/http";
import { kill9 } from "./support/processes";
import { clusterPath, createStack, type SystemStack, t } from "./support/stack";

let stack: SystemStack;
let url = "";
let pendingRequestId = "";

beforeAll(async () => {
  stack = await createStack({
    kind: "pglite",
    consoleEnv: { RMS_ENROLLMENT_TIMEOUT_MS: "1500", RMS_ENROLLMENT_CONNECT_TIMEOUT_MS: "500" },
  });
  url = stack.console?.url ?? "";
  // A pending offline request must survive every failed online attempt.
  pendingRequestId = (await exportRequest(url, stack.clusterId, stack.cookie)).requestId;
}, 180_000);

afterAll(async () => {
  await stack?.dispose();
});

async function renew() {
  return actionState(
    await callAction(url, clusterPath(stack), "renewOnlineAction", { clusterId: stack.clusterId }, { cookie: stack.cookie }),
  );
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
  // The database is read through the console's own view (it holds PGlite), so the check is by history and page.
  async function state(): Promise<Pick<ClusterSnapshot, "activeFingerprints" | "certificateCount" | "pending" | "audit">> {
    if (stack.console) await kill9(stack.console);
    const s = await stack.snapshot();
    url = (await stack.startConsole()).url;
    return s;
  }

  it.each(cases)("$name: its own message, and nothing changes", async ({ mode, message }) => {
    const before = await state();
    if (mode === "down") await stack.proxy.down();
    else stack.proxy.mode = mode;
    try {
      const result = await renew();
      expect(result).toMatchObject({ status: "error", message: message() });
    } finally {
      if (mode === "down") await stack.proxy.up();
      stack.proxy.mode = { kind: "forward" };
    }
    const after = await state();
    expect(after.activeFingerprints).toEqual(before.activeFingerprints);
    expect(after.certificateCount).toBe(before.certificateCount);
    expect(after.pending.map((p) => p.requestId)).toEqual([pendingRequestId]);
    expect(after.audit.renew_online_failed).toBe((before.audit.renew_online_failed ?? 0) + 1);
    expect(after.audit.renew_online_succeeded).toBeUndefined();
  });

  it("and once the service behaves again, the renewal succeeds (and supersedes the pending request)", async () => {
    const result = await renew();
    expect(result.status).toBe("renewed");
    const after = await state();
    expect(after.pending).toEqual([]);
    expect(after.audit.renew_online_succeeded).toBe(1);
  });
});
