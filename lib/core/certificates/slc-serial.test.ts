// slcSerialKey: one form for an SLC serial however it is written (the service's 32 digits, a CRL INTEGER, openssl).
import { describe, expect, it } from "vitest";
import { slcSerialKey } from "./slc";

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
