// The tone of the last test notification's outcome on Settings.
import { describe, expect, it } from "vitest";
import { lastTestTone } from "./last-test";

describe("lastTestTone", () => {
  it("shows 'no channel is configured' as information, not an error (the audit records it as not delivered)", () => {
    expect(lastTestTone({ outcome: "failure", details: {} })).toBe("info");
  });

  it("shows delivery on every channel as success and any failed channel as an error", () => {
    expect(lastTestTone({ outcome: "success", details: { webhook: "delivered: HTTP 204 after 1 attempt" } })).toBe("success");
    expect(lastTestTone({ outcome: "failure", details: { webhook: "delivered: HTTP 204", email: "failed: connection refused" } })).toBe(
      "error",
    );
  });
});
