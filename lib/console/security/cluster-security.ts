// What the Security settings page (/clusters/[clusterId]/security) shows about one cluster's key: where it is kept, its
// public-key fingerprint, the console's master key (and a staged next one), and the revocation status. A server-only read
// function, so the page itself takes no database handle (issue 24).
import "server-only";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { type MasterKeyStatus, masterKeyStatus } from "@/lib/console/provisioning/master-key-rotation";
import { masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import { clusterRevocationStatus, type RevocationStatus } from "@/lib/console/revocation/status";
import { envelopeKeyId } from "@/lib/core/certificates/key-encryption";
import { clusterKeys } from "@/lib/platform/db/schema";

/** Where the cluster's private key lives. */
type KeyCustody =
  /** In the console's database, as an AES-256-GCM envelope under the master key `masterKeyId` (null: damaged envelope). */
  | { kind: "database"; masterKeyId: string | null }
  /** Generated in a PKCS#11 token (not extractable): the token's label and the key's label there. */
  | { kind: "hsm"; token: string; label: string };

function custodyOf(row: { custody: string; envelope: string | null; tokenLabel: string | null; keyLabel: string | null }): KeyCustody {
  if (row.custody === "pkcs11") return { kind: "hsm", token: row.tokenLabel ?? "", label: row.keyLabel ?? "" };
  return { kind: "database", masterKeyId: row.envelope === null ? null : envelopeKeyId(row.envelope) };
}

export interface ClusterSecurity {
  /** The active key, or null when the cluster has none (removed, or never had one). */
  key: { fingerprint: string; createdAt: Date; custody: KeyCustody } | null;
  masterKey: MasterKeyStatus;
  /** How many values the database holds encrypted under any master key (cluster keys and stored secrets). */
  encryptedCount: number;
  /** PostgreSQL: other consoles may share the database and its master key. */
  sharedDatabase: boolean;
  revocation: RevocationStatus;
}

export async function getClusterSecurity(clusterId: string): Promise<ClusterSecurity> {
  const db = await getDb();
  const config = env();
  const [row] = await db
    .select({
      fingerprint: clusterKeys.fingerprint,
      createdAt: clusterKeys.createdAt,
      envelope: clusterKeys.encryptedPrivateKey,
      custody: clusterKeys.custody,
      tokenLabel: clusterKeys.pkcs11TokenLabel,
      keyLabel: clusterKeys.pkcs11KeyLabel,
    })
    .from(clusterKeys)
    .where(and(eq(clusterKeys.clusterId, clusterId), eq(clusterKeys.active, true)))
    .limit(1);
  const masterKey = await masterKeyStatus(db, masterKeySettings(config));
  return {
    key: row ? { fingerprint: row.fingerprint, createdAt: row.createdAt, custody: custodyOf(row) } : null,
    masterKey,
    encryptedCount: masterKey.inUse.reduce((sum, row) => sum + row.count, 0),
    sharedDatabase: config.DATABASE_URL !== undefined && config.DATABASE_URL !== "",
    revocation: await clusterRevocationStatus(db, clusterId, new Date()),
  };
}
