// Master-key rotation (TechNet "Återställ lösenordet för serverns privata nyckel", reset the password for the server's
// private key): every value the database holds encrypted — cluster keys, the notification secrets, the proxy password —
// is re-encrypted under the next master key in one transaction, then the next key becomes this console's current key
// and the old key file is wiped. Several consoles on one PostgreSQL: stage the next key on every console first (each then
// accepts both), rotate on one, then run the rotation on each of the others, which finds nothing left to re-encrypt and
// only retires its old key (README: "Resetting the master key").
import { asc, eq, sql } from "drizzle-orm";
import { recordAudit } from "@/lib/console/audit/audit";
import { notificationSecretContext } from "@/lib/console/notifications/settings";
import { PROXY_PASSWORD_CONTEXT } from "@/lib/console/proxy/settings";
import { clusterKeyAssociatedData } from "@/lib/console/renewal/cluster-keys";
import {
  createNextMasterKey,
  decryptPrivateKey,
  encryptPrivateKey,
  envelopeKeyId,
  KeyEncryptionError,
  type KeyEncryptionKey,
  loadMasterKeyring,
  type MasterKeySettings,
  promoteNextMasterKey,
  wipeKeyFile,
} from "@/lib/core/certificates/key-encryption";
import { MASTER_KEY_ROTATION_LOCK_ID } from "@/lib/platform/db/advisory-locks";
import type { Database, Queryable } from "@/lib/platform/db/client";
import { clusterKeys, clusters, notificationSettings, proxySettings } from "@/lib/platform/db/schema";
import { CodedError } from "@/lib/platform/errors/coded-error";

type MasterKeyRotationErrorCode = "no_key" | "undecryptable" | "stage_failed" | "promote_failed";

export class MasterKeyRotationError extends CodedError<MasterKeyRotationErrorCode> {
  override readonly name = "MasterKeyRotationError";
}

/** One encrypted value and how to write it back. */
interface StoredSecret {
  label: string;
  envelope: string;
  associatedData: string;
  write: (tx: Queryable, envelope: string) => Promise<unknown>;
}

async function storedSecrets(tx: Queryable): Promise<StoredSecret[]> {
  const keys = await tx
    .select({
      id: clusterKeys.id,
      clusterId: clusterKeys.clusterId,
      envelope: clusterKeys.encryptedPrivateKey,
      active: clusterKeys.active,
      name: clusters.name,
    })
    .from(clusterKeys)
    .innerJoin(clusters, eq(clusters.id, clusterKeys.clusterId))
    .orderBy(asc(clusters.name), asc(clusterKeys.createdAt))
    .for("update");
  // A key held in a PKCS#11 token has no encrypted copy here: the master key does not protect it.
  const secrets: StoredSecret[] = keys.flatMap((key) =>
    key.envelope === null
      ? []
      : [
          {
            label: `${key.active ? "cluster key" : "earlier cluster key"} of "${key.name}"`,
            envelope: key.envelope,
            associatedData: clusterKeyAssociatedData(key.clusterId),
            write: (q: Queryable, envelope: string) =>
              q.update(clusterKeys).set({ encryptedPrivateKey: envelope }).where(eq(clusterKeys.id, key.id)),
          },
        ],
  );
  const [settings] = await tx.select().from(notificationSettings).where(eq(notificationSettings.id, 1)).for("update");
  if (settings?.encryptedWebhookSecret) {
    secrets.push({
      label: "notification webhook secret (Settings)",
      envelope: settings.encryptedWebhookSecret,
      associatedData: notificationSecretContext("webhook-secret"),
      write: (q, envelope) =>
        q.update(notificationSettings).set({ encryptedWebhookSecret: envelope }).where(eq(notificationSettings.id, 1)),
    });
  }
  if (settings?.encryptedSmtpPassword) {
    secrets.push({
      label: "SMTP password (Settings)",
      envelope: settings.encryptedSmtpPassword,
      associatedData: notificationSecretContext("smtp-password"),
      write: (q, envelope) => q.update(notificationSettings).set({ encryptedSmtpPassword: envelope }).where(eq(notificationSettings.id, 1)),
    });
  }
  const [proxy] = await tx
    .select({ envelope: proxySettings.encryptedPassword })
    .from(proxySettings)
    .where(eq(proxySettings.id, 1))
    .for("update");
  if (proxy?.envelope) {
    secrets.push({
      label: "proxy password (RMS proxy settings)",
      envelope: proxy.envelope,
      associatedData: PROXY_PASSWORD_CONTEXT,
      write: (q, envelope) => q.update(proxySettings).set({ encryptedPassword: envelope }).where(eq(proxySettings.id, 1)),
    });
  }
  return secrets;
}

interface MasterKeyRotation {
  /** The master keys the values were encrypted under before (distinct fingerprints). */
  from: string[];
  /** The new master key's fingerprint. */
  to: string;
  /** How many values were re-encrypted (0 when another console had already rotated: this one only retired its old key). */
  reencrypted: number;
  /** How many values the database holds encrypted, all now under `to`. */
  total: number;
  /** The old key file that was overwritten and removed, or null. */
  wiped: string | null;
  /** What the console could not do itself (an environment variable to change), or null. */
  remaining: string | null;
}

interface RotationActor {
  actor: string;
  remoteAddress: string | null;
  now?: Date;
}

/**
 * Rotates this console's master key. The next key is the staged one (`<key file>.next`), else a new one made here. In one
 * transaction (under an advisory lock, rows locked) every stored value is decrypted with this console's keyring and
 * encrypted under the next key, and the rotation audited; any value that does not decrypt aborts it, changing nothing
 * (a next key made by this call is wiped again). Only after the commit does the next key replace the old one on disk.
 */
export async function rotateMasterKey(db: Database, settings: MasterKeySettings, by: RotationActor): Promise<MasterKeyRotation> {
  let ring: ReturnType<typeof loadMasterKeyring>;
  try {
    ring = loadMasterKeyring(settings);
  } catch (error) {
    if (error instanceof KeyEncryptionError) throw new MasterKeyRotationError("no_key", `${error.message} Nothing was changed.`);
    throw error;
  }
  const current = ring.current;
  if (!current && !ring.next) {
    throw new MasterKeyRotationError("no_key", "This console has no master key to rotate; nothing was changed.");
  }
  let next: KeyEncryptionKey;
  let madeHere = false;
  if (ring.next) {
    next = ring.next;
  } else {
    try {
      next = createNextMasterKey(settings);
      madeHere = true;
    } catch (error) {
      if (error instanceof KeyEncryptionError) throw new MasterKeyRotationError("stage_failed", `${error.message} Nothing was changed.`);
      throw error;
    }
  }
  const keyring: KeyEncryptionKey = current ? { ...current, accepts: [next] } : next;
  let outcome: { from: string[]; reencrypted: number; total: number };
  try {
    outcome = await db.transaction(async (tx) => {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(${MASTER_KEY_ROTATION_LOCK_ID})`);
      const secrets = await storedSecrets(tx);
      const from = new Set<string>();
      let reencrypted = 0;
      for (const secret of secrets) {
        const under = envelopeKeyId(secret.envelope);
        if (under === next.id) {
          // Already under the new key (another console rotated, or an interrupted run): checked, not rewritten.
          decryptOrExplain(secret, keyring, next);
          continue;
        }
        if (under) from.add(under);
        const plain = decryptOrExplain(secret, keyring, next);
        await secret.write(tx, encryptPrivateKey(plain, { id: next.id, key: next.key }, secret.associatedData));
        reencrypted += 1;
      }
      await recordAudit(tx, {
        actor: by.actor,
        remoteAddress: by.remoteAddress,
        action: "master_key_rotated",
        outcome: "success",
        ...(by.now ? { occurredAt: by.now } : {}),
        // fingerprint/target are the audit sentence's placeholders: the new master key, and the one(s) it replaced.
        details: { fingerprint: next.id, target: [...from].join(", ") || (current?.id ?? "-"), reencrypted, total: secrets.length },
      });
      return { from: [...from], reencrypted, total: secrets.length };
    });
  } catch (error) {
    if (madeHere) wipeKeyFile(next.source ?? "");
    throw error;
  }
  let promoted: { wiped: string | null; remaining: string | null };
  try {
    promoted = promoteNextMasterKey(settings);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new MasterKeyRotationError(
      "promote_failed",
      `The database is now encrypted under master key ${next.id}, but the key file could not be moved into place (${reason}). ` +
        `This console still holds both keys and works; fix the cause and run npm run rms -- keys rotate again to finish.`,
    );
  }
  const from = outcome.from.length > 0 ? outcome.from : current ? [current.id] : [];
  return { ...outcome, ...promoted, from, to: next.id };
}

function decryptOrExplain(secret: StoredSecret, keyring: KeyEncryptionKey, next: KeyEncryptionKey): string {
  try {
    return decryptPrivateKey(secret.envelope, keyring, secret.associatedData);
  } catch (error) {
    if (!(error instanceof KeyEncryptionError)) throw error;
    const under = envelopeKeyId(secret.envelope);
    const has = [keyring.id, ...(keyring.accepts ?? []).map((key) => key.id)].filter((id, i, all) => all.indexOf(id) === i);
    const why =
      error.code === "corrupt" || under === null
        ? `its envelope is damaged`
        : has.includes(under)
          ? `it does not decrypt with master key ${under} (altered, or bound to another record)`
          : `it is encrypted with master key ${under}; this console has master key ${has.join(" and ")} — copy master key ${under} to this console (as its master key, or staged as ${next.source ?? "the next key"}) first`;
    throw new MasterKeyRotationError(
      "undecryptable",
      `The master key was not reset: the ${secret.label} cannot be decrypted (${why}). Nothing was changed.`,
    );
  }
}

/** The current state, for `keys verify`, the CLI and the Security settings page. */
export interface MasterKeyStatus {
  /** This console's current master key (fingerprint and where it is held), or null when it has none. */
  current: { id: string; source: string } | null;
  /** The staged next key, or null. */
  next: { id: string; source: string } | null;
  /** Fingerprints of the master keys the database's values are encrypted under, with how many each. */
  inUse: Array<{ id: string; count: number }>;
  /** Stored values this console cannot decrypt for want of the key (fingerprints it lacks). */
  missing: string[];
  /** Why the keyring could not be read (a key file with a bad mode, say), or null. */
  problem: string | null;
}

export async function masterKeyStatus(db: Queryable, settings: MasterKeySettings): Promise<MasterKeyStatus> {
  let ring: ReturnType<typeof loadMasterKeyring> | null = null;
  let problem: string | null = null;
  try {
    ring = loadMasterKeyring(settings);
  } catch (error) {
    if (!(error instanceof KeyEncryptionError)) throw error;
    problem = error.message;
  }
  const envelopes = [
    ...(await db.select({ envelope: clusterKeys.encryptedPrivateKey }).from(clusterKeys)).map((row) => row.envelope),
    ...(await db.select().from(notificationSettings)).flatMap((row) => [row.encryptedWebhookSecret, row.encryptedSmtpPassword]),
    ...(await db.select({ envelope: proxySettings.encryptedPassword }).from(proxySettings)).map((row) => row.envelope),
  ].filter((envelope): envelope is string => Boolean(envelope));
  const counts = new Map<string, number>();
  for (const envelope of envelopes) {
    const under = envelopeKeyId(envelope) ?? "damaged";
    counts.set(under, (counts.get(under) ?? 0) + 1);
  }
  const inUse = [...counts].map(([id, count]) => ({ id, count })).sort((x, y) => y.count - x.count || x.id.localeCompare(y.id));
  const held = new Set([ring?.current?.id, ring?.next?.id].filter((id): id is string => Boolean(id)));
  const described = (key: KeyEncryptionKey | null | undefined) => (key ? { id: key.id, source: key.source ?? "" } : null);
  return {
    current: described(ring?.current),
    next: described(ring?.next),
    inUse,
    missing: inUse.map((row) => row.id).filter((id) => id !== "damaged" && !held.has(id)),
    problem,
  };
}
