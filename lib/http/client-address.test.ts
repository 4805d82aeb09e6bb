import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installClientAddressGuard } from "./client-address";

describe("client address guard", () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    installClientAddressGuard(new Set(["10.9.8.7"]));
    server = http.createServer((req, res) => res.end(JSON.stringify(req.headers)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("replaces forwarding headers a client made up with what the socket says", async () => {
    const response = await fetch(url, {
      headers: { "X-Forwarded-For": "203.0.113.77", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https" },
    });
    const headers = (await response.json()) as Record<string, string>;
    expect(headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(headers["x-forwarded-host"]).toBeUndefined();
    expect(headers["x-forwarded-proto"]).toBe("http");
  });
});
