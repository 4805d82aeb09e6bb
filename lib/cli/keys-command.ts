// `rms keys verify`: whether this console's master key decrypts every key the database holds encrypted — what a second
// console on a shared database runs before it serves. Exit 0 when it does, 1 when anything cannot be decrypted.
import {
  createNextMasterKey,
  KeyEncryptionError,
  type MasterKeySettings,
  masterKeyPaths,
  masterKeySource,
} from "@/lib/certificates/key-encryption";
import type { Database, Queryable } from "@/lib/db/client";
import { awaitsFirstKey, type CheckedItem, checkMasterKey } from "@/lib/provisioning/master-key";
import { MasterKeyRotationError, masterKeyStatus, rotateMasterKey } from "@/lib/provisioning/master-key-rotation";
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
