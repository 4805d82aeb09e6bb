// `rms keys verify`: whether this console's master key decrypts every key the database holds encrypted — what a second
// console on a shared database runs before it serves. Exit 0 when it does, 1 when anything cannot be decrypted.
import type { MasterKeySettings } from "@/lib/certificates/key-encryption";
import type { Queryable } from "@/lib/db/client";
import { awaitsFirstKey, type CheckedItem, checkMasterKey } from "@/lib/provisioning/master-key";
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
