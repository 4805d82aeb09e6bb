// Who may read /metrics: loopback, or the bearer token; never anyone else by accident.
import { describe, expect, it } from "vitest";
import { metricsAccess } from "./access";

const TOKEN = "s3cret-metrics-token-0123456789";

describe("metricsAccess", () => {
  it("lets loopback scrapers in without a token", () => {
    for (const address of ["127.0.0.1", "127.8.9.10", "::1"]) expect(metricsAccess(address, null, undefined)).toBe("allowed");
  });

  it("refuses any other address unless it presents the configured token", () => {
    expect(metricsAccess("198.51.100.23", null, undefined)).toBe("loopback_only");
    expect(metricsAccess(null, null, undefined)).toBe("loopback_only");
    expect(metricsAccess("198.51.100.23", `Bearer ${TOKEN}`, undefined)).toBe("loopback_only");
    expect(metricsAccess("198.51.100.23", null, TOKEN)).toBe("token_required");
    expect(metricsAccess("198.51.100.23", "Bearer wrong-token", TOKEN)).toBe("token_required");
    expect(metricsAccess("198.51.100.23", `Basic ${TOKEN}`, TOKEN)).toBe("token_required");
    expect(metricsAccess("198.51.100.23", `Bearer ${TOKEN}`, TOKEN)).toBe("allowed");
    expect(metricsAccess("::ffff:10.0.0.1", `Bearer ${TOKEN}x`, TOKEN)).toBe("token_required");
  });
});
