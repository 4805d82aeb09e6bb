// One installed certificate in full, read from a real database: the stored file as installed, the key fingerprint
// (SHA-256 of the SPKI) and issuer chain read from it, the audit events that name it; none from another cluster.
import { createHash, randomUUID, X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { recordAudit } from "@/lib/console/audit/audit";
import { getCertificateDetail, getCertificateHistory, readStoredSlc } from "@/lib/console/clusters/history";
import { publicKeyFingerprint } from "@/lib/core/certificates/keys";
import { certificates, clusters } from "@/lib/platform/db/schema";
import { issueTestSlc, type TestSlc } from "@/tests/support/certificate-fixtures";
import { dbTest, describeOnEachDatabase } from "../support/db-test";

function sha256Colon(text: string): string {
  return (createHash("sha256").update(text, "utf8").digest("hex").toUpperCase().match(/../g) ?? []).join(":");
}

describe("reading a stored SLC", () => {
  it("gives nulls, not an exception, for a document it cannot read", () => {
    expect(readStoredSlc("<XrML><BODY/></XrML>")).toEqual({ keyFingerprint: null, chain: [] });
  });
});

describeOnEachDatabase("certificate detail", ({ sharedDatabase }) => {
  let slc: TestSlc;
  let clusterId: string;
  let otherClusterId: string;
  let certificateId: string;

  beforeAll(async () => {
    const handle = await sharedDatabase();
    slc = await issueTestSlc();
    const [a, b] = await handle.db
      .insert(clusters)
      .values([
        {
          guid: slc.fields.serverGuid,
          name: "rms01.contoso.example",
          serverName: "RMS01",
          clusterUrl: slc.fields.clusterUrl,
          configDatabase: "DRMS_Config",
        },
        {
          guid: `{${randomUUID().toUpperCase()}}`,
          name: "other",
          serverName: "RMS02",
          clusterUrl: "https://rms02.example/_wmcs",
          configDatabase: "DRMS_Config_2",
        },
      ])
      .returning({ id: clusters.id });
    clusterId = a?.id ?? "";
    otherClusterId = b?.id ?? "";
    const [row] = await handle.db
      .insert(certificates)
      .values({
        clusterId,
        document: slc.xml,
        fingerprint: sha256Colon(slc.xml),
        serialNumber: slc.fields.serialNumber,
        issuerName: slc.fields.issuerName,
        issuerSubject: "CN=Test Enrollment Service",
        subjectName: "RMS01",
        requestId: slc.fields.requestId,
        issuedAt: slc.fields.issuedAt,
        validFrom: slc.fields.validFrom,
        validUntil: slc.fields.validUntil,
        obtainedBy: "offline",
        installedBy: "RMS01\\alice",
        active: true,
      })
      .returning({ id: certificates.id });
    certificateId = row?.id ?? "";
    for (const [action, fingerprint] of [
      ["import_validated", sha256Colon(slc.xml)],
      ["import_confirmed", sha256Colon(slc.xml)],
      ["import_declined", "00:11"],
    ] as const) {
      await recordAudit(handle.db, {
        actor: "RMS01\\alice",
        remoteAddress: null,
        action,
        outcome: "success",
        clusterId,
        details: { fingerprint },
      });
    }
  });

  dbTest(
    "shows every field, the key fingerprint of the SPKI, the issuer chain and the events that name it",
    async ({ sharedDb: handle }) => {
      const detail = await getCertificateDetail(handle.db, clusterId, certificateId);
      expect(detail).not.toBeNull();
      if (!detail) return;
      // The file as installed, byte for byte.
      expect(detail.document).toBe(slc.xml);
      expect(sha256Colon(detail.document)).toBe(detail.fingerprint);
      expect(detail.fileName).toBe("RMS01ServerLicensorCertificate.xml");
      expect(detail.keyFingerprint).toBe(publicKeyFingerprint(slc.pki.cluster.publicKeyBase64));
      expect(detail).toMatchObject({ serialNumber: slc.fields.serialNumber, requestId: slc.fields.requestId, obtainedBy: "offline" });
      // Signing certificate first, then its issuer: each PEM parses and chains to the next.
      expect(detail.chain.length).toBe(2);
      const [leaf, issuer] = detail.chain.map((c) => new X509Certificate(c.pem));
      expect(leaf && issuer && leaf.checkIssued(issuer)).toBe(true);
      expect(detail.chain[0]?.fingerprint).toBe(leaf?.fingerprint256);
      expect(detail.events.map((e) => e.action)).toEqual(["import_validated", "import_confirmed"]);
    },
  );

  dbTest("finds no certificate under another cluster's id, nor an unknown one", async ({ sharedDb: handle }) => {
    expect(await getCertificateDetail(handle.db, otherClusterId, certificateId)).toBeNull();
    expect(await getCertificateDetail(handle.db, clusterId, randomUUID())).toBeNull();
  });

  dbTest("lists the certificate in the cluster's history with its times", async ({ sharedDb: handle }) => {
    const [row] = await getCertificateHistory(handle.db, clusterId);
    expect(row).toMatchObject({ id: certificateId, validFrom: slc.fields.validFrom, validUntil: slc.fields.validUntil });
    expect(await getCertificateHistory(handle.db, otherClusterId)).toEqual([]);
  });
});
