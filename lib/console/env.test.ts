// The console's env module: defaults, empty values as unset, and a bad value named in the message.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnv } from "./env";

describe("loadEnv", () => {
  it("fills the documented defaults and derives the paths", () => {
    const loaded = loadEnv({ RMS_DATA_DIR: "/srv/rms" });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.env).toMatchObject({
      HOST: "127.0.0.1",
      PORT: 3000,
      RMS_ENROLLMENT_PORT: 3001,
      RMS_SECURE_COOKIES: "auto",
      RMS_TRUSTED_PROXIES: [],
      RMS_OUTBOUND_ALLOW_PRIVATE: [],
      dataDir: "/srv/rms",
      enrollmentUrl: "https://127.0.0.1:3001",
      trustAnchorsPath: path.join("/srv/rms", "trust-anchors.pem"),
      allowedHosts: [
        { host: "localhost", port: 3000 },
        { host: "127.0.0.1", port: 3000 },
        { host: "[::1]", port: 3000 },
      ],
    });
    expect(loaded.env.RMS_TRUST_ANCHOR_SHA256).toBeUndefined();
  });

  it("reads the small-gain rule's days left, or off", () => {
    const days = (value?: string) => {
      const loaded = loadEnv(value === undefined ? {} : { RMS_RENEW_CONFIRM_DAYS_LEFT: value });
      return loaded.ok ? loaded.env.RMS_RENEW_CONFIRM_DAYS_LEFT : null;
    };
    expect([days(), days("60"), days("0"), days("off")]).toEqual([30, 60, 0, "off"]);
  });

  it("treats empty strings as unset and leaves the source untouched", () => {
    const source = { PORT: "", DATABASE_URL: "", RMS_ENROLLMENT_PORT: "4001" };
    const loaded = loadEnv(source);
    expect(loaded.ok && loaded.env.PORT).toBe(3000);
    expect(loaded.ok && loaded.env.DATABASE_URL).toBeUndefined();
    expect(loaded.ok && loaded.env.enrollmentUrl).toBe("https://127.0.0.1:4001");
    expect(source.PORT).toBe("");
  });

  it("without RMS_ENROLLMENT_URL, expects the bundled service where npm start runs it: on HOST, a wildcard at 127.0.0.1", () => {
    const url = (source: Record<string, string>) => {
      const loaded = loadEnv(source);
      return loaded.ok && loaded.env.enrollmentUrl;
    };
    expect(url({ HOST: "rms.contoso.com", RMS_ENROLLMENT_PORT: "3101" })).toBe("https://rms.contoso.com:3101");
    expect(url({ HOST: "0.0.0.0" })).toBe("https://127.0.0.1:3001");
    expect(url({ HOST: "::1" })).toBe("https://[::1]:3001");
  });

  it("takes the master key from RMS_MASTER_KEY or RMS_MASTER_KEY_FILE (resolved), not both", () => {
    const file = loadEnv({ RMS_MASTER_KEY_FILE: "keys/master.key" });
    expect(file.ok && file.env.RMS_MASTER_KEY_FILE).toBe(path.resolve("keys/master.key"));
    const both = loadEnv({ RMS_MASTER_KEY_FILE: "/etc/rms/master.key", RMS_MASTER_KEY: "x" });
    expect(!both.ok && both.message).toMatch(/RMS_MASTER_KEY_FILE: set it or RMS_MASTER_KEY, not both/);
  });

  it("reads a list of trusted proxies", () => {
    const loaded = loadEnv({ RMS_TRUSTED_PROXIES: "10.0.0.1, ::1" });
    expect(loaded.ok && loaded.env.RMS_TRUSTED_PROXIES).toEqual(["10.0.0.1", "::1"]);
  });

  it("accepts an https enrollment URL only", () => {
    const loaded = loadEnv({ RMS_ENROLLMENT_URL: "https://enroll.contoso.com:8443" });
    expect(loaded.ok && loaded.env.enrollmentUrl).toBe("https://enroll.contoso.com:8443");
    const plain = loadEnv({ RMS_ENROLLMENT_URL: "http://127.0.0.1:3001" });
    expect(plain.ok).toBe(false);
    if (!plain.ok) expect(plain.message).toMatch(/RMS_ENROLLMENT_URL: RMS_ENROLLMENT_URL must be an https:\/\/ address/);
  });

  it("asks for what a directory needs, and refuses to turn local accounts off without one", () => {
    const ldap = { RMS_LDAP_URL: "ldaps://dc1.contoso.com", RMS_DOMAIN: "CONTOSO", RMS_LDAP_GROUP_BASE: "dc=contoso,dc=com" };
    const noBase = loadEnv(ldap);
    expect(!noBase.ok && noBase.message).toMatch(/RMS_LDAP_USER_BASE/);
    const complete = loadEnv({ ...ldap, RMS_LDAP_USER_BASE: "dc=contoso,dc=com" });
    expect(complete.ok && complete.env.RMS_ADMIN_GROUPS).toEqual(["Administrators", "Domain Admins"]);
    expect(loadEnv({ RMS_LDAP_URL: "http://dc1.contoso.com" }).ok).toBe(false);
    const off = loadEnv({ RMS_LOCAL_ACCOUNTS: "off" });
    expect(!off.ok && off.message).toMatch(/RMS_LOCAL_ACCOUNTS: off needs RMS_LDAP_URL/);
  });

  it("reads the UPN suffixes as lower-case DNS names and refuses anything else", () => {
    const ldap = {
      RMS_LDAP_URL: "ldaps://dc1.contoso.com",
      RMS_DOMAIN: "CONTOSO",
      RMS_LDAP_GROUP_BASE: "dc=contoso,dc=com",
      RMS_LDAP_USER_BASE: "dc=contoso,dc=com",
    };
    const listed = loadEnv({ ...ldap, RMS_LDAP_UPN_SUFFIXES: " Contoso.com, corp.contoso.com ," });
    expect(listed.ok && listed.env.RMS_LDAP_UPN_SUFFIXES).toEqual(["contoso.com", "corp.contoso.com"]);
    expect(loadEnv(ldap).ok && (loadEnv(ldap) as { env: { RMS_LDAP_UPN_SUFFIXES?: string[] } }).env.RMS_LDAP_UPN_SUFFIXES).toBeUndefined();
    for (const bad of ["@contoso.com", "contoso.com/evil", "*.contoso.com", ","]) {
      expect(loadEnv({ ...ldap, RMS_LDAP_UPN_SUFFIXES: bad })).toMatchObject({
        ok: false,
        message: expect.stringMatching(/RMS_LDAP_UPN_SUFFIXES/),
      });
    }
  });

  it("reads the monitor interval and refuses notification settings that cannot work", () => {
    expect(loadEnv({}).ok && (loadEnv({}) as { env: { RMS_MONITOR_INTERVAL: number } }).env.RMS_MONITOR_INTERVAL).toBe(3_600_000);
    const fifteen = loadEnv({ RMS_MONITOR_INTERVAL: "15m" });
    expect(fifteen.ok && fifteen.env.RMS_MONITOR_INTERVAL).toBe(900_000);
    for (const bad of ["0s", "2d", "1 h", "-1h", "25h"]) expect(loadEnv({ RMS_MONITOR_INTERVAL: bad }).ok, bad).toBe(false);
    const hook = { RMS_NOTIFY_WEBHOOK_URL: "https://hooks.contoso.com/rms" };
    expect(loadEnv(hook)).toMatchObject({ ok: false, message: expect.stringMatching(/RMS_NOTIFY_WEBHOOK_SECRET/) });
    expect(loadEnv({ ...hook, RMS_NOTIFY_WEBHOOK_SECRET: "0123456789abcdef" }).ok).toBe(true);
    const plain = { RMS_NOTIFY_WEBHOOK_URL: "http://hooks.contoso.com/rms", RMS_NOTIFY_WEBHOOK_SECRET: "0123456789abcdef" };
    expect(loadEnv(plain)).toMatchObject({ ok: false, message: expect.stringMatching(/use https:\/\//) });
    expect(loadEnv({ ...plain, RMS_NOTIFY_WEBHOOK_URL: "http://127.0.0.1:9000/rms" }).ok).toBe(true);
    const smtp = { RMS_SMTP_HOST: "smtp.contoso.com", RMS_NOTIFY_EMAIL_FROM: "rms@contoso.com" };
    expect(loadEnv(smtp)).toMatchObject({ ok: false, message: expect.stringMatching(/RMS_NOTIFY_EMAIL_TO/) });
    const mail = loadEnv({ ...smtp, RMS_NOTIFY_EMAIL_TO: "ops@contoso.com, pki@contoso.com" });
    expect(mail.ok && mail.env.RMS_NOTIFY_EMAIL_TO).toEqual(["ops@contoso.com", "pki@contoso.com"]);
    expect(loadEnv({ ...smtp, RMS_NOTIFY_EMAIL_TO: "not-an-address" }).ok).toBe(false);
  });

  it("reads a trust-anchor pin with or without colons, in either case", () => {
    const hex = "ab".repeat(32);
    const colons = Array.from({ length: 32 }, () => "Ab").join(":");
    for (const pin of [hex, colons, ` ${hex.toUpperCase()} `]) {
      const loaded = loadEnv({ RMS_TRUST_ANCHOR_SHA256: pin });
      expect(loaded.ok && loaded.env.RMS_TRUST_ANCHOR_SHA256, pin).toBe("AB".repeat(32));
    }
  });

  it("adds HOST to the default allowed hosts unless it listens on every interface", () => {
    const named = loadEnv({ HOST: "rms01.contoso.com", PORT: "8080" });
    expect(named.ok && named.env.allowedHosts).toContainEqual({ host: "rms01.contoso.com", port: 8080 });
    const v6 = loadEnv({ HOST: "fd00::5" });
    expect(v6.ok && v6.env.allowedHosts).toContainEqual({ host: "[fd00::5]", port: 3000 });
    const wildcard = loadEnv({ HOST: "0.0.0.0" });
    expect(wildcard.ok && wildcard.env.allowedHosts.map((h) => h.host)).toEqual(["localhost", "127.0.0.1", "[::1]"]);
  });

  it("replaces the default allowed hosts with RMS_ALLOWED_HOSTS (a bare host allows any port)", () => {
    const loaded = loadEnv({ RMS_ALLOWED_HOSTS: "rms.contoso.com, Localhost:3000,[::1]:8443" });
    expect(loaded.ok && loaded.env.allowedHosts).toEqual([
      { host: "rms.contoso.com", port: null },
      { host: "localhost", port: 3000 },
      { host: "[::1]", port: 8443 },
    ]);
  });

  it("reads RMS_PUBLIC_URL and allows its host on its port and without a port (a proxy's `Host $host`)", () => {
    const loaded = loadEnv({ RMS_PUBLIC_URL: "https://RMS.contoso.com:8443/" });
    expect(loaded.ok && loaded.env.publicUrl).toEqual({ scheme: "https", host: "rms.contoso.com", port: 8443 });
    expect(loaded.ok && loaded.env.allowedHosts).toEqual([
      { host: "localhost", port: 3000 },
      { host: "127.0.0.1", port: 3000 },
      { host: "[::1]", port: 3000 },
      { host: "rms.contoso.com", port: 8443 },
      { host: "rms.contoso.com", port: 443 },
    ]);
    const listed = loadEnv({ RMS_PUBLIC_URL: "http://rms.contoso.com", RMS_ALLOWED_HOSTS: "rms.contoso.com:80" });
    expect(listed.ok && listed.env.allowedHosts).toEqual([{ host: "rms.contoso.com", port: 80 }]);
    const unset = loadEnv({});
    expect(unset.ok && unset.env.publicUrl).toBeNull();
  });

  it.each([
    [{ RMS_PUBLIC_URL: "rms.contoso.com" }, "RMS_PUBLIC_URL"],
    [{ RMS_PUBLIC_URL: "ftp://rms.contoso.com" }, "RMS_PUBLIC_URL"],
    [{ RMS_PUBLIC_URL: "https://rms.contoso.com/console" }, "RMS_PUBLIC_URL"],
    [{ RMS_PUBLIC_URL: "https://user@rms.contoso.com" }, "RMS_PUBLIC_URL"],
    [{ RMS_PUBLIC_URL: "https://rms.contoso.com:99999" }, "RMS_PUBLIC_URL"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ RMS_ENROLLMENT_URL: "ftp://x" }, "RMS_ENROLLMENT_URL"],
    [{ RMS_ENROLLMENT_URL: "http://enroll.contoso.com" }, "RMS_ENROLLMENT_URL"],
    [{ RMS_TRUST_ANCHOR_SHA256: "ab".repeat(31) }, "RMS_TRUST_ANCHOR_SHA256"],
    [{ RMS_TRUST_ANCHOR_SHA256: "zz".repeat(32) }, "RMS_TRUST_ANCHOR_SHA256"],
    [{ RMS_TRUST_ANCHOR_SHA256: `${"ab".repeat(32)}:` }, "RMS_TRUST_ANCHOR_SHA256"],
    [{ RMS_ALLOWED_HOSTS: "rms.contoso.com,,localhost" }, "RMS_ALLOWED_HOSTS"],
    [{ RMS_ALLOWED_HOSTS: "https://rms.contoso.com" }, "RMS_ALLOWED_HOSTS"],
    [{ RMS_ALLOWED_HOSTS: "::1" }, "RMS_ALLOWED_HOSTS"],
    [{ RMS_ALLOWED_HOSTS: "localhost:0" }, "RMS_ALLOWED_HOSTS"],
    [{ RMS_ALLOWED_HOSTS: "evil_host" }, "RMS_ALLOWED_HOSTS"],
    [{ RMS_SECURE_COOKIES: "yes" }, "RMS_SECURE_COOKIES"],
    [{ RMS_TRUSTED_PROXIES: "proxy.local" }, "RMS_TRUSTED_PROXIES"],
    [{ RMS_OUTBOUND_ALLOW_PRIVATE: "localhost" }, "RMS_OUTBOUND_ALLOW_PRIVATE"],
    [{ RMS_SESSION_IDLE_MINUTES: "0" }, "RMS_SESSION_IDLE_MINUTES"],
    [{ RMS_RENEW_CONFIRM_DAYS_LEFT: "never" }, "RMS_RENEW_CONFIRM_DAYS_LEFT"],
    [{ RMS_RENEW_CONFIRM_DAYS_LEFT: "-1" }, "RMS_RENEW_CONFIRM_DAYS_LEFT"],
  ])("rejects %o naming the variable", (source, variable) => {
    const loaded = loadEnv(source);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.message).toContain(variable);
  });
});
