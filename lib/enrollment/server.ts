// The enrollment service process: CA, TLS identity, store, issuing pool and desk, served over HTTPS by Hono.
import { X509Certificate } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { allowedHostList, isAllowedHost } from "@/lib/platform/http/host-rules";
import { runAdminCommand, startAdminSocket } from "./admin";
import { createApp } from "./app";
import { startEnrollmentBackupSocket } from "./backup";
import { createCaHierarchy, type StationCa } from "./ca";
import type { EnrollmentConfig } from "./config";
import { type EnrollmentDbHandle, openEnrollmentDatabase } from "./db/client";
import { createDesk, type Desk } from "./desk";
import { createIssuePool } from "./issue-pool";
import { createEnrollmentMetrics, instrumentDesk } from "./metrics";
import { createOperatorThrottle } from "./operator-throttle";
import { createRateLimiter } from "./rate-limit";
import { createCrlPublisher, crlSignerFromPem } from "./revocations";
import { type CreateCa, loadOrCreateCa } from "./store";
import { loadTlsIdentity } from "./tls";

export interface EnrollmentServiceConfig
  extends Partial<Omit<EnrollmentConfig, "host" | "port" | "dataDir" | "validityDays" | "issuerName">> {
  host: string;
  port: number;
  dataDir: string;
  validityDays: number;
  issuerName: string;
  /** Whole-request deadline (headers and body) for slow clients; 10 s by default. */
  requestTimeoutMs?: number;
  /** The service's clock (tests pin it); new Date() by default. */
  clock?: () => Date;
  /** How a missing CA hierarchy is created; createCaHierarchy by default. */
  createCa?: CreateCa;
  /** Where unexpected errors are reported; stderr by default. */
  logError?: (message: string, error: unknown) => void;
  /** Settles once the store may be opened (`serve` creates a new embedded one in a child process meanwhile). */
  storeReady?: Promise<void>;
}

export interface EnrollmentService {
  /** https://host:port */
  url: string;
  rootFingerprint: string;
  rootCertPem: string;
  /** The TLS certificate chain the service presents. */
  tlsCertPem: string;
  /** True when this start created the CA hierarchy (first start on this data folder). Its root key was not kept. */
  caCreated: boolean;
  tlsSource: "operator" | "issued" | "reused";
  /** When the signing certificate expires: SLCs signed after that no longer chain to a valid certificate. */
  serviceCertificateValidUntil: Date;
  issueWorkers: number;
  policy: "open" | "approval";
  desk: Desk;
  database: EnrollmentDbHandle;
  close(): Promise<void>;
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

function urlHost(host: string): string {
  const bare = host.replace(/^\[|\]$/g, "");
  return bare.includes(":") ? `[${bare}]` : bare;
}

export async function startEnrollmentService(config: EnrollmentServiceConfig): Promise<EnrollmentService> {
  const clock = config.clock ?? (() => new Date());
  const logError =
    config.logError ??
    ((message: string, error: unknown) => {
      console.error(`[enrollment] ${message}:`, error);
    });
  const loaded = await loadOrCreateCa({
    dataDir: config.dataDir,
    organization: config.issuerName,
    createCa: config.createCa ?? createCaHierarchy,
    now: clock(),
  });
  const ca: StationCa = loaded.material;
  const tls = await loadTlsIdentity({
    dataDir: config.dataDir,
    ca,
    organization: config.issuerName,
    names: [...LOOPBACK_NAMES, config.host, ...(config.tlsNames ?? [])],
    certFile: config.tlsCertFile,
    keyFile: config.tlsKeyFile,
    now: clock(),
  });
  await config.storeReady;
  const database = await openEnrollmentDatabase({
    dataDir: config.dataDir,
    databaseUrl: config.databaseUrl,
    pgSchema: config.databaseSchema,
  });
  // The workers get the SLC signing key and its chain only: never the root or enrollment CA private keys.
  const pool = createIssuePool(
    { serviceKeyPem: ca.serviceKeyPem, chainPem: [ca.serviceCertPem, ca.caCertPem] },
    { threads: config.workers ?? undefined, maxQueue: config.queueLength, taskTimeoutMs: config.taskTimeoutMs },
  );
  const policy = config.policy ?? "approval";
  const desk = createDesk({
    handle: database,
    pool,
    policy,
    issuerName: config.issuerName,
    clock,
    maxPendingPerSource: config.maxPendingPerSource,
    maxPending: config.maxPending,
  });
  const metrics = createEnrollmentMetrics();
  const instrumented = instrumentDesk(desk, metrics);
  const requestTimeoutMs = config.requestTimeoutMs ?? 10_000;

  const server = createAdaptorServer({
    fetch: () => new Response(null, { status: 503 }),
    createServer: https.createServer,
    serverOptions: {
      cert: tls.certPem,
      key: tls.keyPem,
      minVersion: "TLSv1.2",
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      keepAliveTimeout: 5_000,
      // How often the deadlines above are enforced; Node's default (30 s) would let slow clients linger.
      connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
    },
  }) as https.Server;

  let stopAdmin: (() => Promise<void>) | null = null;
  let stopBackup: (() => Promise<void>) | null = null;
  const closeAll = async () => {
    await stopAdmin?.();
    await stopBackup?.();
    await pool.close();
    await database.close();
  };
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => {
      void closeAll();
      reject(error);
    };
    server.once("error", onError);
    server.listen(config.port, config.host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  // Loopback names on this port always: the start script's health check and a console on this machine use them, and no
  // rebinding page can send them (its Host is its own name). The operator's list adds to them; else the listen address.
  // The same Host rule as the console's (lib/platform/http/host-rules.ts): a bare entry allows any port.
  const own = (hosts: string[]) => hosts.map((h) => `${urlHost(h)}:${port}`);
  const allowed = [...own(LOOPBACK_NAMES), ...(config.allowedHosts ?? own([config.host]))];
  const allowedHosts = allowedHostList(allowed);
  const app = createApp(
    {
      config: {
        host: config.host,
        port,
        dataDir: config.dataDir,
        validityDays: config.validityDays,
        issuerName: config.issuerName,
        policy,
        tlsNames: config.tlsNames ?? [],
        allowedHosts: allowed,
        rateLimitPerMinute: config.rateLimitPerMinute ?? 120,
        workers: pool.threads,
        queueLength: config.queueLength ?? 64,
        taskTimeoutMs: config.taskTimeoutMs ?? 10_000,
        metricsToken: config.metricsToken ?? null,
        trustedProxies: config.trustedProxies ?? [],
      },
      desk: instrumented,
      db: database.db,
      handle: database,
      // The one place the CRL's signing key is chosen (an HSM signer replaces crlSignerFromPem).
      crl: createCrlPublisher(database.db, crlSignerFromPem(ca.caCertPem, ca.caKeyPem), clock),
      limiter: createRateLimiter(config.rateLimitPerMinute ?? 120),
      operatorThrottle: createOperatorThrottle(),
      rootFingerprint: loaded.rootFingerprint,
      rootCertPem: ca.rootCertPem,
      clock,
      logError,
      metrics,
    },
    (host) => isAllowedHost(host ?? null, allowedHosts),
  );
  // The app needs the bound port (for its Host allow-list); the server answers 503 until it is in place.
  server.removeAllListeners("request");
  const { getRequestListener } = await import("@hono/node-server");
  server.on("request", getRequestListener(app.fetch));
  stopAdmin = await startAdminSocket(config.dataDir, (command) => runAdminCommand(desk, database, command, clock()));
  // PGlite allows one process: `npm run enrollment -- backup` gets its snapshot from here (lib/platform/backup/socket.ts).
  if (database.kind === "pglite") stopBackup = await startEnrollmentBackupSocket(config.dataDir, database);

  let closing: Promise<void> | null = null;
  return {
    url: `https://${urlHost(config.host)}:${port}`,
    rootFingerprint: loaded.rootFingerprint,
    rootCertPem: ca.rootCertPem,
    tlsCertPem: tls.certPem,
    caCreated: loaded.created,
    tlsSource: tls.source,
    serviceCertificateValidUntil: new Date(new X509Certificate(ca.serviceCertPem).validTo),
    issueWorkers: pool.threads,
    policy,
    desk,
    database,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests in flight get a moment to finish; then the remaining connections are dropped.
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      }).then(closeAll);
      return closing;
    },
  };
}
