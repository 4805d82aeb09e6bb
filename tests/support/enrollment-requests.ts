// Test helpers for the enrollment service: fetch over HTTPS trusting one root (undici, no verification turned off),
// and signed renewal requests for a cluster key.
import { randomUUID } from "node:crypto";
import { Agent, FormData, Response, fetch as undiciFetch } from "undici";
import { type ClusterKeyPair, publicKeyBase64 } from "@/lib/core/certificates/keys";
import type { RenewalRequestFields } from "@/lib/core/certificates/renewal-request";

export { FormData };

export type TrustingFetch = (url: string, init?: Parameters<typeof undiciFetch>[1]) => ReturnType<typeof undiciFetch>;

/**
 * fetch that verifies the server's TLS certificate against `rootPem` only.
 *
 * Each answer's body is read to its end before the answer is handed back. A test that only looks at the status
 * (a 303 or a 400) would otherwise leave undici's HTTP/1 parser paused on the unread body, and when the server then
 * closes the socket undici 7 throws an uncatchable `assert(!this.paused)` from the socket's end handler
 * (nodejs/undici#5360; fixed only in undici 8, which needs Node 22).
 */
export function fetchTrusting(rootPem: string): TrustingFetch {
  const dispatcher = new Agent({ connect: { ca: rootPem }, pipelining: 0 });
  return async (url, init = {}) => {
    const answer = await undiciFetch(url, { ...init, dispatcher });
    const body = await answer.arrayBuffer();
    const bodiless = init.method === "HEAD" || [101, 204, 205, 304].includes(answer.status);
    return new Response(bodiless ? null : body, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
  };
}

export function requestFieldsFor(keys: ClusterKeyPair, overrides: Partial<RenewalRequestFields> = {}): RenewalRequestFields {
  return {
    requestId: randomUUID(),
    createdAt: new Date(),
    clusterGuid: `{${randomUUID().toUpperCase()}}`,
    serverName: "RMS01",
    clusterUrl: "https://rms01.contoso.example/_wmcs",
    sku: "RMS",
    version: "1.0",
    name: "RMS01 cluster",
    publicKeyBase64: publicKeyBase64(keys.publicKeyPem),
    installedSlcFingerprint: null,
    revocationInformation: "",
    ...overrides,
  };
}
