// Whether this console's master key opens what the database holds encrypted (cluster keys, stored notification secrets):
// checked by `npm start` before the console serves and by `npm run rms -- keys verify`. Consoles sharing a database share
// the key; a new one is created only while the database holds nothing encrypted, so it can never orphan another's keys.
import { asc, eq } from "drizzle-orm";
import { notificationSecretContext } from "@/lib/console/notifications/settings";
import { PROXY_PASSWORD_CONTEXT, storedProxyPassword } from "@/lib/console/proxy/settings";
import { clusterKeyAssociatedData } from "@/lib/console/renewal/cluster-keys";
import {
  decryptPrivateKey,
  envelopeKeyId,
  KeyEncryptionError,
  type KeyEncryptionErrorCode,
  type KeyEncryptionKey,
  loadKeyEncryptionKey,
  type MasterKeySettings,
  masterKeySource,
} from "@/lib/core/certificates/key-encryption";
import type { Queryable } from "@/lib/platform/db/client";
import { clusterKeys, clusters, notificationSettings } from "@/lib/platform/db/schema";

/** One value stored encrypted under a master key. */
interface EncryptedItem {
  /** What it is, for the operator: `cluster key of "RMS01 RMS cluster"`. */
  label: string;
  envelope: string;
  associatedData: string;
}

export interface CheckedItem {
  label: string;
  /** The fingerprint of the master key it was encrypted under, or null when its envelope is damaged. */
  encryptedUnder: string | null;
  outcome: "decrypts" | "wrong_key" | "corrupt" | "not_checked";
}

export type MasterKeyCheck =
  | { ok: true; kek: KeyEncryptionKey; source: string; created: boolean; items: CheckedItem[] }
  | { ok: false; code: KeyEncryptionErrorCode; source: string; message: string; items: CheckedItem[] };

const HOW_TO_GIVE =
  "give this console the master key of the consoles already using this database: copy their master.key into its data folder " +
  "(mode 600), or point RMS_MASTER_KEY_FILE at a copy (mode 600), or set RMS_MASTER_KEY; then check with: npm run rms -- keys verify";

async function encryptedItems(db: Queryable): Promise<EncryptedItem[]> {
  const keys = await db
    .select({
      clusterId: clusterKeys.clusterId,
      envelope: clusterKeys.encryptedPrivateKey,
      active: clusterKeys.active,
      name: clusters.name,
    })
    .from(clusterKeys)
    .innerJoin(clusters, eq(clusters.id, clusterKeys.clusterId))
    .orderBy(asc(clusters.name), asc(clusterKeys.createdAt));
  // A key held in a PKCS#11 token has no envelope: the master key does not protect it.
  const items: EncryptedItem[] = keys.flatMap((key) =>
    key.envelope === null
      ? []
      : [
          {
            label: `${key.active ? "cluster key" : "earlier cluster key"} of "${key.name}"`,
            envelope: key.envelope,
            associatedData: clusterKeyAssociatedData(key.clusterId),
          },
        ],
  );
  const [settings] = await db.select().from(notificationSettings).limit(1);
  if (settings?.encryptedWebhookSecret) {
    items.push({
      label: "notification webhook secret (Settings)",
      envelope: settings.encryptedWebhookSecret,
      associatedData: notificationSecretContext("webhook-secret"),
    });
  }
  if (settings?.encryptedSmtpPassword) {
    items.push({
      label: "SMTP password (Settings)",
      envelope: settings.encryptedSmtpPassword,
      associatedData: notificationSecretContext("smtp-password"),
    });
  }
  const proxyPassword = await storedProxyPassword(db);
  if (proxyPassword)
    items.push({ label: "proxy password (RMS proxy settings)", envelope: proxyPassword, associatedData: PROXY_PASSWORD_CONTEXT });
  return items;
}

function fingerprints(items: CheckedItem[]): string {
  const distinct = [...new Set(items.map((item) => item.encryptedUnder).filter((id): id is string => id !== null))];
  return distinct.length === 1 ? `master key ${distinct[0]}` : `master keys ${distinct.join(", ")}`;
}

function described(items: CheckedItem[]): string {
  const shown = items.slice(0, 3).map((item) => item.label);
  return items.length > shown.length ? `${shown.join(", ")} and ${items.length - shown.length} more` : shown.join(", ");
}

/**
 * Loads this console's master key and tries it on every value the database holds encrypted. `create`: make the data
 * folder's master.key when there is none — honoured only while the database holds nothing encrypted. Run it under the
 * start-up lock when it may create, so two consoles starting on an empty database cannot each make their own.
 */
export async function checkMasterKey(db: Queryable, settings: MasterKeySettings, opts: { create: boolean }): Promise<MasterKeyCheck> {
  const source = masterKeySource(settings);
  const stored = await encryptedItems(db);
  const unchecked = stored.map(
    (item): CheckedItem => ({ label: item.label, encryptedUnder: envelopeKeyId(item.envelope), outcome: "not_checked" }),
  );
  let kek: KeyEncryptionKey;
  let created = false;
  try {
    const canCreate = opts.create && stored.length === 0;
    try {
      kek = loadKeyEncryptionKey({ ...settings, createIfMissing: false });
    } catch (error) {
      // Only the data folder's master.key is ever created; a key named by RMS_MASTER_KEY_FILE stays missing.
      if (!(canCreate && error instanceof KeyEncryptionError && error.code === "missing")) throw error;
      kek = loadKeyEncryptionKey({ ...settings, createIfMissing: true });
      created = true;
    }
  } catch (error) {
    if (!(error instanceof KeyEncryptionError)) throw error;
    const held =
      stored.length === 0
        ? ""
        : ` This database holds ${stored.length} encrypted ${stored.length === 1 ? "key" : "keys"} (${described(unchecked)}) under ${fingerprints(unchecked)}: ${HOW_TO_GIVE}.`;
    const never = error.code === "missing" && stored.length > 0 ? " A new master key is not created: it could not read them." : "";
    return { ok: false, code: error.code, source, message: `${error.message}${held}${never}`, items: unchecked };
  }

  const items = stored.map((item, index): CheckedItem => {
    const base = unchecked[index] as CheckedItem;
    try {
      decryptPrivateKey(item.envelope, kek, item.associatedData);
      return { ...base, outcome: "decrypts" };
    } catch (error) {
      if (!(error instanceof KeyEncryptionError)) throw error;
      return { ...base, outcome: error.code === "corrupt" ? "corrupt" : "wrong_key" };
    }
  });
  const wrong = items.filter((item) => item.outcome === "wrong_key");
  const corrupt = items.filter((item) => item.outcome === "corrupt");
  if (wrong.length > 0) {
    return {
      ok: false,
      code: "wrong_key",
      source,
      items,
      message:
        `The master key from ${source} (fingerprint ${kek.id}) cannot decrypt ${wrong.length} of the ${items.length} encrypted keys in this database ` +
        `(${described(wrong)}), encrypted under ${fingerprints(wrong)}: ${HOW_TO_GIVE}.`,
    };
  }
  if (corrupt.length > 0) {
    return {
      ok: false,
      code: "corrupt",
      source,
      items,
      message:
        `${corrupt.length} encrypted ${corrupt.length === 1 ? "key in this database is" : "keys in this database are"} damaged (${described(corrupt)}); ` +
        "restore the database from backup, or remove the cluster and enroll it again.",
    };
  }
  return { ok: true, kek, source, created, items };
}

/** No master key yet and nothing encrypted that needs one: the first start will create the data folder's master.key. */
export function awaitsFirstKey(check: MasterKeyCheck, settings: MasterKeySettings): boolean {
  const named = Boolean(settings.masterKey?.trim() || settings.masterKeyFile?.trim());
  return !check.ok && check.code === "missing" && check.items.length === 0 && !named;
}

/**
 * The key a console encrypts a new value with (a cluster's key, a notification secret): the data folder's master.key is
 * created only while the database holds nothing encrypted — never beside values encrypted under another console's key.
 */
export async function keyForNewSecrets(db: Queryable, settings: MasterKeySettings): Promise<KeyEncryptionKey> {
  const stored = await encryptedItems(db);
  const kek = loadKeyEncryptionKey({ ...settings, createIfMissing: stored.length === 0 });
  // During a master-key reset (lib/console/provisioning/master-key-rotation.ts) a console holds the current and the next key;
  // once the database holds anything under the next one, another console has rotated: new values go under it too.
  const rotated = kek.accepts?.find((other) => stored.some((item) => envelopeKeyId(item.envelope) === other.id));
  if (!rotated) return kek;
  const { accepts: _accepts, ...previous } = kek;
  return { ...rotated, accepts: [previous] };
}
