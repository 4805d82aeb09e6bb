// The Host allow-list: what a Host header or an RMS_ALLOWED_HOSTS entry may look like, and which requests match.
import { describe, expect, it } from "vitest";
import { allowedHostList, defaultAllowedHosts, isAllowedHost, parseHostAndPort } from "./host-rules";

describe("parseHostAndPort", () => {
  it.each([
    ["localhost", { host: "localhost", port: null }],
    ["RMS01.Contoso.com:3000", { host: "rms01.contoso.com", port: 3000 }],
    ["127.0.0.1:3001", { host: "127.0.0.1", port: 3001 }],
    ["[::1]", { host: "[::1]", port: null }],
    ["[FD00::5]:443", { host: "[fd00::5]", port: 443 }],
  ])("reads %s", (text, expected) => {
    expect(parseHostAndPort(text)).toEqual(expected);
  });

  it.each(["", "::1", "host:", "host:0", "host:65536", "a b", "evil.example/x", "user@host", "-lead.example", "[::1", "x".repeat(254)])(
    "refuses %j",
    (text) => {
      expect(parseHostAndPort(text)).toBeNull();
    },
  );
});

describe("isAllowedHost", () => {
  const defaults = defaultAllowedHosts("127.0.0.1", 3000);

  it("answers loopback names on the console's port by default", () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "LOCALHOST:3000"]) {
      expect(isAllowedHost(host, defaults), host).toBe(true);
    }
  });

  it("refuses another name, another port, a missing or malformed Host (DNS rebinding)", () => {
    for (const host of ["rebind.attacker.example:3000", "127.0.0.1:3001", "localhost", "127.0.0.1.nip.io:3000", "", "::1:3000"]) {
      expect(isAllowedHost(host, defaults), host).toBe(false);
    }
    expect(isAllowedHost(null, defaults)).toBe(false);
  });

  it("lets a bare entry match any port, and a Host without a port match port 80 or 443", () => {
    const allowed = [
      { host: "rms.contoso.com", port: null },
      { host: "proxy.contoso.com", port: 443 },
    ];
    expect(isAllowedHost("rms.contoso.com:8443", allowed)).toBe(true);
    expect(isAllowedHost("rms.contoso.com", allowed)).toBe(true);
    expect(isAllowedHost("proxy.contoso.com", allowed)).toBe(true);
    expect(isAllowedHost("proxy.contoso.com:3000", allowed)).toBe(false);
  });
});

describe("allowedHostList (the enrollment service's RMS_ENROLLMENT_ALLOWED_HOSTS, read by the console's rule)", () => {
  it("reads host and host:port entries, and a portless Host matches an entry on 443 as on the console", () => {
    const list = allowedHostList(["signing.contoso.example:443", "127.0.0.1:3001", "[::1]:3001", "any-port.example"]);
    expect(isAllowedHost("signing.contoso.example", list)).toBe(true);
    expect(isAllowedHost("signing.contoso.example:8443", list)).toBe(false);
    expect(isAllowedHost("127.0.0.1:3001", list)).toBe(true);
    expect(isAllowedHost("127.0.0.1:3000", list)).toBe(false);
    expect(isAllowedHost("any-port.example:1234", list)).toBe(true);
  });

  it("refuses an entry that is not a host or host:port, naming it", () => {
    expect(() => allowedHostList(["ok.example", "::1"])).toThrow(/"::1" is not a host or host:port/);
  });
});
