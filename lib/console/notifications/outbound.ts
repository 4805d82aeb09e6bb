// Where notifications set on the Settings page may connect: not to this machine, link-local or private networks, or
// cloud metadata services, so an administrator's form cannot turn the console into a scanner of its own network. The
// address is checked after DNS resolution, at connect time (the lookup the socket itself uses, so a name that
// resolves to a public address when saved and to 127.0.0.1 when used is still refused), and again, for a clear
// message, when the form is saved. RMS_OUTBOUND_ALLOW_PRIVATE lists addresses or ranges that are allowed anyway.
import dns from "node:dns";
import net from "node:net";

type OutboundKind = "loopback" | "link_local" | "private" | "metadata" | "reserved";

function list(entries: Array<[string, number]>): net.BlockList {
  const blocks = new net.BlockList();
  for (const [address, prefix] of entries) blocks.addSubnet(address, prefix, net.isIPv6(address) ? "ipv6" : "ipv4");
  return blocks;
}

// Checked in this order: the most specific name wins (169.254.169.254 is metadata, not just link-local).
const KINDS: ReadonlyArray<[OutboundKind, net.BlockList]> = [
  [
    "metadata",
    list([
      ["169.254.169.254", 32], // AWS, Azure IMDS, GCP, OpenStack, DigitalOcean, Oracle
      ["169.254.170.2", 32], // AWS ECS task metadata
      ["100.100.100.200", 32], // Alibaba Cloud
      ["168.63.129.16", 32], // Azure WireServer
      ["fd00:ec2::254", 128], // AWS IMDS over IPv6
    ]),
  ],
  [
    "loopback",
    list([
      ["127.0.0.0", 8],
      ["::1", 128],
      ["0.0.0.0", 8], // "this host": connecting to 0.0.0.0 reaches loopback
      ["::", 128],
    ]),
  ],
  [
    "link_local",
    list([
      ["169.254.0.0", 16],
      ["fe80::", 10],
    ]),
  ],
  [
    "private",
    list([
      ["10.0.0.0", 8],
      ["172.16.0.0", 12],
      ["192.168.0.0", 16],
      ["100.64.0.0", 10], // carrier-grade NAT
      ["fc00::", 7], // unique local
    ]),
  ],
  [
    "reserved",
    list([
      ["192.0.0.0", 24],
      ["198.18.0.0", 15],
      ["224.0.0.0", 4], // multicast
      ["240.0.0.0", 4], // reserved and broadcast
      ["ff00::", 8],
      ["fec0::", 10],
    ]),
  ],
];

/** ::ffff:10.0.0.1 is 10.0.0.1: an IPv4-mapped address is judged as the IPv4 address it carries. */
function unmapped(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

/** What kind of internal address this is, or null for an ordinary (public) one. */
function internalKind(address: string): OutboundKind | null {
  const plain = unmapped(address.replace(/^\[|\]$/g, ""));
  const family = net.isIPv4(plain) ? "ipv4" : net.isIPv6(plain) ? "ipv6" : null;
  if (family === null) return null;
  for (const [kind, blocks] of KINDS) if (blocks.check(plain, family)) return kind;
  return null;
}

export interface OutboundPolicy {
  /** Internal addresses an operator allowed (RMS_OUTBOUND_ALLOW_PRIVATE). */
  allowed: net.BlockList;
}

/** The policy from RMS_OUTBOUND_ALLOW_PRIVATE's entries (IP addresses or CIDR ranges, validated by lib/console/env.ts). */
export function outboundPolicy(allow: readonly string[] = []): OutboundPolicy {
  const allowed = new net.BlockList();
  for (const entry of allow) {
    const [address = "", prefix] = entry.split("/");
    const family = net.isIPv6(address) ? "ipv6" : "ipv4";
    if (prefix === undefined) allowed.addAddress(address, family);
    else allowed.addSubnet(address, Number(prefix), family);
  }
  return { allowed };
}

export interface OutboundRefusal {
  host: string;
  address: string;
  kind: OutboundKind;
}

/** The refusal for one resolved address, or null when the policy lets it through. */
function refusalFor(policy: OutboundPolicy, host: string, address: string): OutboundRefusal | null {
  const kind = internalKind(address);
  if (kind === null) return null;
  const plain = unmapped(address.replace(/^\[|\]$/g, ""));
  if (policy.allowed.check(plain, net.isIPv6(plain) ? "ipv6" : "ipv4")) return null;
  return { host, address: plain, kind };
}

const KIND_WORDS: Record<OutboundKind, string> = {
  loopback: "a loopback address (this machine)",
  link_local: "a link-local address",
  private: "a private-network address",
  metadata: "a cloud metadata service",
  reserved: "a reserved address",
};

/** The error a refused connection fails with: final (never retried), and worded for the test-notification result. */
export class OutboundRefusedError extends Error {
  override readonly name = "OutboundRefusedError";
  readonly code = "EOUTBOUNDREFUSED";
  constructor(readonly refusal: OutboundRefusal) {
    super(
      `Refused to connect: ${refusal.host === refusal.address ? refusal.address : `${refusal.host} resolves to ${refusal.address}`}, ${KIND_WORDS[refusal.kind]}. ` +
        "Notification targets set on the Settings page may not reach this machine, private networks or metadata services; " +
        "the server's operator can allow an address with RMS_OUTBOUND_ALLOW_PRIVATE.",
    );
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls/http connections that resolves every address of the name and refuses the connection when
 * any of them is internal (an attacker's DNS could otherwise hand out a public and a private address in turn).
 */
export function guardedLookup(policy: OutboundPolicy) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, "");
      for (const { address } of addresses) {
        const refusal = refusalFor(policy, hostname, address);
        if (refusal) return callback(new OutboundRefusedError(refusal) as unknown as NodeJS.ErrnoException, "");
      }
      const [first] = addresses;
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "");
      if (options.all) return callback(null, addresses);
      callback(null, first.address, first.family);
    });
  };
}

/** A literal IP address never reaches `lookup` (Node connects to it directly): judged here before connecting. */
export function refuseLiteral(policy: OutboundPolicy, host: string): void {
  const bare = host.replace(/^\[|\]$/g, "");
  if (net.isIP(bare) === 0) return;
  const refusal = refusalFor(policy, host, bare);
  if (refusal) throw new OutboundRefusedError(refusal);
}

/**
 * The same judgement when the Settings form is saved, for a message next to the field: the host's addresses as DNS
 * gives them now. A name that does not resolve (yet) is not refused here; the connection is judged again when used.
 */
export async function checkOutboundHost(policy: OutboundPolicy, host: string, timeoutMs = 3_000): Promise<OutboundRefusal | null> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (net.isIP(bare) !== 0) return refusalFor(policy, host, bare);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const addresses = await Promise.race([dns.promises.lookup(bare, { all: true }).catch(() => null), timeout]);
    for (const { address } of addresses ?? []) {
      const refusal = refusalFor(policy, host, address);
      if (refusal) return refusal;
    }
    return null;
  } finally {
    clearTimeout(timer);
  }
}
