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
      dataDir: "/srv/rms",
      enrollmentUrl: "http://127.0.0.1:3001",
      trustAnchorsPath: path.join("/srv/rms", "trust-anchors.pem"),
    });
  });

  it("treats empty strings as unset and leaves the source untouched", () => {
    const source = { PORT: "", DATABASE_URL: "", RMS_ENROLLMENT_PORT: "4001" };
    const loaded = loadEnv(source);
    expect(loaded.ok && loaded.env.PORT).toBe(3000);
    expect(loaded.ok && loaded.env.DATABASE_URL).toBeUndefined();
    expect(loaded.ok && loaded.env.enrollmentUrl).toBe("http://127.0.0.1:4001");
    expect(source.PORT).toBe("");
  });

  it("reads a list of trusted proxies", () => {
    const loaded = loadEnv({ RMS_TRUSTED_PROXIES: "10.0.0.1, ::1" });
    expect(loaded.ok && loaded.env.RMS_TRUSTED_PROXIES).toEqual(["10.0.0.1", "::1"]);
  });

  it.each([
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL"],
    [{ RMS_ENROLLMENT_URL: "ftp://x" }, "RMS_ENROLLMENT_URL"],
    [{ RMS_SECURE_COOKIES: "yes" }, "RMS_SECURE_COOKIES"],
    [{ RMS_TRUSTED_PROXIES: "proxy.local" }, "RMS_TRUSTED_PROXIES"],
    [{ RMS_SESSION_IDLE_MINUTES: "0" }, "RMS_SESSION_IDLE_MINUTES"],
  ])("rejects %o naming the variable", (source, variable) => {
    const loaded = loadEnv(source);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) expect(loaded.message).toContain(variable);
  });
});
