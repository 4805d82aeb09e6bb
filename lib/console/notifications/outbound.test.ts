// The outbound policy's judgement of literal addresses: every internal kind refused with its name, public ones and
// allowed ones let through, IPv4-mapped IPv6 judged as the IPv4 address it carries.
import { describe, expect, it } from "vitest";
import { OutboundRefusedError, outboundPolicy, refuseLiteral } from "./outbound";

function kindOf(address: string, allow: string[] = []): string | null {
  try {
    refuseLiteral(outboundPolicy(allow), address);
    return null;
  } catch (error) {
    if (error instanceof OutboundRefusedError) return error.refusal.kind;
    throw error;
  }
}

describe("refuseLiteral", () => {
  it.each([
    ["169.254.169.254", "metadata"],
    ["[fd00:ec2::254]", "metadata"],
    ["100.100.100.200", "metadata"],
    ["168.63.129.16", "metadata"],
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["[::1]", "loopback"],
    ["0.0.0.0", "loopback"],
    ["169.254.1.1", "link_local"],
    ["[fe80::1]", "link_local"],
    ["10.0.0.5", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["100.64.0.1", "private"],
    ["[fd12:3456::1]", "private"],
    ["[::ffff:10.1.2.3]", "private"],
    ["224.0.0.1", "reserved"],
    ["8.8.8.8", null],
    ["172.32.0.1", null],
    ["[2001:4860:4860::8888]", null],
    ["hooks.contoso.com", null], // a name is judged by the lookup, at connect time
  ])("%s → %s", (address, kind) => {
    expect(kindOf(address)).toBe(kind);
  });

  it("lets through what RMS_OUTBOUND_ALLOW_PRIVATE lists, and only that", () => {
    expect(kindOf("10.0.0.25", ["10.0.0.25"])).toBeNull();
    expect(kindOf("10.0.0.26", ["10.0.0.25"])).toBe("private");
    expect(kindOf("127.0.0.1", ["127.0.0.0/8"])).toBeNull();
    expect(kindOf("[::1]", ["127.0.0.0/8"])).toBe("loopback");
  });

  it("names the address, its kind and the variable that allows it", () => {
    expect(() => refuseLiteral(outboundPolicy(), "169.254.169.254")).toThrow(
      /Refused to connect: 169\.254\.169\.254, a cloud metadata service\..*RMS_OUTBOUND_ALLOW_PRIVATE/,
    );
  });
});
