// Settings come from the environment: defaults, bounds, and a readable message for each mistake.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadEnrollmentConfig } from "./config";

describe("loadEnrollmentConfig", () => {
  it("uses the documented defaults", () => {
    const result = loadEnrollmentConfig({}, "/srv/rms");
    expect(result).toEqual({
      ok: true,
      config: {
        host: "127.0.0.1",
        port: 3001,
        dataDir: path.resolve("/srv/rms/data/enrollment"),
        validityDays: 365,
        issuerName: "RMS Enrollment Service",
        policy: "approval",
        databaseUrl: undefined,
        databaseSchema: undefined,
        tlsCertFile: undefined,
        tlsKeyFile: undefined,
        tlsNames: [],
        allowedHosts: null,
        rateLimitPerMinute: 120,
        workers: null,
        queueLength: 64,
        taskTimeoutMs: 10_000,
        metricsToken: null,
        trustedProxies: [],
        maxPendingPerSource: 5,
        maxPending: 200,
        pkcs11: null,
      },
    });
  });

  it("reads the service's own PKCS#11 token settings, apart from the console's, and names what a set lacks", () => {
    const result = loadEnrollmentConfig(
      {
        RMS_ENROLLMENT_PKCS11_MODULE: "/usr/lib/softhsm/libsofthsm2.so",
        RMS_ENROLLMENT_PKCS11_TOKEN_LABEL: "rms-enrollment",
        RMS_ENROLLMENT_PKCS11_PIN_FILE: "secrets/token.pin",
        // The console's token is not the service's.
        RMS_PKCS11_MODULE: "/opt/other/lib.so",
      },
      "/srv",
    );
    expect(result.ok && result.config.pkcs11).toEqual({
      modulePath: "/usr/lib/softhsm/libsofthsm2.so",
      tokenLabel: "rms-enrollment",
      pinFile: "/srv/secrets/token.pin",
      source: "RMS_ENROLLMENT_PKCS11",
    });
    const noPin = loadEnrollmentConfig({
      RMS_ENROLLMENT_PKCS11_MODULE: "/usr/lib/softhsm/libsofthsm2.so",
      RMS_ENROLLMENT_PKCS11_SLOT: "3",
    });
    expect(!noPin.ok && noPin.message).toContain("RMS_ENROLLMENT_PKCS11_PIN_FILE");
    const stray = loadEnrollmentConfig({ RMS_ENROLLMENT_PKCS11_PIN: "1234" });
    expect(!stray.ok && stray.message).toContain("RMS_ENROLLMENT_PKCS11_MODULE");
    const relative = loadEnrollmentConfig({
      RMS_ENROLLMENT_PKCS11_MODULE: "libsofthsm2.so",
      RMS_ENROLLMENT_PKCS11_SLOT: "0",
      RMS_ENROLLMENT_PKCS11_PIN: "x",
    });
    expect(!relative.ok && relative.message).toContain("absolute path");
    const secret = "9876-secret-pin";
    const both = loadEnrollmentConfig({
      RMS_ENROLLMENT_PKCS11_MODULE: "/usr/lib/softhsm/libsofthsm2.so",
      RMS_ENROLLMENT_PKCS11_TOKEN_LABEL: "a",
      RMS_ENROLLMENT_PKCS11_SLOT: "1",
      RMS_ENROLLMENT_PKCS11_PIN: secret,
    });
    expect(!both.ok && both.message).toContain("RMS_ENROLLMENT_PKCS11_SLOT");
    expect(!both.ok && both.message).not.toContain(secret);
  });

  it("reads the policy, store, TLS and limits, and refuses half a TLS pair or an unknown policy", () => {
    const result = loadEnrollmentConfig(
      {
        RMS_ENROLLMENT_POLICY: "open",
        RMS_ENROLLMENT_DATABASE_URL: "postgres://u@db.example/rms",
        RMS_ENROLLMENT_TLS_CERT: "tls/cert.pem",
        RMS_ENROLLMENT_TLS_KEY: "tls/key.pem",
        RMS_ENROLLMENT_TLS_NAMES: "signing.contoso.example, 10.0.0.5",
        RMS_ENROLLMENT_ALLOWED_HOSTS: "signing.contoso.example:3001",
        // The console's list is not the service's.
        RMS_ALLOWED_HOSTS: "rms.contoso.example",
      },
      "/srv",
    );
    expect(result).toMatchObject({
      ok: true,
      config: {
        policy: "open",
        databaseUrl: "postgres://u@db.example/rms",
        tlsCertFile: "/srv/tls/cert.pem",
        tlsKeyFile: "/srv/tls/key.pem",
        tlsNames: ["signing.contoso.example", "10.0.0.5"],
        allowedHosts: ["signing.contoso.example:3001"],
      },
    });
    const half = loadEnrollmentConfig({ RMS_ENROLLMENT_TLS_CERT: "cert.pem" });
    expect(half.ok).toBe(false);
    expect(!half.ok && half.message).toContain("RMS_ENROLLMENT_TLS_KEY");
    const policy = loadEnrollmentConfig({ RMS_ENROLLMENT_POLICY: "anyone" });
    expect(!policy.ok && policy.message).toContain("RMS_ENROLLMENT_POLICY");
    const db = loadEnrollmentConfig({ RMS_ENROLLMENT_DATABASE_URL: "mysql://x" });
    expect(!db.ok && db.message).toContain("RMS_ENROLLMENT_DATABASE_URL");
  });

  it("puts the data folder under RMS_DATA_DIR unless RMS_ENROLLMENT_DATA_DIR is given", () => {
    const underData = loadEnrollmentConfig({ RMS_DATA_DIR: "/var/lib/rms" }, "/srv");
    expect(underData.ok && underData.config.dataDir).toBe("/var/lib/rms/enrollment");
    const own = loadEnrollmentConfig({ RMS_DATA_DIR: "/var/lib/rms", RMS_ENROLLMENT_DATA_DIR: "signing" }, "/srv");
    expect(own.ok && own.config.dataDir).toBe("/srv/signing");
  });

  it("accepts explicit values and treats empty strings as unset", () => {
    const result = loadEnrollmentConfig({
      RMS_ENROLLMENT_PORT: "4001",
      HOST: "0.0.0.0",
      RMS_SLC_VALIDITY_DAYS: "30",
      RMS_ENROLLMENT_ISSUER: "Contoso Signing",
      RMS_DATA_DIR: "",
    });
    expect(result.ok && result.config).toMatchObject({ port: 4001, host: "0.0.0.0", validityDays: 30, issuerName: "Contoso Signing" });
  });

  it.each([
    [{ RMS_ENROLLMENT_PORT: "abc" }, "RMS_ENROLLMENT_PORT"],
    [{ RMS_ENROLLMENT_PORT: "70000" }, "RMS_ENROLLMENT_PORT"],
    [{ RMS_SLC_VALIDITY_DAYS: "0" }, "RMS_SLC_VALIDITY_DAYS"],
    [{ RMS_SLC_VALIDITY_DAYS: "3651" }, "RMS_SLC_VALIDITY_DAYS"],
    [{ RMS_SLC_VALIDITY_DAYS: "1.5" }, "RMS_SLC_VALIDITY_DAYS"],
    [{ HOST: "bad host/" }, "HOST"],
    [{ RMS_ENROLLMENT_ISSUER: "a\nb" }, "RMS_ENROLLMENT_ISSUER"],
  ])("rejects %o naming the variable", (env, variable) => {
    const result = loadEnrollmentConfig(env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(variable);
  });
});
