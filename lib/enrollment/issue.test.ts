// Issuing: a verified request becomes an SLC that the console's verifier accepts; a bad request gets the right status.
import { beforeAll, describe, expect, it } from "vitest";
import { verifySlc } from "@/lib/core/certificates/verify-slc";
import { buildTestRenewalRequest, createTestPki, type TestPki } from "@/tests/support/certificate-fixtures";
import type { CaMaterial } from "./ca";
import { checkRequest, type IssuancePolicy, requestRejectStatus, signSlc } from "./issue";

/** The service's two steps in a row, as the desk runs them for an accepted request. */
function issueSlc(xml: string, ca: CaMaterial, policy: IssuancePolicy) {
  const checked = checkRequest(xml, policy.now);
  if (!checked.ok) return checked;
  const signed = signSlc(checked.request, { serviceKeyPem: ca.serviceKeyPem, chainPem: [ca.serviceCertPem, ca.caCertPem] }, policy);
  return { ok: true as const, request: checked.request, ...signed };
}

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

describe("checkRequest then signSlc", () => {
  it("issues an SLC for the request's key, GUID, URL and id, valid from now for validityDays", async () => {
    const { xml, fields } = await buildTestRenewalRequest({ serverName: "RMS <01> & co" });
    const now = new Date();
    const result = issueSlc(xml, pki.ca, { validityDays: 30, issuerName: "Contoso Enrollment", now });
    if (!result.ok) throw new Error(`${result.reason}: ${result.detail}`);
    expect(result.request).toEqual(fields);
    expect(result.slc.serverGuid).toBe(fields.clusterGuid);
    expect(result.slc.requestId).toBe(fields.requestId);
    expect(result.slc.validFrom.getTime()).toBe(now.getTime());
    expect(result.slc.validUntil.getTime() - now.getTime()).toBe(30 * 86_400_000);
    expect(result.slc.serialNumber).toMatch(/^[0-9A-F]{32}$/);

    const verified = verifySlc(result.slcXml, {
      trustAnchorsPem: pki.trustAnchorsPem,
      expect: {
        publicKeyBase64: fields.publicKeyBase64,
        clusterGuid: fields.clusterGuid,
        clusterUrl: fields.clusterUrl,
        pendingRequestId: fields.requestId,
        installedValidUntil: null,
        now,
      },
    });
    if (!verified.ok) throw new Error(`${verified.reason}: ${verified.detail}`);
    expect(verified.slc.serverName).toBe("RMS <01> & co");
    expect(verified.slc.issuerName).toBe("Contoso Enrollment");
  });

  it("serials differ between issuances", async () => {
    const { xml } = await buildTestRenewalRequest();
    const policy = { validityDays: 365, issuerName: "X", now: new Date() };
    const a = issueSlc(xml, pki.ca, policy);
    const b = issueSlc(xml, pki.ca, policy);
    expect(a.ok && b.ok && a.slc.serialNumber !== b.slc.serialNumber).toBe(true);
  });

  it("refuses bad requests with 413 / 400 / 422 and the reason", async () => {
    const { xml } = await buildTestRenewalRequest();
    const policy = { validityDays: 365, issuerName: "X", now: new Date() };
    const big = issueSlc(`<RenewalRequest a="${"x".repeat(300_000)}"/>`, pki.ca, policy);
    expect(big).toMatchObject({ ok: false, status: 413, reason: "too_large" });
    expect(issueSlc("<!DOCTYPE x><x/>", pki.ca, policy)).toMatchObject({ ok: false, status: 400, reason: "doctype" });
    expect(issueSlc(xml.replace("<SKU>RMS</SKU>", "<SKU>RMT</SKU>"), pki.ca, policy)).toMatchObject({
      ok: false,
      status: 422,
      reason: "digest_mismatch",
    });
    expect(requestRejectStatus("malformed")).toBe(400);
    expect(requestRejectStatus("request_expired")).toBe(422);
  });
});
