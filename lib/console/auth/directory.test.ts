// The pure parts of directory sign-in: AD's bind error sub-codes (from the real Windows strings; Samba's are checked
// against a running domain controller in tests/integration/active-directory.test.ts), names as typed, realms and SIDs.
import { describe, expect, it } from "vitest";
import { AUDIT_REASONS } from "@/lib/console/audit/describe";
import { translatorFor } from "@/lib/platform/i18n/messages";
import {
  AD_RESTRICTIONS,
  adBindRestriction,
  canonicalDirectoryName,
  DIRECTORY_REFUSALS,
  parseDirectoryName,
  realmOfDn,
  sidToString,
} from "./directory";

// What Windows Server 2016–2022 domain controllers answer a simple bind with (diagnosticMessage of resultCode 49).
const windows = (data: string) => `80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${data}, v4563`;

describe("AD bind error sub-codes", () => {
  it("tells each reason Windows gives for refusing a correct password", () => {
    expect(adBindRestriction(windows("773"))).toBe("must_change_password");
    expect(adBindRestriction(windows("532"))).toBe("password_expired");
    expect(adBindRestriction(windows("701"))).toBe("account_expired");
    expect(adBindRestriction(windows("533"))).toBe("account_disabled");
    expect(adBindRestriction(windows("775"))).toBe("account_locked");
    expect(adBindRestriction(windows("530"))).toBe("logon_hours");
    expect(adBindRestriction(windows("531"))).toBe("workstation");
    // Samba 4.17 words it the same, with its own DSID and version.
    expect(adBindRestriction("80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 773, v1db1")).toBe(
      "must_change_password",
    );
  });

  it("is no reason for a wrong password, an unknown user, another server's message or a code it does not know", () => {
    expect(adBindRestriction(windows("52e"))).toBeNull();
    expect(adBindRestriction(windows("525"))).toBeNull();
    expect(adBindRestriction(windows("52f"))).toBeNull();
    expect(adBindRestriction(windows("constructor"))).toBeNull();
    expect(adBindRestriction("Invalid credentials")).toBeNull();
    expect(adBindRestriction("")).toBeNull();
  });

  it("words every reason sign-in records, in both languages", () => {
    for (const locale of ["en", "sv"] as const) {
      const t = translatorFor(locale);
      for (const restriction of Object.values(AD_RESTRICTIONS)) {
        expect(t(`signIn.restricted.${restriction}`)).not.toContain("signIn.");
        expect(AUDIT_REASONS).toContain(restriction);
        const sentence = t("audit.sentence.sign_in", { outcome: "failure", reason: t(`audit.reason.${restriction}`) });
        expect(sentence).not.toContain(restriction);
      }
      for (const reason of [...DIRECTORY_REFUSALS, "directory_unavailable", "directory_refused", "throttled"] as const) {
        expect(AUDIT_REASONS).toContain(reason);
        expect(t(`audit.reason.${reason}`)).not.toMatch(/_/);
      }
    }
    expect(translatorFor("sv")("signIn.restricted.account_locked")).toMatch(/utelåst/);
  });
});

describe("names as typed", () => {
  it("splits DOMAIN\\user, user@suffix and a bare name; another domain goes nowhere", () => {
    expect(parseDirectoryName("RMS\\alice", "RMS")).toEqual({ login: "alice", upnSuffix: null });
    expect(parseDirectoryName("rms\\alice", "RMS")).toEqual({ login: "alice", upnSuffix: null });
    expect(parseDirectoryName("alice@Contoso.COM", "RMS")).toEqual({ login: "alice", upnSuffix: "contoso.com" });
    expect(parseDirectoryName("alice", "RMS")).toEqual({ login: "alice", upnSuffix: null });
    expect(parseDirectoryName("EVIL\\alice", "RMS")).toBeNull();
  });

  it("names an account as Windows shows it: the domain in capitals, the account as stored", () => {
    expect(canonicalDirectoryName("rms", "Alice")).toBe("RMS\\Alice");
  });

  it("derives a realm from a base DN's dc= parts", () => {
    expect(realmOfDn("OU=People, DC=Contoso,DC=com")).toBe("contoso.com");
    expect(realmOfDn("ou=people,o=example")).toBeNull();
    expect(realmOfDn("")).toBeNull();
  });

  it("reads binary SIDs", () => {
    expect(sidToString(Buffer.from("AQUAAAAAAAUVAAAA2Ps1rj0BjnLqgq3wAAIAAA==", "base64"))).toBe(
      "S-1-5-21-2922773464-1921909053-4037903082-512",
    );
    expect(sidToString(Buffer.from("AQIAAAAAAAUgAAAAIAIAAA==", "base64"))).toBe("S-1-5-32-544");
    expect(sidToString(Buffer.from([1, 5, 0]))).toBeNull();
  });
});
