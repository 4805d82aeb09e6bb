// Every renewal failure code has one wording in the catalogue, in English and Swedish, with every placeholder filled.
import { describe, expect, it } from "vitest";
import { LOCALES } from "@/lib/platform/i18n/locales";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { type FailureMessageKey, failureMessage, type MessageDescriptor, resolveMessage } from "./failure-messages";
import type { RenewalFailure, RenewalFailureCode } from "./failures";

const REQUEST_ID = "0b6f6a2e-3c1d-4f8e-9a7b-2c5d8e1f4a6b";
const checkFailure = { failedCheck: "public_key" as const, rejectReason: "wrong_public_key" as const, checks: [], detail: "key differs" };

// A record keyed by code, so a new failure code does not compile until it has a sample here.
const samples: Record<RenewalFailureCode, RenewalFailure[]> = {
  not_found: [{ ok: false, code: "not_found" }],
  in_progress: [{ ok: false, code: "in_progress" }],
  no_key: [{ ok: false, code: "no_key" }],
  no_pending: [{ ok: false, code: "no_pending" }],
  changed: [{ ok: false, code: "changed" }],
  no_certificate: [{ ok: false, code: "no_certificate" }],
  rekey_pending: [{ ok: false, code: "rekey_pending" }],
  key_unavailable: [{ ok: false, code: "key_unavailable", detail: "RMS_MASTER_KEY is wrong." }],
  no_trust_anchors: [{ ok: false, code: "no_trust_anchors", detail: "no root installed" }],
  unreachable: [{ ok: false, code: "unreachable", detail: "ECONNREFUSED" }],
  timeout: [{ ok: false, code: "timeout", detail: "no answer" }],
  untrusted: [
    { ok: false, code: "untrusted", tlsCode: "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", detail: "unable to get local issuer certificate" },
  ],
  tls_failed: [{ ok: false, code: "tls_failed", detail: "EPROTO: wrong version number" }],
  misdirected: [{ ok: false, code: "misdirected" }],
  proxy_unreachable: [{ ok: false, code: "proxy_unreachable", proxy: "proxy.contoso.com:3128", detail: "ECONNREFUSED" }],
  proxy_auth_required: [{ ok: false, code: "proxy_auth_required", proxy: "proxy.contoso.com:3128", detail: "credentials refused" }],
  proxy_refused: [{ ok: false, code: "proxy_refused", proxy: "proxy.contoso.com:3128", status: 403, detail: "HTTP 403 Forbidden" }],
  proxy_timeout: [{ ok: false, code: "proxy_timeout", proxy: "proxy.contoso.com:3128", detail: "no answer to CONNECT" }],
  proxy_unusable: [{ ok: false, code: "proxy_unusable", detail: "The master key cannot decrypt it." }],
  pending_approval: [{ ok: false, code: "pending_approval", requestId: REQUEST_ID, submissionId: "a".repeat(32) }],
  conflict: [{ ok: false, code: "conflict", requestId: REQUEST_ID, serviceMessage: "Another request has this ID." }],
  rejected: [
    { ok: false, code: "rejected", reason: "signature_invalid", serviceMessage: "bad signature" },
    { ok: false, code: "rejected", reason: "policy", serviceMessage: "Waiting for an operator." },
  ],
  busy: [
    { ok: false, code: "busy", retryAfterSeconds: 7 },
    { ok: false, code: "busy", retryAfterSeconds: null },
  ],
  server_error: [{ ok: false, code: "server_error", status: 500 }],
  invalid_response: [
    { ok: false, code: "invalid_response", failedCheck: null, detail: "expected XML, got text/html" },
    { ok: false, code: "invalid_response", ...checkFailure },
  ],
  invalid_file: [{ ok: false, code: "invalid_file", ...checkFailure }],
};
const all = Object.values(samples).flat();
const context = { enrollmentUrl: "https://127.0.0.1:3001" };

function keys(message: MessageDescriptor): FailureMessageKey[] {
  const nested = Object.values(message.values ?? {}).flatMap((value) => (typeof value === "object" ? keys(value) : []));
  return [message.key, ...nested];
}

describe("failure messages", () => {
  it("maps every failure to keys the catalogue has", () => {
    for (const failure of all) {
      for (const key of keys(failureMessage(failure, context))) expect(translatorFor("en").has(key), key).toBe(true);
    }
  });

  it("fills every placeholder in every language", () => {
    for (const locale of LOCALES) {
      const t = translatorFor(locale);
      for (const failure of all) {
        const text = resolveMessage(failureMessage(failure, context), (key, values) => t(key, values));
        expect(text, `${locale} ${failure.code}`).not.toMatch(/\{\w+\}/);
      }
    }
  });

  it("words a known rejection reason ourselves and passes the service's message on otherwise", () => {
    const t = translatorFor("en");
    const text = (failure: RenewalFailure) => resolveMessage(failureMessage(failure, context), (key, values) => t(key, values));
    const [known, unknown] = samples.rejected;
    if (!known || !unknown) throw new Error("samples missing");
    expect(text(known)).toContain(t("reason.signature_invalid"));
    expect(text(unknown)).toContain("Waiting for an operator.");
    expect(text({ ok: false, code: "unreachable", detail: "x" })).toContain(context.enrollmentUrl);
  });

  it("gives the request ID and the way back for a request held for approval, and the TLS code for an untrusted service", () => {
    for (const locale of LOCALES) {
      const t = translatorFor(locale);
      const text = (failure: RenewalFailure) => resolveMessage(failureMessage(failure, context), (key, values) => t(key, values));
      const [held] = samples.pending_approval;
      const [untrusted] = samples.untrusted;
      if (!held || !untrusted) throw new Error("samples missing");
      expect(text(held), locale).toContain(REQUEST_ID);
      // The way on is Check for the approved certificate, not the offline path the cluster may not have.
      expect(text(held), locale).toContain(t("held.check"));
      expect(text(held), locale).not.toContain(`→ Offline → ${t("renew.browse")}`);
      expect(text(untrusted), locale).toContain("UNABLE_TO_GET_ISSUER_CERT_LOCALLY");
      expect(text(untrusted), locale).toContain("RMS_TRUST_ANCHORS");
      expect(text({ ok: false, code: "unreachable", detail: "ECONNREFUSED" }), locale).toContain("Offline");
    }
  });
});
