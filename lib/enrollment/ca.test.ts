// The enrollment CA hierarchy: right shape, right constraints, and openssl agrees.
import "reflect-metadata";
import { spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { type CaMaterial, createCaHierarchy } from "./ca";

let material: CaMaterial;
const now = new Date("2026-06-01T12:00:00Z");

beforeAll(async () => {
  material = await createCaHierarchy({ organization: 'Contoso, Ltd. "Ops" <RMS> Å', now });
});

function ext(pem: string) {
  const cert = new x509.X509Certificate(pem);
  return {
    cert,
    bc: cert.getExtension(x509.BasicConstraintsExtension),
    ku: cert.getExtension(x509.KeyUsagesExtension),
  };
}

describe("createCaHierarchy", () => {
  it("builds root (10 y, CA, 3072-bit) → enrollment CA (5 y, pathLen 0) → service (2 y, digitalSignature only)", () => {
    const root = ext(material.rootCertPem);
    const ca = ext(material.caCertPem);
    const service = ext(material.serviceCertPem);
    expect(root.bc?.ca).toBe(true);
    expect(ca.bc?.ca).toBe(true);
    expect(ca.bc?.pathLength).toBe(0);
    expect(service.bc?.ca).toBe(false);
    expect((ca.ku?.usages ?? 0) & x509.KeyUsageFlags.keyCertSign).toBeTruthy();
    expect(service.ku?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    const years = (c: x509.X509Certificate) => Math.round((c.notAfter.getTime() - now.getTime()) / (365.25 * 86_400_000));
    expect([years(root.cert), years(ca.cert), years(service.cert)]).toEqual([10, 5, 2]);
    expect(new X509Certificate(material.rootCertPem).publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
  });

  it("keeps awkward organisation names intact in the subject", () => {
    const subject = new x509.X509Certificate(material.serviceCertPem).subjectName;
    expect(subject.getField("O")).toEqual(['Contoso, Ltd. "Ops" <RMS> Å']);
    expect(subject.getField("CN")).toEqual(['Contoso, Ltd. "Ops" <RMS> Å Enrollment Service']);
  });

  it("names the service certificate once for the default issuer name, whatever its case or spacing", async () => {
    for (const issuerName of ["RMS Enrollment Service", "  RMS   enrollment SERVICE ", "Enrollment Service"]) {
      const hierarchy = await createCaHierarchy({ organization: issuerName, now });
      const names = [hierarchy.rootCertPem, hierarchy.caCertPem, hierarchy.serviceCertPem].map((pem) => new X509Certificate(pem).subject);
      expect(names).toEqual(["CN=RMS Enrollment Root\nO=RMS", "CN=RMS Enrollment CA\nO=RMS", "CN=RMS Enrollment Service\nO=RMS"]);
    }
  });

  it("chains by signature and name, and each private key matches its certificate", () => {
    const root = new X509Certificate(material.rootCertPem);
    const ca = new X509Certificate(material.caCertPem);
    const service = new X509Certificate(material.serviceCertPem);
    expect(ca.checkIssued(root) && ca.verify(root.publicKey)).toBe(true);
    expect(service.checkIssued(ca) && service.verify(ca.publicKey)).toBe(true);
    expect(service.checkPrivateKey(createPrivateKey(material.serviceKeyPem))).toBe(true);
    expect(ca.checkPrivateKey(createPrivateKey(material.caKeyPem))).toBe(true);
    expect(root.checkPrivateKey(createPrivateKey(material.rootKeyPem))).toBe(true);
  });

  it("is accepted by openssl verify -CAfile root.pem -untrusted ca.pem service.pem", () => {
    const dir = mkdtempSync(join(tmpdir(), "rms-ca-"));
    try {
      for (const [n, pem] of [
        ["root", material.rootCertPem],
        ["ca", material.caCertPem],
        ["service", material.serviceCertPem],
      ] as const) {
        writeFileSync(join(dir, `${n}.pem`), pem);
      }
      const attime = String(Math.floor(now.getTime() / 1000) + 60);
      const r = spawnSync(
        "openssl",
        ["verify", "-attime", attime, "-CAfile", join(dir, "root.pem"), "-untrusted", join(dir, "ca.pem"), join(dir, "service.pem")],
        {
          encoding: "utf8",
        },
      );
      expect(r.error).toBeUndefined();
      expect(r.stdout).toContain("service.pem: OK");
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
