// `rms keys verify`: whether this console's master key decrypts every key the database holds encrypted — what a second
// console on a shared database runs before it serves. Exit 0 when it does, 1 when anything cannot be decrypted.
// `rms keys where`: where each cluster's key lives (encrypted file key, or a PKCS#11 token), checked in the token.

import { awaitsFirstKey, type CheckedItem, checkMasterKey } from "@/lib/console/provisioning/master-key";
import { MasterKeyRotationError, masterKeyStatus, rotateMasterKey } from "@/lib/console/provisioning/master-key-rotation";
import { listClusterKeyCustody } from "@/lib/console/renewal/cluster-keys";
import {
  createNextMasterKey,
  KeyEncryptionError,
  type MasterKeySettings,
  masterKeyPaths,
  masterKeySource,
} from "@/lib/core/certificates/key-encryption";
import { HsmError, type Pkcs11Settings, readTokenKeyAttributes } from "@/lib/core/certificates/pkcs11-token";
import type { Database, Queryable } from "@/lib/platform/db/client";
import { textTable } from "./text";

interface KeysIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const OUTCOME: Record<CheckedItem["outcome"], string> = {
  decrypts: "decrypts",
  wrong_key: "WRONG KEY",
  corrupt: "DAMAGED",
  not_checked: "not checked",
};

function itemTable(items: CheckedItem[]): string {
  return textTable([
    ["RESULT", "ENCRYPTED UNDER", "WHAT"],
    ...items.map((item) => [OUTCOME[item.outcome], item.encryptedUnder ?? "-", item.label]),
  ]);
}

export async function verifyKeysCommand(db: Queryable, settings: MasterKeySettings, io: KeysIo): Promise<number> {
  const checked = await checkMasterKey(db, settings, { create: false });
  if (!checked.ok) {
    if (awaitsFirstKey(checked, settings)) {
      io.stdout(
        `No master key yet (${checked.source}), and the database holds nothing encrypted: \`npm start\` creates that file on ` +
          "its first start. Consoles that join this database later need a copy of it.",
      );
      return 0;
    }
    if (checked.items.length > 0) io.stdout(itemTable(checked.items));
    io.stderr(`Error: ${checked.message}`);
    return 1;
  }
  io.stdout(`Master key: ${checked.source}, fingerprint ${checked.kek.id}`);
  for (const other of checked.kek.accepts ?? []) {
    io.stdout(`Next master key (staged for a reset, accepted too): ${other.source ?? "-"}, fingerprint ${other.id}`);
  }
  if (checked.items.length === 0) {
    io.stdout("The database holds nothing encrypted yet; this key will encrypt the first cluster key.");
    return 0;
  }
  io.stdout(itemTable(checked.items));
  io.stdout(
    checked.items.length === 1
      ? "The one encrypted key in this database decrypts with this console's master key."
      : `All ${checked.items.length} encrypted keys in this database decrypt with this console's master key.`,
  );
  return 0;
}

// `rms keys stage` and `rms keys rotate`: the master-key reset (TechNet "Återställ lösenordet för serverns privata
// nyckel"). README "Resetting the master key" gives the order for several consoles: stage on one, copy the staged file to
// every other console, rotate on one, then rotate on each of the others (which only retires its old key there).

/** `keys stage`: makes the next master key beside the current one, so it can be copied to the other consoles first. */
export async function stageMasterKeyCommand(db: Queryable, settings: MasterKeySettings, io: KeysIo): Promise<number> {
  const status = await masterKeyStatus(db, settings);
  if (status.problem) {
    io.stderr(`Error: ${status.problem}`);
    return 1;
  }
  if (!status.current) {
    io.stderr(`Error: this console has no master key (${masterKeySource(settings)}) to rotate; nothing was staged.`);
    return 1;
  }
  if (status.next) {
    io.stdout(`A next master key is already staged: ${status.next.source}, fingerprint ${status.next.id}.`);
  } else {
    try {
      const next = createNextMasterKey(settings);
      io.stdout(`Staged the next master key: ${next.source}, fingerprint ${next.id} (mode 600).`);
    } catch (error) {
      if (!(error instanceof KeyEncryptionError)) throw error;
      io.stderr(`Error: ${error.message}`);
      return 1;
    }
  }
  const path = masterKeyPaths(settings).next;
  io.stdout(
    `Copy it to every other console that shares this database, as its next key beside its own master key (for example: install -m 600 -o rms ${path} <other data folder>/master.key.next), ` +
      "check each with `npm run rms -- keys verify` (it names the next key), then run `npm run rms -- keys rotate` on one console and after it on each of the others.",
  );
  return 0;
}

/** `keys rotate`: re-encrypts everything under the next key (staged, else made now) in one transaction, then retires the old key. */
export async function rotateMasterKeyCommand(db: Database, settings: MasterKeySettings, io: KeysIo & { actor: string }): Promise<number> {
  try {
    const result = await rotateMasterKey(db, settings, { actor: io.actor, remoteAddress: null });
    io.stdout(
      result.reencrypted > 0
        ? `Reset the master key: ${result.reencrypted} of ${result.total} encrypted keys re-encrypted from master key ${result.from.join(", ")} to ${result.to}, in one transaction.`
        : `Every encrypted key (${result.total}) is already encrypted with master key ${result.to}; this console now uses it too.`,
    );
    if (result.wiped) io.stdout(`The old master key file was overwritten and removed; ${result.wiped} now holds master key ${result.to}.`);
    if (result.remaining) io.stdout(`Still to do: ${result.remaining}.`);
    io.stdout(
      "Consoles that share this database and have not received the new key cannot decrypt the keys until they do; backups keyed by the old master key need the old key: take a new backup now.",
    );
    return 0;
  } catch (error) {
    if (!(error instanceof MasterKeyRotationError)) throw error;
    io.stderr(`Error: ${error.message}`);
    return 1;
  }
}

/**
 * Lists every cluster's key custody. A token key is looked up in the token when RMS_PKCS11_* is set: what the token
 * says of it (not extractable, sensitive), or why it cannot be reached. Exit 1 when a token key cannot be confirmed.
 */
export async function whereKeysCommand(db: Queryable, token: Pkcs11Settings | null, io: KeysIo): Promise<number> {
  const rows = await listClusterKeyCustody(db);
  if (rows.length === 0) {
    io.stdout("No clusters are provisioned.");
    return 0;
  }
  let failed = false;
  const problems: string[] = [];
  const table = rows.map((row) => {
    const custody = row.custody;
    if (custody === null) return [row.clusterName, "none", "-", "-", "-"];
    if (custody.kind === "file") return [row.clusterName, "file (encrypted under the master key)", "-", custody.fingerprint, "-"];
    let state = "not checked (RMS_PKCS11_MODULE unset)";
    if (token) {
      try {
        const attributes = readTokenKeyAttributes(token, custody);
        state =
          !attributes.extractable && attributes.sensitive && attributes.refused.privateExponent
            ? "in token, not extractable"
            : "in token, EXTRACTABLE";
        if (state !== "in token, not extractable") failed = true;
      } catch (error) {
        if (!(error instanceof HsmError)) throw error;
        failed = true;
        state = error.code.toUpperCase();
        problems.push(`${row.clusterName}: ${error.message}`);
      }
    }
    return [
      row.clusterName,
      `PKCS#11 token "${custody.tokenLabel}"`,
      `${custody.keyLabel} (CKA_ID ${custody.keyId})`,
      custody.fingerprint,
      state,
    ];
  });
  io.stdout(textTable([["CLUSTER", "KEY LIVES IN", "TOKEN KEY", "PUBLIC-KEY FINGERPRINT (SHA-256)", "TOKEN SAYS"], ...table]));
  for (const problem of problems) io.stderr(`Error: ${problem}`);
  return failed ? 1 : 0;
}
