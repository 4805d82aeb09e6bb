// The cluster's RSA key: made on this console, stored only encrypted, decrypted just for signing.
import { and, eq } from "drizzle-orm";
import {
  decryptPrivateKey,
  encryptPrivateKey,
  type KeyEncryptionKey,
  loadKeyEncryptionKey,
  type MasterKeySettings,
} from "@/lib/certificates/key-encryption";
import { generateClusterKeyPair, publicKeyFingerprint } from "@/lib/certificates/keys";
import type { Queryable } from "@/lib/db/client";
import { clusterKeys } from "@/lib/db/schema";
import type { Env } from "@/lib/env";

/** Where this console's master key comes from, per its settings (RMS_MASTER_KEY, RMS_MASTER_KEY_FILE, RMS_DATA_DIR). */
export function masterKeySettings(config: Pick<Env, "dataDir" | "RMS_MASTER_KEY" | "RMS_MASTER_KEY_FILE">): MasterKeySettings {
  return { dataDir: config.dataDir, masterKey: config.RMS_MASTER_KEY, masterKeyFile: config.RMS_MASTER_KEY_FILE };
}

/** The key-encryption key from RMS_MASTER_KEY, RMS_MASTER_KEY_FILE or the data folder's master.key (created only when asked). */
export function consoleKeyEncryptionKey(opts: MasterKeySettings & { createIfMissing?: boolean }): KeyEncryptionKey {
  return loadKeyEncryptionKey({ ...opts, createIfMissing: opts.createIfMissing ?? false });
}

/** What a cluster's private key is bound to when encrypted: a key copied to another cluster's row does not decrypt. */
export const clusterKeyAssociatedData = (clusterId: string) => `cluster-key:${clusterId}`;
const associatedData = clusterKeyAssociatedData;

export async function createClusterKey(db: Queryable, clusterId: string, kek: KeyEncryptionKey) {
  const pair = await generateClusterKeyPair(2048);
  const [row] = await db
    .insert(clusterKeys)
    .values({
      clusterId,
      publicKeyPem: pair.publicKeyPem,
      encryptedPrivateKey: encryptPrivateKey(pair.privateKeyPem, kek, associatedData(clusterId)),
      fingerprint: publicKeyFingerprint(pair.publicKeyPem),
      active: true,
    })
    .returning();
  if (!row) throw new Error("Inserting the cluster key returned no row");
  return { ...row, privateKeyPem: pair.privateKeyPem };
}

export interface ClusterKey {
  id: string;
  publicKeyPem: string;
  fingerprint: string;
  /** Decrypts the private key on demand; throws KeyEncryptionError with an actionable message. */
  privateKeyPem(): string;
}

/** The cluster's active key, or null when it has none (never silently regenerated). */
export async function getClusterKey(db: Queryable, clusterId: string, kek: KeyEncryptionKey): Promise<ClusterKey | null> {
  const [row] = await db
    .select()
    .from(clusterKeys)
    .where(and(eq(clusterKeys.clusterId, clusterId), eq(clusterKeys.active, true)))
    .limit(1);
  return row ? clusterKeyOf(row, kek) : null;
}

/** A stored key row as a ClusterKey (for callers that read the row together with other data). */
export function clusterKeyOf(row: typeof clusterKeys.$inferSelect, kek: KeyEncryptionKey): ClusterKey {
  return {
    id: row.id,
    publicKeyPem: row.publicKeyPem,
    fingerprint: row.fingerprint,
    privateKeyPem: () => decryptPrivateKey(row.encryptedPrivateKey, kek, associatedData(row.clusterId)),
  };
}
