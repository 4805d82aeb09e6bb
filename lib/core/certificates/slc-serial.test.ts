// slcSerialKey: one form for an SLC serial however it is written (the service's 32 digits, a CRL INTEGER, openssl),
// and revocationEntryFor, which finds a serial on a revocation list by it.
import { describe, expect, it } from "vitest";
import { revocationEntryFor, slcSerialKey } from "./slc";

describe("slcSerialKey", () => {
  it.each([
    ["the service's form", "20FAA90EACC078C61890D79A11462669", "20FAA90EACC078C61890D79A11462669"],
    ["lower case", "20faa90eacc078c61890d79a11462669", "20FAA90EACC078C61890D79A11462669"],
    ["a leading 00 the CRL drops before 3F", "003F9E253CFB8202A2E56D455C2B4AAB", "3F9E253CFB8202A2E56D455C2B4AAB"],
    ["a leading 00 the CRL keeps as the sign byte before A3", "00A32B79AD6C2EB217DD6E8AA293B440", "A32B79AD6C2EB217DD6E8AA293B440"],
    ["an odd number of digits, as openssl prints it", "A32B79AD6C2EB217DD6E8AA293B44", "A32B79AD6C2EB217DD6E8AA293B44"],
    ["surrounding white space", " 0a1b\n", "A1B"],
    ["zero", "0000", "0"],
  ])("%s", (_name, written, key) => {
    expect(slcSerialKey(written)).toBe(key);
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
