// A cluster's SLC history, newest first, and one installed certificate in full: its fields, the key it certifies, the
// issuer chain it carries, and the audit events that name it.
import { X509Certificate } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { publicKeyFingerprint } from "@/lib/core/certificates/keys";
import { slcFileName } from "@/lib/core/certificates/slc";
import { parseXml } from "@/lib/core/xml/safe-xml";
import type { Queryable } from "@/lib/platform/db/client";
import { auditEvents, certificates, clusters, webSites } from "@/lib/platform/db/schema";

export async function getCertificateHistory(db: Queryable, clusterId: string) {
  return db
    .select({
      id: certificates.id,
      fingerprint: certificates.fingerprint,
      serialNumber: certificates.serialNumber,
      issuerName: certificates.issuerName,
      validFrom: certificates.validFrom,
      validUntil: certificates.validUntil,
      obtainedBy: certificates.obtainedBy,
      installedBy: certificates.installedBy,
      installedAt: certificates.installedAt,
      active: certificates.active,
    })
    .from(certificates)
    .where(eq(certificates.clusterId, clusterId))
    .orderBy(desc(certificates.installedAt), desc(certificates.validUntil));
}

/** One certificate of the issuer chain the SLC's signature carries (KeyInfo), leaf first. */
export interface ChainCertificate {
  subject: string;
  issuer: string;
  serialNumber: string;
  validFrom: Date;
  validUntil: Date;
  fingerprint: string;
  pem: string;
}

const text = z.union([z.string(), z.object({ "#text": z.string() }).transform((v) => v["#text"])]);
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item)]).transform((v) => (Array.isArray(v) ? v : [v]));

/** The parts of a stored SLC the detail page shows beyond its columns: read leniently, it was verified when installed. */
const storedSlcSchema = z.object({
  XrML: z.object({
    BODY: z.object({
      ISSUEDPRINCIPALS: z.object({
        PRINCIPAL: z.object({ PUBLICKEY: z.object({ PARAMETER: z.object({ VALUE: text }) }) }),
      }),
    }),
    "ds:Signature": z.object({ "ds:KeyInfo": z.object({ "ds:X509Data": z.object({ "ds:X509Certificate": oneOrMany(text) }) }) }).optional(),
  }),
});

function chainCertificate(base64: string): ChainCertificate | null {
  try {
    const cert = new X509Certificate(Buffer.from(base64.replace(/\s+/g, ""), "base64"));
    return {
      subject: cert.subject.replaceAll("\n", ", "),
      issuer: cert.issuer.replaceAll("\n", ", "),
      serialNumber: cert.serialNumber,
      validFrom: new Date(cert.validFrom),
      validUntil: new Date(cert.validTo),
      fingerprint: cert.fingerprint256,
      pem: cert.toString(),
    };
  } catch {
    return null;
  }
}

/** The key fingerprint and issuer chain of a stored SLC document; nulls where it cannot be read. */
export function readStoredSlc(document: string): { keyFingerprint: string | null; chain: ChainCertificate[] } {
  const parsed = storedSlcSchema.safeParse(parseXml(document));
  if (!parsed.success) return { keyFingerprint: null, chain: [] };
  const xrml = parsed.data.XrML;
  let keyFingerprint: string | null = null;
  try {
    keyFingerprint = publicKeyFingerprint(xrml.BODY.ISSUEDPRINCIPALS.PRINCIPAL.PUBLICKEY.PARAMETER.VALUE);
  } catch {
    keyFingerprint = null;
  }
  const chain = (xrml["ds:Signature"]?.["ds:KeyInfo"]["ds:X509Data"]["ds:X509Certificate"] ?? [])
    .map(chainCertificate)
    .filter((c) => c !== null);
  return { keyFingerprint, chain };
}

/** An audit event that names the certificate (by its SHA-256 fingerprint): checked, installed, declined, warned about. */
interface CertificateEvent {
  id: number;
  occurredAt: Date;
  actor: string | null;
  action: string;
  outcome: "success" | "failure" | "denied";
}

export interface CertificateDetail {
  id: string;
  clusterId: string;
  clusterName: string;
  /** The web site the cluster serves, as the other cluster pages name it in their breadcrumbs. */
  webSiteName: string | null;
  serverName: string;
  fileName: string;
  document: string;
  fingerprint: string;
  keyFingerprint: string | null;
  serialNumber: string;
  issuerName: string;
  issuerSubject: string;
  subjectName: string;
  requestId: string | null;
  issuedAt: Date;
  validFrom: Date;
  validUntil: Date;
  obtainedBy: "enroll" | "online" | "offline";
  installedBy: string;
  installedAt: Date;
  active: boolean;
  chain: ChainCertificate[];
  events: CertificateEvent[];
}

/** One certificate of one cluster, or null when there is none with that id in that cluster. */
export async function getCertificateDetail(db: Queryable, clusterId: string, certificateId: string): Promise<CertificateDetail | null> {
  const [row] = await db
    .select({ certificate: certificates, clusterName: clusters.name, serverName: clusters.serverName, webSiteName: webSites.name })
    .from(certificates)
    .innerJoin(clusters, eq(clusters.id, certificates.clusterId))
    .leftJoin(webSites, eq(webSites.clusterId, clusters.id))
    .where(and(eq(certificates.id, certificateId), eq(certificates.clusterId, clusterId)))
    .limit(1);
  if (!row) return null;
  const { certificate } = row;
  const events = await db
    .select({
      id: auditEvents.id,
      occurredAt: auditEvents.occurredAt,
      actor: auditEvents.actor,
      action: auditEvents.action,
      outcome: auditEvents.outcome,
    })
    .from(auditEvents)
    .where(and(eq(auditEvents.clusterId, clusterId), sql`${auditEvents.details}->>'fingerprint' = ${certificate.fingerprint}`))
    .orderBy(auditEvents.occurredAt, auditEvents.id)
    .limit(100);
  const stored = readStoredSlc(certificate.document);
  return {
    id: certificate.id,
    clusterId,
    clusterName: row.clusterName,
    webSiteName: row.webSiteName,
    serverName: row.serverName,
    fileName: slcFileName(row.serverName),
    document: certificate.document,
    fingerprint: certificate.fingerprint,
    keyFingerprint: stored.keyFingerprint,
    serialNumber: certificate.serialNumber,
    issuerName: certificate.issuerName,
    issuerSubject: certificate.issuerSubject,
    subjectName: certificate.subjectName,
    requestId: certificate.requestId,
    issuedAt: certificate.issuedAt,
    validFrom: certificate.validFrom,
    validUntil: certificate.validUntil,
    obtainedBy: certificate.obtainedBy,
    installedBy: certificate.installedBy,
    installedAt: certificate.installedAt,
    active: certificate.active,
    chain: stored.chain,
    events,
  };
}
