// The cluster's RSA key: made on this console and stored only encrypted (decrypted just for signing), or made inside a
// PKCS#11 token that signs with it (the database keeps its reference and public key).
import { createPrivateKey, type KeyObject } from "node:crypto";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Env } from "@/lib/console/env";
import {
  decryptPrivateKey,
  encryptPrivateKey,
  type KeyEncryptionKey,
  loadKeyEncryptionKey,
  type MasterKeySettings,
} from "@/lib/core/certificates/key-encryption";
import { generateClusterKeyPair, publicKeyFingerprint } from "@/lib/core/certificates/keys";
import {
  destroyTokenKeyPair,
  generateTokenRsaKeyPair,
  HsmError,
  type Pkcs11Settings,
  signWithTokenKey,
  tokenPublicKeyPem,
} from "@/lib/core/certificates/pkcs11-token";
import type { PublicKeySigner } from "@/lib/core/certificates/renewal-request";
import type { Queryable } from "@/lib/platform/db/client";
import { clusterKeys, clusters } from "@/lib/platform/db/schema";

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

/** Where a cluster's private key lives, for people and pages: the Security settings page and `rms keys where` show it. */
export type KeyCustody =
  | { kind: "file"; fingerprint: string }
  | { kind: "pkcs11"; tokenLabel: string; keyLabel: string; keyId: string; fingerprint: string };

type ClusterKeyRow = typeof clusterKeys.$inferSelect;

/** The custody of a stored key row (the public-key fingerprint is the SHA-256 of its SPKI, as shown everywhere). */
function keyCustodyOf(row: ClusterKeyRow): KeyCustody {
  if (row.custody === "pkcs11" && row.pkcs11TokenLabel !== null && row.pkcs11KeyLabel !== null && row.pkcs11KeyId !== null) {
    return {
      kind: "pkcs11",
      tokenLabel: row.pkcs11TokenLabel,
      keyLabel: row.pkcs11KeyLabel,
      keyId: row.pkcs11KeyId,
      fingerprint: row.fingerprint,
    };
  }
  return { kind: "file", fingerprint: row.fingerprint };
}

/** Where the cluster's active key lives, or null when it has none. Reads no key material and needs no master key. */
export async function describeClusterKeyCustody(db: Queryable, clusterId: string): Promise<KeyCustody | null> {
  const [row] = await db
    .select()
    .from(clusterKeys)
    .where(and(eq(clusterKeys.clusterId, clusterId), eq(clusterKeys.active, true)))
    .limit(1);
  return row ? keyCustodyOf(row) : null;
}

/** Every cluster still provisioned with where its active key lives (null: it has none), by name. */
export async function listClusterKeyCustody(
  db: Queryable,
): Promise<Array<{ clusterName: string; guid: string; custody: KeyCustody | null }>> {
  const rows = await db
    .select({ clusterName: clusters.name, guid: clusters.guid, key: clusterKeys })
    .from(clusters)
    .leftJoin(clusterKeys, and(eq(clusterKeys.clusterId, clusters.id), eq(clusterKeys.active, true)))
    .where(isNull(clusters.removedAt))
    .orderBy(asc(clusters.name));
  return rows.map((row) => ({ clusterName: row.clusterName, guid: row.guid, custody: row.key ? keyCustodyOf(row.key) : null }));
}

/** The token key label of a cluster's key: findable by people in the token's own tools. */
const clusterTokenKeyLabel = (clusterId: string) => `rms-cluster-${clusterId}`;

/**
 * Makes the cluster's active key. `token` set: the key pair is generated inside that PKCS#11 token (sensitive, not
 * extractable) and the row keeps only its reference and public key; else a key made here, stored encrypted under `kek`.
 * A token key whose row could not be written is destroyed again, so a failure leaves nothing behind in either place.
 */
export async function createClusterKey(db: Queryable, clusterId: string, kek: KeyEncryptionKey, token: Pkcs11Settings | null = null) {
  if (token) {
    const generated = generateTokenRsaKeyPair(token, { keyLabel: clusterTokenKeyLabel(clusterId) });
    try {
      const [row] = await db
        .insert(clusterKeys)
        .values({
          clusterId,
          publicKeyPem: generated.publicKeyPem,
          custody: "pkcs11",
          pkcs11TokenLabel: generated.ref.tokenLabel,
          pkcs11KeyLabel: generated.ref.keyLabel,
          pkcs11KeyId: generated.ref.keyId,
          fingerprint: publicKeyFingerprint(generated.publicKeyPem),
          active: true,
        })
        .returning();
      if (!row) throw new Error("Inserting the cluster key returned no row");
      return { ...row, custody: keyCustodyOf(row) };
    } catch (error) {
      destroyTokenKeyPair(token, generated.ref);
      throw error;
    }
  }
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
  return { ...row, custody: keyCustodyOf(row), privateKeyPem: pair.privateKeyPem };
}

/** Undoes createClusterKey's token half after its transaction rolled back (a file key went with the rollback). */
export function discardTokenKey(custody: KeyCustody, token: Pkcs11Settings | null): void {
  if (custody.kind !== "pkcs11" || !token) return;
  destroyTokenKeyPair(token, { tokenLabel: custody.tokenLabel, keyLabel: custody.keyLabel, keyId: custody.keyId });
}

export interface ClusterKey {
  id: string;
  publicKeyPem: string;
  fingerprint: string;
  custody: KeyCustody;
  /** Decrypts a file key's private key on demand; throws KeyEncryptionError with an actionable message (and HsmError for a token key, which has none). */
  privateKeyPem(): string;
  /**
   * What signs with this key: the decrypted key, or the token (C_Sign, the key never leaves it). Throws
   * KeyEncryptionError or HsmError with an actionable message; opening the token checks module, token, PIN and key.
   */
  signer(): KeyObject | PublicKeySigner;
}

/** The cluster's active key, or null when it has none (never silently regenerated). */
export async function getClusterKey(
  db: Queryable,
  clusterId: string,
  kek: KeyEncryptionKey,
  token: Pkcs11Settings | null = null,
): Promise<ClusterKey | null> {
  const [row] = await db
    .select()
    .from(clusterKeys)
    .where(and(eq(clusterKeys.clusterId, clusterId), eq(clusterKeys.active, true)))
    .limit(1);
  return row ? clusterKeyOf(row, kek, token) : null;
}

function tokenOf(custody: Extract<KeyCustody, { kind: "pkcs11" }>, token: Pkcs11Settings | null): Pkcs11Settings {
  if (token) return token;
  throw new HsmError(
    "module_missing",
    `This cluster's key is in the PKCS#11 token "${custody.tokenLabel}" (key "${custody.keyLabel}"), but RMS_PKCS11_MODULE is not set: configure the token's module and PIN (README, "Keys in an HSM"). Nothing was changed.`,
  );
}

/** A stored key row as a ClusterKey (for callers that read the row together with other data). */
export function clusterKeyOf(row: ClusterKeyRow, kek: KeyEncryptionKey, token: Pkcs11Settings | null = null): ClusterKey {
  const custody = keyCustodyOf(row);
  const privateKeyPem = () => {
    if (custody.kind === "pkcs11" || row.encryptedPrivateKey === null) {
      throw new HsmError("token_error", "This cluster's key is held in a PKCS#11 token: it cannot be read, only used to sign there.");
    }
    return decryptPrivateKey(row.encryptedPrivateKey, kek, associatedData(row.clusterId));
  };
  return {
    id: row.id,
    publicKeyPem: row.publicKeyPem,
    fingerprint: row.fingerprint,
    custody,
    privateKeyPem,
    signer: () => {
      if (custody.kind === "file") return createPrivateKey(privateKeyPem());
      const settings = tokenOf(custody, token);
      const ref = { tokenLabel: custody.tokenLabel, keyLabel: custody.keyLabel, keyId: custody.keyId };
      // Opening the token now (not at the first signature) reports a missing module, token, PIN or key before any work.
      const publicKeyPem = tokenPublicKeyPem(settings, ref);
      if (publicKeyFingerprint(publicKeyPem) !== row.fingerprint) {
        throw new HsmError(
          "key_missing",
          `The token "${custody.tokenLabel}" holds a key with CKA_ID ${custody.keyId}, but not this cluster's (fingerprint ${row.fingerprint}): is this another token with the same label? Nothing was changed.`,
        );
      }
      return { publicKeyPem, signRsaSha256: (data) => signWithTokenKey(settings, ref, data) };
    },
  };
}
