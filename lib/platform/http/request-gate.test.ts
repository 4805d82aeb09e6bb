// The request gate in front of Next: client address by proxy-addr rules, forwarding headers the client cannot
// forge, and a body limit that counts chunked uploads (413, not a 500 from the framework).
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseOrigin } from "./host-rules";
import { checkReplayShape, clientAddress, type GateOptions, gate, trustedProxyList } from "./request-gate";

describe("clientAddress", () => {
  const trusted = trustedProxyList(["10.0.0.1", "192.168.0.0/16", "fd00::/8"]);

  it("is the socket's peer when the peer is not a trusted proxy, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "198.51.100.1", trusted)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:127.0.0.1", "198.51.100.1", trusted)).toBe("127.0.0.1");
  });

  it("walks X-Forwarded-For from the right while the hop is trusted, so a client-made leftmost entry is ignored", () => {
    expect(clientAddress("10.0.0.1", "1.2.3.4, 198.51.100.7", trusted)).toBe("198.51.100.7");
    expect(clientAddress("10.0.0.1", "1.2.3.4, 198.51.100.7, 192.168.4.4", trusted)).toBe("198.51.100.7");
    expect(clientAddress("fd00::2", "2001:db8::5", trusted)).toBe("2001:db8::5");
  });

  it("stops at the last trusted hop when the header ends or holds something that is not an address", () => {
    expect(clientAddress("10.0.0.1", undefined, trusted)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", "x".repeat(65), trusted)).toBe("10.0.0.1");
    expect(clientAddress("10.0.0.1", "198.51.100.7, not-an-ip", trusted)).toBe("10.0.0.1");
    expect(clientAddress(undefined, "198.51.100.7", trusted)).toBeNull();
  });
});

/** A loopback server that answers with the headers and body length the gate handed on. */
async function gatedServer(options: GateOptions): Promise<{ server: http.Server; base: string }> {
  const server = http.createServer((request, response) => {
    void gate(request, response, options, async (gated) => {
      const chunks: Buffer[] = [];
      for await (const chunk of gated) chunks.push(chunk as Buffer);
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ headers: gated.headers, bodyLength: Buffer.concat(chunks).length }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The headers the gate handed on for a GET with these headers (Host included, which fetch cannot set). */
function handedOn(base: string, headers: Record<string, string>): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    const request = http.get(base, { headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve((JSON.parse(Buffer.concat(chunks).toString()) as { headers: Record<string, string> }).headers));
    });
    request.on("error", reject);
  });
}

describe("gate behind a trusted proxy (nginx on this machine, RMS_PUBLIC_URL https://rms.example:8443)", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    const publicUrl = parseOrigin("https://rms.example:8443");
    ({ server, base } = await gatedServer({ trustedProxies: trustedProxyList(["127.0.0.1"]), publicUrl, bodyLimitBytes: 1024 }));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("hands the console the browser's origin for each of nginx's Host variants, and Next only its own scheme", async () => {
    for (const host of ["rms.example", "rms.example:8443"]) {
      const headers = await handedOn(base, { host, "x-forwarded-proto": "https", "x-forwarded-for": "198.51.100.7" });
      expect(headers["x-rms-origin"], host).toBe("https://rms.example:8443");
      expect(headers["x-forwarded-host"], host).toBe("rms.example:8443");
      expect(headers["x-forwarded-for"], host).toBe("198.51.100.7");
      // Next fetches a redirect target from itself at x-forwarded-proto: its own plain-HTTP port, never https.
      expect(headers["x-forwarded-proto"], host).toBe("http");
    }
  });

  it("takes Forwarded and X-Forwarded-Host/-Port from the trusted proxy, and drops them before Next", async () => {
    const forwarded = await handedOn(base, {
      host: "127.0.0.1:3000",
      forwarded: 'for=198.51.100.7;proto=https;host="console.example:9443"',
    });
    expect(forwarded["x-rms-origin"]).toBe("https://console.example:9443");
    expect(forwarded.forwarded).toBeUndefined();
    const port = await handedOn(base, {
      host: "127.0.0.1:3000",
      "x-forwarded-host": "console.example",
      "x-forwarded-port": "9443",
      "x-forwarded-proto": "https",
    });
    expect(port["x-rms-origin"]).toBe("https://console.example:9443");
    expect(port["x-forwarded-port"]).toBeUndefined();
  });
});

describe("the replayed request (built by hand, checked at start)", () => {
  it("has the shape the framework reads on this Node, and the console's server checks it before listening", () => {
    expect(() => checkReplayShape()).not.toThrow();
    const server = fs.readFileSync(path.join(process.cwd(), "scripts/console-server.ts"), "utf8");
    expect(server.indexOf("checkReplayShape();")).toBeGreaterThan(0);
    expect(server.indexOf("checkReplayShape();")).toBeLessThan(server.indexOf("server.listen("));
  });
});

describe("gate", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    ({ server, base } = await gatedServer({ trustedProxies: trustedProxyList(["10.9.8.7"]), publicUrl: null, bodyLimitBytes: 1024 }));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("ignores forwarding headers and an origin a client that is not a trusted proxy made up", async () => {
    const headers = await handedOn(base, {
      host: "127.0.0.1:3000",
      "x-rms-origin": "https://evil.example",
      "x-forwarded-host": "evil.example",
      "x-forwarded-port": "443",
      "x-forwarded-proto": "https",
      forwarded: "host=evil.example;proto=https",
    });
    expect(headers["x-rms-origin"]).toBe("http://127.0.0.1:3000");
    expect(headers["x-forwarded-host"]).toBe("127.0.0.1:3000");
    expect(headers["x-forwarded-proto"]).toBe("http");
    const hostless = await handedOn(base, { host: "bad_host!", "x-rms-origin": "https://evil.example" });
    expect(hostless["x-rms-origin"]).toBeUndefined();
  });

  it("replaces forwarding headers a client made up with what the socket says", async () => {
    const response = await fetch(base, {
      headers: {
        "X-Forwarded-For": "203.0.113.77",
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Proto": "https",
        Forwarded: "for=1.2.3.4",
      },
    });
    const { headers } = (await response.json()) as { headers: Record<string, string> };
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(headers["x-forwarded-host"]).toBe(new URL(base).host);
    expect(headers.forwarded).toBeUndefined();
    expect(headers["x-forwarded-proto"]).toBe("http");
  });

  it("refuses a declared oversize body with 413 before reading it", async () => {
    const response = await fetch(base, { method: "POST", body: "x".repeat(3_000_000) });
    expect(response.status).toBe(413);
    expect(await response.text()).toBe("Request too large.\n");
  });

  it("counts a chunked body: over the limit is 413, within it reaches the handler whole, with its length", async () => {
    const chunked = (size: number) =>
      fetch(base, {
        method: "POST",
        body: new ReadableStream({
          start(controller) {
            // 16 kB chunks: with 100-byte ones a loaded machine took longer than the gate's 5 s drain to send 3 MB.
            for (let sent = 0; sent < size; sent += 16_384) controller.enqueue(new Uint8Array(Math.min(16_384, size - sent)));
            controller.close();
          },
        }),
        duplex: "half",
      } as RequestInit);
    const over = await chunked(3_000_000);
    expect(over.status).toBe(413);
    const within = await chunked(1_000);
    expect(within.status).toBe(200);
    const seen = (await within.json()) as { headers: Record<string, string>; bodyLength: number };
    expect(seen.bodyLength).toBe(1_000);
    expect(seen.headers["content-length"]).toBe("1000");
    expect(seen.headers["transfer-encoding"]).toBeUndefined();
  });
});
