// The web site's HTML: accessible structure, both languages, and escaping of everything that came from a request.
import { describe, expect, it } from "vitest";
import { REQUEST_REJECT_REASONS } from "@/lib/certificates/renewal-request";
import { translatorFor } from "@/lib/i18n/messages";
import { escapeHtml, rejectionMessageKey, renderHomePage, renderSubmissionPage } from "./pages";
import type { IssuedSlcRecord } from "./store";

const record: IssuedSlcRecord = {
  id: "0123456789abcdef0123456789abcdef",
  channel: "web",
  serverName: `<script>alert("x")</script>' & "q"`,
  clusterUrl: "https://rms.example.com/_wmcs?a=1&b=<2>",
  guid: "{12345678-1234-1234-1234-123456789ABC}",
  keyFingerprint: "AB:CD",
  requestId: "5c8e8d2e-4d1b-4b0c-9d2a-1f0f4a9a0b1c",
  serialNumber: "0A1B",
  issuedAt: "2025-01-01T00:00:00.000Z",
  validFrom: "2025-01-01T00:00:00.000Z",
  validUntil: "2026-01-01T00:00:00.000Z",
  issuerName: "RMS Enrollment Service",
};

describe("home page", () => {
  it("has the labelled form, the submit button and the root certificate link", () => {
    const html = renderHomePage({ locale: "en", rootFingerprint: "AA:BB" });
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<main>[\s\S]*<h1>/);
    expect(html).toContain('<form method="post" enctype="multipart/form-data" action="/submissions">');
    expect(html).toContain('<label for="request">Request file</label>');
    expect(html).toContain('<input type="file" id="request" name="request"');
    expect(html).toContain('<button type="submit">Submit</button>');
    expect(html).toContain('<a href="/root.pem" download>Download root certificate</a>');
    expect(html).not.toContain('role="alert"');
  });

  it("speaks Swedish", () => {
    const html = renderHomePage({ locale: "sv", rootFingerprint: "AA:BB" });
    expect(html).toContain('<html lang="sv">');
    expect(html).toContain('<label for="request">Begäransfil</label>');
    expect(html).toContain('<button type="submit">Skicka</button>');
    expect(html).toContain(">Hämta rotcertifikat</a>");
  });

  it("announces an error, tied to the input, with the detail escaped", () => {
    const html = renderHomePage({
      locale: "en",
      rootFingerprint: "AA:BB",
      error: { message: "Bad <file>", detail: 'element "<x>"' },
    });
    expect(html).toContain('role="alert"');
    expect(html).toContain("Bad &lt;file&gt;");
    expect(html).toContain("element &quot;&lt;x&gt;&quot;");
    expect(html).toContain('aria-describedby="request-hint request-error"');
    expect(html).toContain('aria-invalid="true"');
  });
});

describe("submission page", () => {
  it("shows every field and escapes hostile values", () => {
    const html = renderSubmissionPage({ locale: "en", record });
    expect(html).not.toContain("<script>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; &amp; &quot;q&quot;");
    expect(html).toContain("https://rms.example.com/_wmcs?a=1&amp;b=&lt;2&gt;");
    expect(html).toContain(record.guid);
    expect(html).toContain(record.keyFingerprint);
    expect(html).toContain(record.requestId);
    expect(html).toContain("1 January 2026");
    expect(html).toContain(`href="/submissions/${record.id}/certificate"`);
    expect(html).toContain(">Download certificate</a>");
  });

  it("speaks Swedish", () => {
    const html = renderSubmissionPage({ locale: "sv", record });
    expect(html).toContain(">Hämta certifikat</a>");
    expect(html).toContain("Servernamn");
  });
});

describe("helpers", () => {
  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  });

  it("maps verifier reasons to a message saying what to do", () => {
    // One wording per code: the same sentence the console shows for that reason.
    expect(rejectionMessageKey("signature_invalid")).toBe("reason.signature_invalid");
    for (const reason of REQUEST_REJECT_REASONS) {
      for (const locale of ["en", "sv"] as const) expect(translatorFor(locale).has(rejectionMessageKey(reason)), reason).toBe(true);
    }
  });
});
