// `rms keys verify`: whether this console's master key decrypts every key the database holds encrypted — what a second
// console on a shared database runs before it serves. Exit 0 when it does, 1 when anything cannot be decrypted.
// `rms keys where`: where each cluster's key lives (encrypted file key, or a PKCS#11 token), checked in the token.
import type { MasterKeySettings } from "@/lib/certificates/key-encryption";
import { HsmError, type Pkcs11Settings, readTokenKeyAttributes } from "@/lib/certificates/pkcs11-token";
import type { Queryable } from "@/lib/db/client";
import { awaitsFirstKey, type CheckedItem, checkMasterKey } from "@/lib/provisioning/master-key";
import { listClusterKeyCustody } from "@/lib/renewal/cluster-keys";
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
