// Test-only TLS material, independent of the enrollment service's own CA code: a throwaway root → intermediate → server
// certificate (ECDSA P-256, SANs for the loopback names), the shape the enrollment service serves, and a loopback HTTPS
// server built on it for tests that stand in for (or in front of) the service.
import "reflect-metadata";
import https from "node:https";
import type { AddressInfo } from "node:net";
import * as x509 from "@peculiar/x509";

const webcrypto = globalThis.crypto;
x509.cryptoProvider.set(webcrypto);

const KEY = { name: "ECDSA", namedCurve: "P-256" } as const;
const SIGN = { name: "ECDSA", hash: "SHA-256" } as const;
const HOUR_MS = 3_600_000;

export interface TestTlsPki {
  rootPem: string;
  intermediatePem: string;
  serverCertPem: string;
  serverKeyPem: string;
  /** What a server sends: its certificate, then the intermediate (never the root). */
  serverChainPem: string;
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(12));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString("hex");
}

const name = (cn: string) => new x509.Name([{ CN: [{ utf8String: cn }] }, { O: [{ utf8String: "RMS test" }] }]);

/**
 * A fresh hierarchy. `hosts` are the server certificate's SANs (IP addresses or DNS names; loopback by default);
 * `validUntil` lets a test make an expired server certificate.
 */
export async function createTestTlsPki(
  opts: { label?: string; hosts?: string[]; validFrom?: Date; validUntil?: Date } = {},
): Promise<TestTlsPki> {
  const label = opts.label ?? "Test TLS";
  const now = Date.now();
  const notBefore = opts.validFrom ?? new Date(now - HOUR_MS);
  const notAfter = new Date(now + 30 * 24 * HOUR_MS);
  const generate = () => webcrypto.subtle.generateKey(KEY, true, ["sign", "verify"]);
  const [rootKeys, caKeys, serverKeys] = await Promise.all([generate(), generate(), generate()]);
  const caUsage = new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: name(`${label} Root`),
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      caUsage,
      await x509.SubjectKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: name(`${label} CA`),
    issuer: root.subjectName,
    notBefore,
    notAfter,
    publicKey: caKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      caUsage,
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  const hosts = opts.hosts ?? ["localhost", "127.0.0.1", "::1"];
  const server = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: name(`${label} server`),
    issuer: intermediate.subjectName,
    notBefore,
    notAfter: opts.validUntil ?? notAfter,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGN,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        hosts.map((value) => ({ type: /^[\d.]+$|:/.test(value) ? ("ip" as const) : ("dns" as const), value })),
      ),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeyPem = x509.PemConverter.encode(await webcrypto.subtle.exportKey("pkcs8", serverKeys.privateKey), "PRIVATE KEY");
  const serverCertPem = server.toString("pem");
  const intermediatePem = intermediate.toString("pem");
  return {
    rootPem: root.toString("pem"),
    intermediatePem,
    serverCertPem,
    serverKeyPem,
    serverChainPem: `${serverCertPem}\n${intermediatePem}\n`,
  };
}

export interface TestHttpsServer {
  url: string;
  port: number;
  server: https.Server;
  close(): Promise<void>;
}

/** A loopback HTTPS server presenting `pki`'s chain (port 0 picks a free one). */
export async function startTestHttpsServer(
  pki: TestTlsPki,
  handler: Parameters<typeof https.createServer>[1],
  opts: { port?: number } = {},
): Promise<TestHttpsServer> {
  const server = https.createServer({ cert: pki.serverChainPem, key: pki.serverKeyPem }, handler);
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
