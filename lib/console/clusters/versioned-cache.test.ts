import { describe, expect, it } from "vitest";
import { VersionedCache } from "./versioned-cache";

const at = (iso: string) => new Date(iso);

describe("VersionedCache", () => {
  it("gives back a value only for the version it was built from", () => {
    const cache = new VersionedCache<string>(4);
    cache.set("v1", "en/1", "table", null);
    expect(cache.get("v1", "en/1", at("2026-12-05T12:00:00Z"))).toBe("table");
    expect(cache.get("v2", "en/1", at("2026-12-05T12:00:00Z"))).toBeUndefined();
    expect(cache.get("v1", "sv/1", at("2026-12-05T12:00:00Z"))).toBeUndefined();
  });

  it("drops every value of an older version once a newer one is kept", () => {
    const cache = new VersionedCache<string>(4);
    cache.set("v1", "en/1", "old en", null);
    cache.set("v1", "sv/1", "old sv", null);
    cache.set("v2", "en/1", "new en", null);
    expect(cache.get("v2", "sv/1", at("2026-12-05T12:00:00Z"))).toBeUndefined();
    expect(cache.get("v1", "sv/1", at("2026-12-05T12:00:00Z"))).toBeUndefined();
    expect(cache.get("v2", "en/1", at("2026-12-05T12:00:00Z"))).toBe("new en");
  });

  it("stops giving a value at the instant it goes out of date", () => {
    const cache = new VersionedCache<string>(4);
    cache.set("v1", "en/1", "table", at("2026-12-06T08:00:00Z"));
    expect(cache.get("v1", "en/1", at("2026-12-06T07:59:59.999Z"))).toBe("table");
    expect(cache.get("v1", "en/1", at("2026-12-06T08:00:00Z"))).toBeUndefined();
  });

  it("keeps at most its bound, forgetting the oldest", () => {
    const cache = new VersionedCache<number>(2);
    const now = at("2026-12-05T12:00:00Z");
    cache.set("v1", "a", 1, null);
    cache.set("v1", "b", 2, null);
    cache.set("v1", "c", 3, null);
    expect(cache.get("v1", "a", now)).toBeUndefined();
    expect(cache.get("v1", "b", now)).toBe(2);
    expect(cache.get("v1", "c", now)).toBe(3);
  });
});
