// Resetting the master key (TechNet "Återställ lösenordet för serverns privata nyckel"; README "Resetting the master
// key"): every stored key is re-encrypted under a new master key in one transaction, after which each decrypts with the
// new key and not with the old; the old key file is overwritten in place and removed; a value that does not decrypt
// aborts the rotation with everything as it was (cluster keys, secrets, key files, audit). On PostgreSQL two consoles
// follow the documented order — stage, copy, rotate on one, rotate on the other — with `npm run rms` spawned as a
// second process, and a console holding only the old key is told which key it needs.
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/lib/console/audit/audit";
import { notificationSecretContext, notificationSettingsSchema, saveNotificationSettings } from "@/lib/console/notifications/settings";
import { checkMasterKey, keyForNewSecrets } from "@/lib/console/provisioning/master-key";
import { MasterKeyRotationError, rotateMasterKey } from "@/lib/console/provisioning/master-key-rotation";
import { clusterKeyAssociatedData, consoleKeyEncryptionKey, createClusterKey, getClusterKey } from "@/lib/console/renewal/cluster-keys";
import {
  decryptPrivateKey,
  envelopeKeyId,
  KeyEncryptionError,
  type KeyEncryptionKey,
  loadKeyEncryptionKey,
  type MasterKeySettings,
} from "@/lib/core/certificates/key-encryption";
import { type Database, migrateDatabase, openDatabase } from "@/lib/platform/db/client";
import { clusterKeys, clusters, notificationSettings } from "@/lib/platform/db/schema";
import { seedBlankPglite } from "../support/databases";
import { dbTest, describeOnEachDatabase } from "../support/db-test";
import { type ProgramRun, runProgram } from "../support/processes";
import { createPgDatabase } from "../system/support/data";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rms-master-key-rotation-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const BY = { actor: "RMS\\alice", remoteAddress: "127.0.0.1" };
/** Each test runs `npm run rms` several times: seconds each, more on a loaded machine. */
const SPAWNING = 600_000;

function rms(args: string[], settings: Record<string, string>): Promise<ProgramRun> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: "production", NODE_NO_WARNINGS: "1", USER: "carol", ...settings };
  return runProgram("rms", args, env);
}

async function addCluster(db: Database, name: string, kek: KeyEncryptionKey): Promise<string> {
  const [cluster] = await db
    .insert(clusters)
    .values({
      guid: `{${randomUUID()}}`,
      name,
      serverName: name,
      clusterUrl: `https://${name.toLowerCase()}.contoso.com`,
      configDatabase: `DRMS_${name}`,
    })
    .returning();
  if (!cluster) throw new Error("no cluster row");
  await createClusterKey(db, cluster.id, kek);
  return cluster.id;
}

/** Every stored envelope with what it is bound to, in a stable order. */
async function envelopes(db: Database): Promise<Array<{ envelope: string; associatedData: string }>> {
  const keys = await db.select().from(clusterKeys).orderBy(asc(clusterKeys.clusterId));
  const [settings] = await db.select().from(notificationSettings);
  return [
    ...keys.flatMap((key) =>
      key.encryptedPrivateKey === null
        ? []
        : [{ envelope: key.encryptedPrivateKey, associatedData: clusterKeyAssociatedData(key.clusterId) }],
    ),
    ...(settings?.encryptedWebhookSecret
      ? [{ envelope: settings.encryptedWebhookSecret, associatedData: notificationSecretContext("webhook-secret") }]
      : []),
  ];
}

function decrypts(envelope: { envelope: string; associatedData: string }, kek: KeyEncryptionKey): boolean | string {
  try {
    decryptPrivateKey(envelope.envelope, kek, envelope.associatedData);
    return true;
  } catch (error) {
    if (error instanceof KeyEncryptionError) return error.code;
    throw error;
  }
}

const rotations = async (db: Database) =>
  (await listAuditEvents(db, { page: 1, pageSize: 10, filter: { action: "master_key_rotated" } })).events;

/** A plain key object, as the old key material was before the rotation (no keyring, no source). */
const bare = (kek: KeyEncryptionKey): KeyEncryptionKey => ({ id: kek.id, key: Buffer.from(kek.key) });

async function seed(db: Database, settings: MasterKeySettings): Promise<{ kek: KeyEncryptionKey; clusterIds: string[] }> {
  const kek = await keyForNewSecrets(db, settings);
  const clusterIds = [await addCluster(db, "ALPHA", kek), await addCluster(db, "BRAVO", kek)];
  const saved = await saveNotificationSettings(
    db,
    kek,
    notificationSettingsSchema.parse({ webhookUrl: "https://hooks.contoso.com/rms", webhookSecret: "s".repeat(24) }),
    { actor: BY.actor, remoteAddress: null, now: new Date() },
  );
  expect(saved.ok).toBe(true);
  return { kek, clusterIds };
}

describeOnEachDatabase("resetting the master key", ({ kind }) => {
  let dataDir: string;
  let settings: MasterKeySettings;
  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(tmp, `${kind}-`));
    settings = { dataDir };
  });
  dbTest(
    "re-encrypts every key in one go: each decrypts with the new key and not with the old; the old file is overwritten and removed",
    async ({ db: handle }) => {
      const { kek, clusterIds } = await seed(handle.db, settings);
      const old = bare(kek);
      const keyFile = path.join(dataDir, "master.key");
      const oldText = fs.readFileSync(keyFile, "utf8");
      // A second name for the same file: it shows what became of the old key's bytes in place, after the name is gone.
      const witness = path.join(tmp, `${kind}-witness-${randomUUID()}`);
      fs.linkSync(keyFile, witness);
      const before = await envelopes(handle.db);
      expect(before).toHaveLength(3);

      const result = await rotateMasterKey(handle.db, settings, BY);

      expect(result).toMatchObject({ from: [old.id], reencrypted: 3, total: 3, wiped: keyFile, remaining: null });
      expect(result.to).not.toBe(old.id);
      const fresh = loadKeyEncryptionKey({ ...settings, createIfMissing: false });
      expect(fresh.id).toBe(result.to);
      expect(fresh.accepts).toBeUndefined();
      expect(fs.existsSync(`${keyFile}.next`)).toBe(false);
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      const after = await envelopes(handle.db);
      for (const envelope of after) {
        expect(envelopeKeyId(envelope.envelope)).toBe(result.to);
        expect(decrypts(envelope, bare(fresh))).toBe(true);
        expect(decrypts(envelope, old)).toBe("wrong_key");
      }
      // Same plaintext as before the rotation.
      for (const [i, envelope] of after.entries()) {
        const was = before[i] as (typeof before)[number];
        expect(decryptPrivateKey(envelope.envelope, fresh, envelope.associatedData)).toBe(
          decryptPrivateKey(was.envelope, old, was.associatedData),
        );
      }
      // The old key file's bytes were overwritten in place (zeros), not just unlinked.
      const leftover = fs.readFileSync(witness);
      expect(leftover.toString("utf8")).not.toContain(oldText.trim());
      expect(leftover.every((byte) => byte === 0)).toBe(true);
      fs.rmSync(witness);
      // The console signs with the new key; the audit names who reset it and both fingerprints.
      const signing = await getClusterKey(handle.db, clusterIds[0] as string, consoleKeyEncryptionKey(settings));
      expect(signing?.privateKeyPem()).toContain("PRIVATE KEY");
      const [event] = await rotations(handle.db);
      expect(event).toMatchObject({
        actor: BY.actor,
        outcome: "success",
        details: { fingerprint: result.to, target: old.id, reencrypted: 3 },
      });
    },
  );

  dbTest("one value that does not decrypt stops the rotation with everything as it was", async ({ db: handle }) => {
    const { kek } = await seed(handle.db, settings);
    const keyFile = path.join(dataDir, "master.key");
    const keyText = fs.readFileSync(keyFile, "utf8");
    // BRAVO's envelope altered (still naming this master key): ALPHA's is re-encrypted first, then BRAVO's fails.
    const [row] = await handle.db
      .select({ id: clusterKeys.id, envelope: clusterKeys.encryptedPrivateKey })
      .from(clusterKeys)
      .innerJoin(clusters, eq(clusters.id, clusterKeys.clusterId))
      .where(eq(clusters.name, "BRAVO"));
    if (!row?.envelope) throw new Error("no encrypted key for BRAVO");
    const parts = row.envelope.split(".");
    const ct = Buffer.from(parts[4] ?? "", "base64");
    ct[0] = (ct[0] ?? 0) ^ 1;
    await handle.db
      .update(clusterKeys)
      .set({ encryptedPrivateKey: [...parts.slice(0, 4), ct.toString("base64")].join(".") })
      .where(eq(clusterKeys.id, row.id));
    const before = await envelopes(handle.db);

    const failure = await rotateMasterKey(handle.db, settings, BY).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(MasterKeyRotationError);
    expect((failure as MasterKeyRotationError).code).toBe("undecryptable");
    expect((failure as Error).message).toBe(
      `The master key was not reset: the cluster key of "BRAVO" cannot be decrypted (it does not decrypt with master key ${kek.id} (altered, or bound to another record)). Nothing was changed.`,
    );
    expect(await envelopes(handle.db)).toEqual(before);
    expect(fs.readFileSync(keyFile, "utf8")).toBe(keyText);
    expect(fs.existsSync(`${keyFile}.next`)).toBe(false);
    expect(await rotations(handle.db)).toEqual([]);
  });

  dbTest("a console that holds only the old key is told which key the database needs, and cannot rotate", async ({ db: handle }) => {
    const { kek, clusterIds } = await seed(handle.db, settings);
    const oldDir = fs.mkdtempSync(path.join(tmp, `${kind}-old-`));
    fs.copyFileSync(path.join(dataDir, "master.key"), path.join(oldDir, "master.key"));
    const oldText = fs.readFileSync(path.join(oldDir, "master.key"), "utf8");
    const result = await rotateMasterKey(handle.db, settings, BY);
    const oldKeyFile = path.join(oldDir, "master.key");

    const signing = await getClusterKey(handle.db, clusterIds[0] as string, consoleKeyEncryptionKey({ dataDir: oldDir }));
    expect(() => signing?.privateKeyPem()).toThrow(
      `The cluster keys are encrypted with master key ${result.to}; this console has master key ${kek.id} (${oldKeyFile}) — copy master key ${result.to} to ${oldKeyFile} (mode 600), or stage it as ${oldKeyFile}.next, then check with: npm run rms -- keys verify.`,
    );
    const checked = await checkMasterKey(handle.db, { dataDir: oldDir }, { create: false });
    expect(checked).toMatchObject({ ok: false, code: "wrong_key" });
    expect(checked.ok || checked.message).toContain(`(fingerprint ${kek.id}) cannot decrypt 3 of the 3`);
    expect(checked.ok || checked.message).toContain(`encrypted under master key ${result.to}`);

    const before = await envelopes(handle.db);
    const refused = await rotateMasterKey(handle.db, { dataDir: oldDir }, BY).catch((error: unknown) => error);
    expect((refused as Error).message).toContain(
      `it is encrypted with master key ${result.to}; this console has master key ${kek.id} and `,
    );
    expect(await envelopes(handle.db)).toEqual(before);
    expect(fs.existsSync(`${oldKeyFile}.next`)).toBe(false);
    expect(fs.readFileSync(oldKeyFile, "utf8")).toBe(oldText);
  });
});

describe("the rms CLI resets the master key (spawned, on PGlite)", () => {
  it(
    "keys stage, keys verify and keys rotate: audited as the OS user, the old file gone",
    async () => {
      const dataDir = fs.mkdtempSync(path.join(tmp, "cli-"));
      seedBlankPglite(path.join(dataDir, "pglite"));
      const handle = await openDatabase({ dataDir });
      let oldId: string;
      try {
        await migrateDatabase(handle);
        oldId = (await seed(handle.db, { dataDir })).kek.id;
      } finally {
        await handle.close();
      }
      const staged = await rms(["keys", "stage"], { RMS_DATA_DIR: dataDir });
      expect(staged.stderr).not.toContain("Error");
      expect(staged.code).toBe(0);
      const nextId = /fingerprint ([0-9a-f]{16})/.exec(staged.stdout)?.[1];
      expect(staged.stdout).toContain(
        `Staged the next master key: ${path.join(dataDir, "master.key.next")}, fingerprint ${nextId} (mode 600).`,
      );
      expect(fs.statSync(path.join(dataDir, "master.key.next")).mode & 0o777).toBe(0o600);

      const verified = await rms(["keys", "verify"], { RMS_DATA_DIR: dataDir });
      expect(verified.code).toBe(0);
      expect(verified.stdout).toContain(`Master key: ${path.join(dataDir, "master.key")}, fingerprint ${oldId}`);
      expect(verified.stdout).toContain(
        `Next master key (staged for a reset, accepted too): ${path.join(dataDir, "master.key.next")}, fingerprint ${nextId}`,
      );

      const rotated = await rms(["keys", "rotate"], { RMS_DATA_DIR: dataDir });
      expect(rotated.stderr).not.toContain("Error");
      expect(rotated.code).toBe(0);
      expect(rotated.stdout).toContain(
        `Reset the master key: 3 of 3 encrypted keys re-encrypted from master key ${oldId} to ${nextId}, in one transaction.`,
      );
      expect(rotated.stdout).toContain(`${path.join(dataDir, "master.key")} now holds master key ${nextId}.`);
      expect(fs.existsSync(path.join(dataDir, "master.key.next"))).toBe(false);

      const after = await rms(["keys", "verify"], { RMS_DATA_DIR: dataDir });
      expect(after.code).toBe(0);
      expect(after.stdout).toContain(`fingerprint ${nextId}`);
      expect(after.stdout).toContain("All 3 encrypted keys in this database decrypt with this console's master key.");
      const reopened = await openDatabase({ dataDir });
      try {
        const [event] = await rotations(reopened.db);
        expect(event).toMatchObject({ actor: "cli:carol", details: { fingerprint: nextId, target: oldId } });
      } finally {
        await reopened.close();
      }
    },
    SPAWNING,
  );
});

describe.skipIf(!process.env.DATABASE_URL)("two consoles on one PostgreSQL database", () => {
  it(
    "stage on A, copy to B, rotate on A (B keeps signing and writes under the new key), rotate on B; an old-key console is told",
    async () => {
      const database = await createPgDatabase(process.env.DATABASE_URL as string);
      const aDir = fs.mkdtempSync(path.join(tmp, "pg-a-"));
      const bDir = fs.mkdtempSync(path.join(tmp, "pg-b-"));
      const oldDir = fs.mkdtempSync(path.join(tmp, "pg-old-"));
      const a = await openDatabase({ dataDir: aDir, databaseUrl: database.url });
      const b = await openDatabase({ dataDir: bDir, databaseUrl: database.url });
      const forB = { RMS_DATA_DIR: bDir, DATABASE_URL: database.url };
      try {
        await migrateDatabase(a);
        const { kek, clusterIds } = await seed(a.db, { dataDir: aDir });
        for (const dir of [bDir, oldDir]) fs.copyFileSync(path.join(aDir, "master.key"), path.join(dir, "master.key"));

        // 1. Stage on A (spawned, as the operator would), 2. copy to B: B accepts both keys.
        const staged = await rms(["keys", "stage"], { RMS_DATA_DIR: aDir, DATABASE_URL: database.url });
        expect(staged.code).toBe(0);
        const nextId = /fingerprint ([0-9a-f]{16})/.exec(staged.stdout)?.[1] as string;
        fs.copyFileSync(path.join(aDir, "master.key.next"), path.join(bDir, "master.key.next"));
        fs.chmodSync(path.join(bDir, "master.key.next"), 0o600);
        const verified = await rms(["keys", "verify"], forB);
        expect(verified.code).toBe(0);
        expect(verified.stdout).toContain(`fingerprint ${nextId}`);

        // 3. Rotate on A (the page's path, in this process).
        const result = await rotateMasterKey(a.db, { dataDir: aDir }, BY);
        expect(result).toMatchObject({ to: nextId, from: [kek.id], reencrypted: 3, total: 3 });

        // B, not yet rotated, still signs and writes new values under the new key, through its own connections.
        const signing = await getClusterKey(b.db, clusterIds[1] as string, consoleKeyEncryptionKey({ dataDir: bDir }));
        expect(signing?.privateKeyPem()).toContain("PRIVATE KEY");
        const forNew = await keyForNewSecrets(b.db, { dataDir: bDir });
        expect(forNew.id).toBe(nextId);
        const created = await addCluster(b.db, "CHARLIE", forNew);
        const [charlie] = await b.db.select().from(clusterKeys).where(eq(clusterKeys.clusterId, created));
        expect(envelopeKeyId(charlie?.encryptedPrivateKey as string)).toBe(nextId);

        // A console that holds only the old key: verify and rotate refuse, naming both keys; nothing changes.
        const oldVerify = await rms(["keys", "verify"], { RMS_DATA_DIR: oldDir, DATABASE_URL: database.url });
        expect(oldVerify.code).toBe(1);
        expect(oldVerify.stderr).toContain(`(fingerprint ${kek.id}) cannot decrypt 4 of the 4 encrypted keys`);
        expect(oldVerify.stderr).toContain(`encrypted under master key ${nextId}`);
        const oldRotate = await rms(["keys", "rotate"], { RMS_DATA_DIR: oldDir, DATABASE_URL: database.url });
        expect(oldRotate.code).toBe(1);
        expect(oldRotate.stderr).toContain(`it is encrypted with master key ${nextId}; this console has master key ${kek.id}`);
        expect(oldRotate.stderr).toContain("Nothing was changed.");
        expect(fs.existsSync(path.join(oldDir, "master.key.next"))).toBe(false);

        // 4. Rotate on B (spawned): nothing left to re-encrypt; B's old key is wiped and the new one is its master.key.
        const retired = await rms(["keys", "rotate"], forB);
        expect(retired.stderr).not.toContain("Error");
        expect(retired.code).toBe(0);
        expect(retired.stdout).toContain(
          `Every encrypted key (4) is already encrypted with master key ${nextId}; this console now uses it too.`,
        );
        expect(fs.existsSync(path.join(bDir, "master.key.next"))).toBe(false);
        for (const [db, dataDir] of [
          [a.db, aDir],
          [b.db, bDir],
        ] as const) {
          const checked = await checkMasterKey(db, { dataDir }, { create: false });
          expect(checked).toMatchObject({ ok: true, kek: { id: nextId } });
          expect(checked.ok && checked.kek.accepts).toBeUndefined();
        }
        const events = await rotations(a.db);
        expect(events.map((event) => [event.actor, event.details.reencrypted])).toEqual([
          ["cli:carol", 0],
          [BY.actor, 3],
        ]);
      } finally {
        await a.close();
        await b.close();
        await database.drop();
      }
    },
    SPAWNING,
  );
});
