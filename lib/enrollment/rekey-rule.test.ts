// The re-key rule as a table: which re-key requests are held for the operator, which are refused, and when approval moves.
import { describe, expect, it } from "vitest";
import { rekeyMayMove, rekeyReview, storedRekeyReplaces } from "./rekey-rule";

const GUID = "{11111111-2222-3333-4444-555555555555}";
const OLD = `${"AA:".repeat(31)}AA`;
const NEW = `${"BB:".repeat(31)}BB`;
const SLC_FP = `${"CC:".repeat(31)}CC`;
const rekey = { replacesSlcSerial: "0A1B", replacesSlcFingerprint: SLC_FP };

describe("rekeyReview", () => {
  const cases: Array<[string, Parameters<typeof rekeyReview>[0], string | null]> = [
    [
      "no Rekey element: not a re-key",
      { request: { clusterGuid: GUID }, keyFingerprint: NEW, registration: { keyFingerprint: OLD }, replaced: null },
      null,
    ],
    [
      "unregistered GUID",
      { request: { clusterGuid: GUID, rekey }, keyFingerprint: NEW, registration: null, replaced: null },
      "rekey_not_registered",
    ],
    [
      "signed by the registered key",
      {
        request: { clusterGuid: GUID, rekey },
        keyFingerprint: OLD,
        registration: { keyFingerprint: OLD },
        replaced: { keyFingerprint: OLD, fingerprint: SLC_FP },
      },
      "rekey_same_key",
    ],
    [
      "names no certificate the service issued",
      { request: { clusterGuid: GUID, rekey }, keyFingerprint: NEW, registration: { keyFingerprint: OLD }, replaced: null },
      "rekey_wrong_certificate",
    ],
    [
      "names a certificate of another key",
      {
        request: { clusterGuid: GUID, rekey },
        keyFingerprint: NEW,
        registration: { keyFingerprint: OLD },
        replaced: { keyFingerprint: NEW, fingerprint: SLC_FP },
      },
      "rekey_wrong_certificate",
    ],
    [
      "names the serial with another fingerprint",
      {
        request: { clusterGuid: GUID, rekey },
        keyFingerprint: NEW,
        registration: { keyFingerprint: OLD },
        replaced: { keyFingerprint: OLD, fingerprint: NEW },
      },
      "rekey_wrong_certificate",
    ],
    [
      "a genuine re-key",
      {
        request: { clusterGuid: GUID, rekey },
        keyFingerprint: NEW,
        registration: { keyFingerprint: OLD },
        replaced: { keyFingerprint: OLD, fingerprint: SLC_FP },
      },
      "rekey",
    ],
  ];
  for (const [name, facts, expected] of cases) {
    it(name, () => {
      const outcome = rekeyReview(facts);
      const got = outcome === null ? null : "refused" in outcome ? outcome.refused.reason : outcome.reason;
      expect(got).toBe(expected);
    });
  }
});

describe("rekeyMayMove", () => {
  it("moves only while the GUID is registered to the replaced certificate's key", () => {
    expect(rekeyMayMove(OLD, OLD)).toBe(true);
    expect(rekeyMayMove(NEW, OLD)).toBe(false);
    expect(rekeyMayMove(OLD, null)).toBe(false);
    expect(rekeyMayMove(null, OLD)).toBe(false);
  });
});

describe("storedRekeyReplaces", () => {
  it("reads what a stored re-key request names, and nothing from a renewal", () => {
    expect(
      storedRekeyReplaces(
        `<Rekey><ReplacesSlcSerial>0A1B</ReplacesSlcSerial><ReplacesSlcFingerprint>${SLC_FP}</ReplacesSlcFingerprint></Rekey>`,
      ),
    ).toEqual({ serial: "0A1B", fingerprint: SLC_FP });
    expect(storedRekeyReplaces("<InstalledSlcSerial>0A1B</InstalledSlcSerial>")).toBeNull();
  });
});
