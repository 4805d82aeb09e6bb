// What a cluster's renewal request says about it (the RMS Enroll request's enrollee information).
import { randomUUID } from "node:crypto";
import { publicKeyBase64 } from "@/lib/core/certificates/keys";
import type { RenewalRequestFields } from "@/lib/core/certificates/renewal-request";

const RMS_SKU = "Windows Rights Management Services";
const RMS_VERSION = "1.0.0.0";

export interface RequestingCluster {
  guid: string;
  name: string;
  serverName: string;
  clusterUrl: string;
}

export function renewalRequestFields(
  cluster: RequestingCluster,
  publicKeyPem: string,
  opts: { now: Date; installedSlcFingerprint: string | null; installedSlcSerial?: string | null },
): RenewalRequestFields {
  return {
    requestId: randomUUID(),
    createdAt: opts.now,
    clusterGuid: cluster.guid,
    serverName: cluster.serverName,
    clusterUrl: cluster.clusterUrl,
    sku: RMS_SKU,
    version: RMS_VERSION,
    name: cluster.name,
    publicKeyBase64: publicKeyBase64(publicKeyPem),
    installedSlcFingerprint: opts.installedSlcFingerprint,
    installedSlcSerial: opts.installedSlcSerial ?? null,
    revocationInformation: `${cluster.clusterUrl.replace(/\/+$/, "")}/certification/revocation`,
  };
}
