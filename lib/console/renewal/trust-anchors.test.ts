// The trust-anchor file at start: present and CA-only, pinned by RMS_TRUST_ANCHOR_SHA256, and the bundled service's
// root copied from disk only when no file exists yet (a pin it does not match stops before anything is written).
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestTlsPki, type TestTlsPki } from "@/tests/support/tls";
import { certificateFingerprint, checkTrustAnchorFile, installBundledRoot, loadTrustAnchors } from "./trust-anchors";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-trust-anchors-"));
let ours: TestTlsPki;
let theirs: TestTlsPki;

/** The pin as lib/console/env normalises RMS_TRUST_ANCHOR_SHA256: upper-case hex without colons. */
const pinOf = (pem: string) => certificateFingerprint(pem).replace(/:/g, "");

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  [ours, theirs] = await Promise.all([createTestTlsPki({ label: "Ours" }), createTestTlsPki({ label: "Theirs" })]);
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe("certificateFingerprint", () => {
  it("is the SHA-256 fingerprint openssl prints", () => {
    const fingerprint = certificateFingerprint(ours.rootPem);
    expect(fingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(fingerprint).toBe(new X509Certificate(ours.rootPem).fingerprint256);
  });
});

describe("checkTrustAnchorFile", () => {
  it("accepts a bundle of CA certificates and lists their fingerprints", () => {
    const file = write("bundle.pem", `${theirs.rootPem}\n${ours.rootPem}`);
    expect(checkTrustAnchorFile(file)).toEqual({
      ok: true,
      fingerprints: [certificateFingerprint(theirs.rootPem), certificateFingerprint(ours.rootPem)],
    });
    expect(checkTrustAnchorFile(file, pinOf(ours.rootPem)).ok).toBe(true);
  });

  it("stops on a missing file, an empty one, or a certificate that is not a CA", () => {
    const missing = checkTrustAnchorFile(path.join(tmp, "absent.pem"));
    expect(missing).toMatchObject({ ok: false, message: expect.stringContaining("No trust anchors at") });
    expect(checkTrustAnchorFile(write("empty.pem", ""))).toMatchObject({
      ok: false,
      message: expect.stringContaining("holds no CA certificate"),
    });
    expect(checkTrustAnchorFile(write("leaf.pem", ours.serverCertPem))).toMatchObject({
      ok: false,
      message: expect.stringContaining("is not a CA certificate"),
    });
  });

  it("stops when no certificate has the pinned fingerprint, naming both", () => {
    const file = write("theirs.pem", theirs.rootPem);
    const result = checkTrustAnchorFile(file, pinOf(ours.rootPem));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.message).toContain(`pins the enrollment root ${certificateFingerprint(ours.rootPem)}`);
    expect(result.message).toContain(certificateFingerprint(theirs.rootPem));
    expect(result.message).toContain(file);
  });
});

describe("installBundledRoot", () => {
  it("copies the bundled root when the console has no trust-anchor file, then leaves the file alone", () => {
    const rootPath = write("bundled-root.pem", ours.rootPem);
    const trustAnchorsPath = path.join(tmp, "console", "trust-anchors.pem");
    const fingerprint = certificateFingerprint(ours.rootPem);
    expect(installBundledRoot({ rootPath, trustAnchorsPath, pin: pinOf(ours.rootPem) })).toEqual({
      ok: true,
      installed: true,
      fingerprint,
    });
    expect(loadTrustAnchors(trustAnchorsPath)).toHaveLength(1);

    fs.writeFileSync(trustAnchorsPath, theirs.rootPem);
    expect(installBundledRoot({ rootPath, trustAnchorsPath })).toEqual({ ok: true, installed: false, fingerprint });
    expect(fs.readFileSync(trustAnchorsPath, "utf8")).toBe(theirs.rootPem);
    expect(fs.readdirSync(path.dirname(trustAnchorsPath))).toEqual(["trust-anchors.pem"]);
  });

  it("writes nothing when the bundled root does not match the pin", () => {
    const rootPath = write("bundled-other.pem", theirs.rootPem);
    const trustAnchorsPath = path.join(tmp, "pinned", "trust-anchors.pem");
    const result = installBundledRoot({ rootPath, trustAnchorsPath, pin: pinOf(ours.rootPem) });
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining(certificateFingerprint(theirs.rootPem)) });
    expect(fs.existsSync(trustAnchorsPath)).toBe(false);
  });

  it("refuses a root file that is missing or holds anything but one CA certificate", () => {
    const trustAnchorsPath = path.join(tmp, "never", "trust-anchors.pem");
    expect(installBundledRoot({ rootPath: path.join(tmp, "no-root.pem"), trustAnchorsPath }).ok).toBe(false);
    expect(installBundledRoot({ rootPath: write("two.pem", `${ours.rootPem}\n${theirs.rootPem}`), trustAnchorsPath }).ok).toBe(false);
    expect(installBundledRoot({ rootPath: write("server.pem", ours.serverCertPem), trustAnchorsPath }).ok).toBe(false);
    expect(fs.existsSync(trustAnchorsPath)).toBe(false);
  });
});
