// Test helpers for the enrollment service: fetch over HTTPS trusting one root (undici, no verification turned off),
// and signed renewal requests for a cluster key.
import { randomUUID } from "node:crypto";
import { Agent, FormData, fetch as undiciFetch } from "undici";
import { type ClusterKeyPair, publicKeyBase64 } from "@/lib/certificates/keys";
import type { RenewalRequestFields } from "@/lib/certificates/renewal-request";

export { FormData };

export type TrustingFetch = (url: string, init?: Parameters<typeof undiciFetch>[1]) => ReturnType<typeof undiciFetch>;

/** fetch that verifies the server's TLS certificate against `rootPem` only. */
export function fetchTrusting(rootPem: string): TrustingFetch {
  const dispatcher = new Agent({ connect: { ca: rootPem }, pipelining: 0 });
  return (url, init = {}) => undiciFetch(url, { ...init, dispatcher });
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
