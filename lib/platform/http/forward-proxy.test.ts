// Which targets go through the forward proxy (the page's local-address bypass and exceptions, NO_PROXY's forms), and
// how HTTPS_PROXY is read.
import { describe, expect, it } from "vitest";
import { type ProxyPolicy, parseProxyUrl, proxyFor, splitBypassList, validBypassEntry } from "./forward-proxy";

const proxy = { host: "proxy.contoso.com", port: 8080, auth: null };
const policy = (bypassLocal: boolean, bypass: string): ProxyPolicy => ({
  proxy,
  bypassLocal,
  bypass: splitBypassList(bypass),
  source: "settings",
});
const via = (p: ProxyPolicy, url: string) => proxyFor(p, new URL(url)) !== null;

describe("proxyFor", () => {
  it("proxies https:// only, and everything when nothing is excepted", () => {
    const none = policy(false, "");
    expect(via(none, "https://enroll.contoso.com:3001")).toBe(true);
    expect(via(none, "https://127.0.0.1:3001")).toBe(true);
    expect(via(none, "http://127.0.0.1:8080/hook")).toBe(false);
  });

  it("bypasses local addresses when asked: names without a dot, localhost, loopback", () => {
    const local = policy(true, "");
    for (const url of ["https://rmsdev:3001", "https://localhost:3001", "https://127.0.0.5", "https://[::1]:3001"])
      expect(via(local, url), url).toBe(false);
    expect(via(local, "https://enroll.contoso.com")).toBe(true);
    expect(via(local, "https://10.1.2.3")).toBe(true);
  });

  it("bypasses the listed hosts, domains, addresses and ranges", () => {
    const listed = policy(false, "*.corp.contoso.com; fabrikam.com, 10.0.0.0/8 192.168.1.7");
    expect(via(listed, "https://enroll.corp.contoso.com")).toBe(false);
    expect(via(listed, "https://corp.contoso.com")).toBe(false);
    expect(via(listed, "https://a.fabrikam.com")).toBe(false);
    expect(via(listed, "https://10.20.30.40")).toBe(false);
    expect(via(listed, "https://192.168.1.7")).toBe(false);
    expect(via(listed, "https://192.168.1.8")).toBe(true);
    expect(via(listed, "https://notfabrikam.com")).toBe(true);
    expect(via(policy(false, "*"), "https://anything.example")).toBe(false);
  });

  it("checks bypass entries", () => {
    for (const entry of ["*", "*.contoso.com", ".contoso.com", "10.0.0.0/8", "::1", "fd00::/8", "rmsdev"])
      expect(validBypassEntry(entry), entry).toBe(true);
    for (const entry of ["http://x", "10.0.0.0/33", "a b", "contoso.com:8080", "*contoso"])
      expect(validBypassEntry(entry), entry).toBe(false);
  });
});

describe("parseProxyUrl", () => {
  it("reads http://[user:password@]host[:port] and host:port", () => {
    expect(parseProxyUrl("http://proxy:3128")).toEqual({ host: "proxy", port: 3128, auth: null });
    expect(parseProxyUrl("proxy.contoso.com:8080")).toEqual({ host: "proxy.contoso.com", port: 8080, auth: null });
    expect(parseProxyUrl("http://CONTOSO%5Calice:p%40ss@[::1]:3128")).toEqual({
      host: "::1",
      port: 3128,
      auth: { user: "alice", password: "p@ss", domain: "CONTOSO" },
    });
  });

  it("refuses a proxy it cannot use", () => {
    expect(() => parseProxyUrl("https://proxy:443")).toThrow(/only an http:\/\/ proxy/);
    expect(() => parseProxyUrl("socks5://proxy:1080")).toThrow(/only an http:\/\/ proxy/);
    expect(() => parseProxyUrl("http://proxy:3128/path")).toThrow(/no path/);
  });
});
