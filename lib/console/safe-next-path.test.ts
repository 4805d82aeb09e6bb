import { describe, expect, it } from "vitest";
import { refererPath, safeNextPath, signInPath } from "./safe-next-path";

describe("safeNextPath", () => {
  it.each([
    [undefined, "/"],
    ["/clusters/abc", "/clusters/abc"],
    ["https://evil.example/", "/"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["/ok\r\nSet-Cookie: x", "/"],
  ])("%s → %s", (input, expected) => {
    expect(safeNextPath(input)).toBe(expected);
  });
});

describe("refererPath", () => {
  it.each([
    ["http://127.0.0.1:3000/clusters/abc?x=1", "127.0.0.1:3000", "/clusters/abc?x=1"],
    ["http://evil.example/clusters/abc", "127.0.0.1:3000", "/"],
    [null, "127.0.0.1:3000", "/"],
    ["not a url", "127.0.0.1:3000", "/"],
    ["http://127.0.0.1:3000/x", null, "/"],
  ])("%s on %s → %s", (referer, host, expected) => {
    expect(refererPath(referer, host)).toBe(expected);
  });
});

describe("signInPath", () => {
  it("returns to the page after signing in, and only to a path on this site", () => {
    expect(signInPath("/clusters/abc?x=1")).toBe("/sign-in?next=%2Fclusters%2Fabc%3Fx%3D1");
    expect(signInPath("/")).toBe("/sign-in");
    expect(signInPath("https://evil.example/")).toBe("/sign-in");
  });
});
