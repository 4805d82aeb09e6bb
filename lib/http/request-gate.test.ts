// The request gate in front of Next: client address by proxy-addr rules, forwarding headers the client cannot
// forge, and a body limit that counts chunked uploads (413, not a 500 from the framework).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientAddress, gate, trustedProxyList } from "./request-gate";

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

describe("gate", () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    const options = { trustedProxies: trustedProxyList(["10.9.8.7"]), bodyLimitBytes: 1024 };
    server = http.createServer((request, response) => {
      void gate(request, response, options, async (gated) => {
        const chunks: Buffer[] = [];
        for await (const chunk of gated) chunks.push(chunk as Buffer);
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ headers: gated.headers, bodyLength: Buffer.concat(chunks).length }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

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
    expect(headers["x-forwarded-host"]).toBeUndefined();
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
            for (let sent = 0; sent < size; sent += 100) controller.enqueue(new Uint8Array(Math.min(100, size - sent)));
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
