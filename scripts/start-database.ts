// The database work of `npm start` (scripts/start.ts), in a child process that exits when it is done, so the supervisor
// never holds a database: `check` opens an existing database before the build and stops the start if the master key
// cannot open its cluster keys; `prepare <enrollment URL>` migrates, provisions the demo on first run and sends the
// setup link (if no administrator exists) to the supervisor over IPC. Its lines go to the start's own output.
import { createSetupToken, needsSetup } from "@/lib/console/auth/setup-tokens";
import { setupLink } from "@/lib/console/config/console-origin";
import { type Env, loadEnv } from "@/lib/console/env";
import { DEMO_SLC_VALIDITY_DAYS, provisionFirstRun } from "@/lib/console/provisioning/first-run";
import { awaitsFirstKey, checkMasterKey } from "@/lib/console/provisioning/master-key";
import { masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import { failureMessage, resolveMessage } from "@/lib/console/renewal/failure-messages";
import { failureAuditDetails } from "@/lib/console/renewal/failures";
import { loadTrustAnchors } from "@/lib/console/renewal/trust-anchors";
import { type DatabaseHandle, embeddedDatabaseExists, migrateDatabase, openDatabase, withStartupLock } from "@/lib/platform/db/client";
import { tuneForShortLivedProcess } from "@/lib/platform/db/short-lived";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { localServerName } from "@/lib/platform/server-identity";

function log(message: string): void {
  console.log(`[rms] ${message}`);
}

function fail(message: string, code = 1): never {
  console.error(`[rms] ${message}`);
  process.exit(code);
}

/** How long the printed setup link stays valid (sent to start.ts with the link, which prints it). */
const SETUP_LINK_MINUTES = 60;

/**
 * Migrates, provisions the demo on first run (enrolled over the service's HTTPS API: this process never holds CA keys;
 * a service that is down or holds the request for approval leaves the cluster to enroll later), and returns a setup
 * link when no admin exists (printed once the console answers, after its own output).
 */
async function prepareDatabase(handle: DatabaseHandle, env: Env, enrollmentUrl: string): Promise<string | null> {
  await migrateDatabase(handle);
  const http = { connectTimeoutMs: 3_000, totalTimeoutMs: 30_000 };
  // Under the start-up lock: of two consoles starting on an empty database, only the first creates a key.
  const key = await checkMasterKey(handle.db, masterKeySettings(env), { create: true });
  if (!key.ok) fail(`${key.message} The console did not start.`);
  const { kek } = key;
  if (key.created) {
    log(
      `Created the master key ${key.source} (fingerprint ${kek.id}): it encrypts the cluster keys. Back it up; ` +
        "every console that shares this database needs a copy (README: PostgreSQL).",
    );
  }
  const firstRun = await provisionFirstRun(
    {
      db: handle.db,
      kek: () => kek,
      trustAnchors: () => loadTrustAnchors(env.trustAnchorsPath),
      enrollmentUrl,
      http,
      now: () => new Date(),
      leaseMs: http.totalTimeoutMs + 30_000,
    },
    { serverName: localServerName(), validityDays: DEMO_SLC_VALIDITY_DAYS },
  );
  if (!firstRun.ok) {
    if (firstRun.code === "pending_approval") {
      // The console's own wording: the request ID, and how the approved certificate comes back.
      const t = translatorFor("en");
      const why = resolveMessage(failureMessage(firstRun, { enrollmentUrl }), (key, values) => t(key, values));
      log(`First run: created "Default Web Site" with a demo cluster, not enrolled yet. ${why}`);
    } else {
      const details = failureAuditDetails(firstRun);
      const why = [details.code, details.tlsCode, details.reason, details.detail].filter((v) => typeof v === "string").join(": ");
      if (firstRun.clusterId === null) fail(`First run: the demo cluster could not be created (${why}).`);
      log(
        `First run: created "Default Web Site" with a demo cluster, not enrolled yet (enrollment service at ${enrollmentUrl}: ${why}). ` +
          "Enroll it later: Enroll in its Cluster resources.",
      );
    }
  } else if (firstRun.provisioned) {
    const days = Math.round((firstRun.validUntil.getTime() - Date.now()) / 86_400_000);
    log(`First run: created "Default Web Site" with a demo cluster whose SLC expires in ${days} days.`);
  }
  if (!(await needsSetup(handle.db))) return null;
  return setupLink(env, await createSetupToken(handle.db, { now: new Date(), ttlMinutes: SETUP_LINK_MINUTES }));
}

/**
 * Before the build and the service: a console whose master key cannot open the database's cluster keys stops at once,
 * in one line (another console's key is never replaced; the full check, which may create a key, runs under the lock).
 */
async function checkMasterKeyEarly(env: Env): Promise<void> {
  // A new data folder's embedded database holds nothing encrypted yet: nothing to check, and no database to create twice.
  if (!env.DATABASE_URL && !embeddedDatabaseExists(env.dataDir)) return;
  const handle = await openDatabase({ dataDir: env.dataDir, databaseUrl: env.DATABASE_URL }).catch((error: unknown) =>
    fail(error instanceof Error ? error.message : String(error)),
  );
  let key: Awaited<ReturnType<typeof checkMasterKey>>;
  try {
    key = await withStartupLock(handle, async () => {
      await migrateDatabase(handle);
      return checkMasterKey(handle.db, masterKeySettings(env), { create: false });
    });
  } finally {
    await handle.close();
  }
  // No key and nothing encrypted yet: prepareDatabase creates the data folder's master.key under the lock.
  if (!key.ok && !awaitsFirstKey(key, masterKeySettings(env))) fail(`${key.message} The console did not start.`);
}

async function main(): Promise<void> {
  tuneForShortLivedProcess();
  const loaded = loadEnv(process.env);
  if (!loaded.ok) fail(loaded.message, 2);
  const { env } = loaded;
  const [step, enrollmentUrl] = process.argv.slice(2);
  if (step === "check") {
    await checkMasterKeyEarly(env);
    return;
  }
  if (step !== "prepare" || !enrollmentUrl) fail("Usage: start-database.ts check | prepare <enrollment service URL>", 2);
  const handle = await openDatabase({ dataDir: env.dataDir, databaseUrl: env.DATABASE_URL }).catch((error: unknown) =>
    fail(error instanceof Error ? error.message : String(error)),
  );
  let link: string | null;
  try {
    link = await withStartupLock(handle, () => prepareDatabase(handle, env, enrollmentUrl));
  } finally {
    await handle.close();
  }
  await new Promise<void>((resolve, reject) => {
    if (!process.send) return resolve();
    process.send({ link, minutes: SETUP_LINK_MINUTES }, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

main().then(
  () => process.exit(0),
  (error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)),
);
