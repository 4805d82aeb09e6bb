import { describe, expect, it } from "vitest";
import { revocationEntryFor, revocationStatusChangesAt } from "./status";

const checkedAt = new Date("2026-12-05T06:00:00Z");
const nextUpdate = new Date("2026-12-06T06:00:00Z");

describe("revocationStatusChangesAt", () => {
  it("is the first instant past the list's next update for a 'not revoked' (it then reads as unknown)", () => {
    expect(revocationStatusChangesAt({ state: "good", serialNumber: "01", checkedAt, nextUpdate })).toEqual(
      new Date(nextUpdate.getTime() + 1),
    );
  });

  it("is never for a status time does not change", () => {
    expect(revocationStatusChangesAt({ state: "no_certificate" })).toBeNull();
    expect(
      revocationStatusChangesAt({ state: "revoked", serialNumber: "01", reason: "keyCompromise", revokedAt: checkedAt, checkedAt }),
    ).toBeNull();
    expect(revocationStatusChangesAt({ state: "unknown", serialNumber: "01", checkedAt, detail: "stale" })).toBeNull();
  });
});

describe("revocationEntryFor", () => {
  const entry = (serial: string) => ({ serial, reason: "keyCompromise", revokedAt: "2026-12-06T16:19:18.000Z" });
  // The console reads a CRL entry's serial without leading zero bytes; the service wrote the SLC's with them.
  const entries = [
    entry("3F9E253CFB8202A2E56D455C2B4AAB"),
    entry("A32B79AD6C2EB217DD6E8AA293B440"),
    entry("20FAA90EACC078C61890D79A11462669"),
  ];

  it("finds an installed SLC's serial by its value: leading zeros and case do not matter", () => {
    expect(revocationEntryFor(entries, "003F9E253CFB8202A2E56D455C2B4AAB")?.serial).toBe("3F9E253CFB8202A2E56D455C2B4AAB");
    expect(revocationEntryFor(entries, "00a32b79ad6c2eb217dd6e8aa293b440")?.serial).toBe("A32B79AD6C2EB217DD6E8AA293B440");
    expect(revocationEntryFor(entries, "20FAA90EACC078C61890D79A11462669")?.serial).toBe("20FAA90EACC078C61890D79A11462669");
  });

  it("finds nothing for a serial not on the list", () => {
    expect(revocationEntryFor(entries, "003F9E253CFB8202A2E56D455C2B4AAC")).toBeUndefined();
    expect(revocationEntryFor([], "00A32B79AD6C2EB217DD6E8AA293B440")).toBeUndefined();
  });
});
