// A loopback HTTPS server in front of the real enrollment service: counts and delays requests, or misbehaves on demand
// (down, hanging, 500, 429, garbage, an SLC for another key). Fault injection under the test's control. It presents
// its own throwaway TLS chain (the console under test trusts its root beside the service's) and forwards over HTTPS
// verified against the service's root.
import { EventEmitter } from "node:events";
import type http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { buildSlc } from "@/lib/core/certificates/slc";
import { createCaHierarchy } from "@/lib/enrollment/ca";
import { loadOrCreateCa } from "@/lib/enrollment/store";
import { createTestCluster } from "@/tests/support/certificate-fixtures";
import { createTestTlsPki } from "../../support/tls";

export type ProxyMode =
  /** Forwards after `delayMs`, and after `hold` resolves (a latch the test opens). */
  | { kind: "forward"; delayMs?: () => number; hold?: () => Promise<void> }
  | { kind: "hang" }
  | { kind: "status"; status: number; headers?: Record<string, string>; body?: string }
  | { kind: "garbage"; contentType: string; body: string }
  | { kind: "other_key" };

export interface EnrollmentProxy {
  url: string;
  port: number;
  /** The root of the proxy's own TLS chain: a console pointed at the proxy must trust it. */
  tlsRootPem: string;
  /** POST /api/enroll requests received (whatever the mode). */
  enrollRequests: number;
  /**
   * Where an enrollment exchange is, as latches for fault injection: "received" when a POST /api/enroll has arrived
   * (before any delay or forwarding), "answered" once the service's answer to it has been written out to the console.
   */
  enrollEvents: EventEmitter<{ received: []; answered: [] }>;
  mode: ProxyMode;
  /** Stops listening (connections are refused) until up() is called. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function forward(
  target: URL,
  targetCa: string,
  req: http.IncomingMessage,
  body: Buffer,
  res: http.ServerResponse,
  onAnswered?: () => void,
): void {
  const upstream = https.request(
    new URL(req.url ?? "/", target),
    { method: req.method, agent: false, ca: targetCa, headers: { ...req.headers, host: target.host, connection: "close" } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (onAnswered) res.once("finish", onAnswered);
      answer.pipe(res);
    },
  );
  upstream.on("error", () => res.destroy());
  upstream.end(body);
}

/** An SLC signed by the real enrollment CA, answering the request, but for another cluster key. */
async function otherKeySlc(enrollmentDataDir: string, requestXml: string): Promise<string> {
  const ca = await loadOrCreateCa({ dataDir: enrollmentDataDir, organization: "unused", createCa: createCaHierarchy });
  const pick = (re: RegExp) => re.exec(requestXml)?.[1] ?? "";
  const now = new Date();
  return buildSlc(
    {
      serialNumber: Date.now().toString(16).toUpperCase().padStart(32, "0"),
      issuedAt: now,
      validFrom: now,
      validUntil: new Date(now.getTime() + 400 * 86_400_000),
      issuerName: "RMS Enrollment Service",
      serverGuid: pick(/<(?:\w+:)?GUID>([^<]+)</),
      serverName: pick(/<(?:\w+:)?ServerName>([^<]+)</) || "RMSSYS",
      clusterUrl: pick(/<(?:\w+:)?URL>([^<]+)</),
      publicKeyBase64: (await createTestCluster("other")).publicKeyBase64,
      requestId: pick(/<(?:\w+:)?RequestId>([^<]+)</),
    },
    { privateKeyPem: ca.material.serviceKeyPem, certificateChainPem: [ca.material.serviceCertPem, ca.material.caCertPem] },
  );
}

export async function startEnrollmentProxy(opts: {
  target: string;
  /** The enrollment service's root (PEM), to verify the forwarded connection. */
  targetCa: string;
  enrollmentDataDir: string;
}): Promise<EnrollmentProxy> {
  const target = new URL(opts.target);
  const tls = await createTestTlsPki({ label: "Enrollment proxy" });
  const sockets = new Set<import("node:net").Socket>();
  const state: EnrollmentProxy = {
    url: "",
    port: 0,
    tlsRootPem: tls.rootPem,
    enrollRequests: 0,
    enrollEvents: new EventEmitter(),
    mode: { kind: "forward" },
    down: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    up: () => new Promise<void>((resolve) => server.listen(state.port, "127.0.0.1", () => resolve())),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = https.createServer({ cert: tls.serverChainPem, key: tls.serverKeyPem }, (req, res) => {
    void (async () => {
      const body = await readBody(req);
      const isEnroll = req.method === "POST" && req.url === "/api/enroll";
      if (isEnroll) {
        state.enrollRequests += 1;
        state.enrollEvents.emit("received");
      }
      const mode = isEnroll ? state.mode : ({ kind: "forward" } as ProxyMode);
      switch (mode.kind) {
        case "forward": {
          const delay = mode.delayMs?.() ?? 0;
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          if (mode.hold) await mode.hold();
          forward(target, opts.targetCa, req, body, res, isEnroll ? () => state.enrollEvents.emit("answered") : undefined);
          return;
        }
        case "hang":
          return; // never answers; the console's total timeout must fire
        case "status":
          res.writeHead(mode.status, { "content-type": "application/json", ...mode.headers });
          res.end(mode.body ?? JSON.stringify({ error: "internal", message: "boom" }));
          return;
        case "garbage":
          res.writeHead(200, { "content-type": mode.contentType });
          res.end(mode.body);
          return;
        case "other_key": {
          const slc = await otherKeySlc(path.join(opts.enrollmentDataDir, "enrollment"), body.toString("utf8"));
          res.writeHead(200, { "content-type": "application/xml" });
          res.end(slc);
          return;
        }
      }
    })().catch(() => res.destroy());
  });
  server.on("connection", (s: import("node:net").Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  state.port = (server.address() as AddressInfo).port;
  state.url = `https://127.0.0.1:${state.port}`;
  return state;
}
