// The one database schema, shared by PGlite (embedded) and PostgreSQL; migrations are generated from it.
import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

/** RMS clusters; one per provisioned web site (a removed one keeps its row, detached, for history and audit). */
export const clusters = pgTable("clusters", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** The RMS cluster GUID in braces, kept across renewals. */
  guid: text("guid").notNull().unique(),
  name: text("name").notNull(),
  serverName: text("server_name").notNull(),
  clusterUrl: text("cluster_url").notNull(),
  configDatabase: text("config_database").notNull(),
  state: text("state", { enum: ["active", "disabled"] })
    .notNull()
    .default("active"),
  /** Lease that lets exactly one renewal run per cluster, across processes. */
  renewalLockedBy: text("renewal_locked_by"),
  renewalLockedUntil: timestamp("renewal_locked_until", { withTimezone: true }),
  /** Who holds the lease and since when, so the page can say a renewal is running (after a reload, in another tab). */
  renewalStartedBy: text("renewal_started_by"),
  renewalStartedAt: timestamp("renewal_started_at", { withTimezone: true }),
  createdAt: createdAt(),
  /** Set when RMS was removed from its web site: the row stays so its certificates and audit remain readable. */
  removedAt: timestamp("removed_at", { withTimezone: true }),
  removedBy: text("removed_by"),
});

/** IIS-style web sites on this server; a provisioned one hosts a cluster. */
export const webSites = pgTable("web_sites", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull().unique(),
  state: text("state", { enum: ["started", "stopped"] })
    .notNull()
    .default("started"),
  clusterId: uuid("cluster_id").references(() => clusters.id, { onDelete: "set null" }),
  createdAt: createdAt(),
});

/** The cluster's RSA key; the private half only as an AES-GCM envelope under a key kept outside the DB. */
export const clusterKeys = pgTable(
  "cluster_keys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    publicKeyPem: text("public_key_pem").notNull(),
    /** `file`: the private key is the envelope below (master key); `pkcs11`: it never left the token named below. */
    custody: text("custody", { enum: ["file", "pkcs11"] })
      .notNull()
      .default("file"),
    encryptedPrivateKey: text("encrypted_private_key"),
    pkcs11TokenLabel: text("pkcs11_token_label"),
    pkcs11KeyLabel: text("pkcs11_key_label"),
    /** CKA_ID of the token's key pair, hex. */
    pkcs11KeyId: text("pkcs11_key_id"),
    fingerprint: text("fingerprint").notNull(),
    active: boolean("active").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("cluster_keys_one_active").on(t.clusterId).where(sql`${t.active}`),
    check(
      "cluster_keys_custody",
      sql`(${t.custody} = 'file' AND ${t.encryptedPrivateKey} IS NOT NULL AND ${t.pkcs11KeyId} IS NULL) OR (${t.custody} = 'pkcs11' AND ${t.encryptedPrivateKey} IS NULL AND ${t.pkcs11TokenLabel} IS NOT NULL AND ${t.pkcs11KeyLabel} IS NOT NULL AND ${t.pkcs11KeyId} IS NOT NULL)`,
    ),
  ],
);

/** Server licensor certificates, active and historical. */
export const certificates = pgTable(
  "certificates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    document: text("document").notNull(),
    fingerprint: text("fingerprint").notNull(),
    serialNumber: text("serial_number").notNull(),
    issuerName: text("issuer_name").notNull(),
    issuerSubject: text("issuer_subject").notNull(),
    subjectName: text("subject_name").notNull(),
    requestId: text("request_id"),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull(),
    validFrom: timestamp("valid_from", { withTimezone: true }).notNull(),
    validUntil: timestamp("valid_until", { withTimezone: true }).notNull(),
    obtainedBy: text("obtained_by", { enum: ["enroll", "online", "offline"] }).notNull(),
    installedBy: text("installed_by").notNull(),
    installedAt: timestamp("installed_at", { withTimezone: true }).notNull().defaultNow(),
    active: boolean("active").notNull().default(false),
  },
  (t) => [
    uniqueIndex("certificates_one_active").on(t.clusterId).where(sql`${t.active}`),
    uniqueIndex("certificates_fingerprint").on(t.clusterId, t.fingerprint),
    index("certificates_cluster_installed").on(t.clusterId, t.installedAt),
  ],
);

/**
 * Expiry warnings already given, one row per certificate and threshold (RMS events 16, 17, 18): the primary key is
 * what makes each warning happen once, however many consoles check at the same time.
 */
export const expiryNotices = pgTable(
  "expiry_notices",
  {
    certificateId: uuid("certificate_id")
      .notNull()
      .references(() => certificates.id, { onDelete: "cascade" }),
    threshold: text("threshold", { enum: ["one_month", "one_week", "expired"] }).notNull(),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    noticedAt: timestamp("noticed_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.certificateId, t.threshold] })],
);

/**
 * The enrollment service's revocation list as this console last checked it (one row per service, id "enrollment"):
 * the entries of the last CRL that verified against the trust anchors, and whether that CRL is current. A fetch that
 * fails or a CRL that does not verify keeps the last good entries and says why the status is unknown.
 */
export const revocationLists = pgTable("revocation_lists", {
  id: text("id").primaryKey(),
  state: text("state", { enum: ["current", "unknown"] }).notNull(),
  /** Why the status is unknown (fetch failed, not signed by a trusted CA, stale past nextUpdate); null when current. */
  detail: text("detail"),
  checkedAt: timestamp("checked_at", { withTimezone: true }).notNull(),
  issuer: text("issuer"),
  thisUpdate: timestamp("this_update", { withTimezone: true }),
  nextUpdate: timestamp("next_update", { withTimezone: true }),
  crlNumber: text("crl_number"),
  /** [{ serial, reason, revokedAt }] of the last verified CRL (serials in upper-case hex). */
  entries: jsonb("entries").$type<Array<{ serial: string; reason: string; revokedAt: string }>>().notNull().default([]),
});

/**
 * A version per read model, replaced by the database itself (triggers, migration 0016) in the same transaction as every
 * write the model shows: a process may reuse what it rendered while the version stands, whichever process, console or
 * CLI wrote. Random rather than a counter, so a restored database never repeats a version another history had.
 * `web_sites`: Global Administration's table (web sites, their clusters' URLs, installed SLCs, the revocation list).
 */
export const dataVersions = pgTable("data_versions", {
  name: text("name").primaryKey(),
  version: uuid("version").notNull().defaultRandom(),
});

/** A revoked installed SLC already announced (audit event, notification): once per certificate, across consoles. */
export const revocationNotices = pgTable("revocation_notices", {
  certificateId: uuid("certificate_id")
    .primaryKey()
    .references(() => certificates.id, { onDelete: "cascade" }),
  clusterId: uuid("cluster_id")
    .notNull()
    .references(() => clusters.id, { onDelete: "cascade" }),
  reason: text("reason").notNull(),
  noticedAt: timestamp("noticed_at", { withTimezone: true }).notNull(),
});

/**
 * Opt-in automatic online renewal, per cluster: the plan for the installed certificate (a random time inside its
 * renewal window), the back-off after failures, and the last outcome. A console claims an attempt by moving
 * next_attempt_at forward in one UPDATE, so two consoles never attempt the same renewal.
 */
export const autoRenewals = pgTable("auto_renewals", {
  clusterId: uuid("cluster_id")
    .primaryKey()
    .references(() => clusters.id, { onDelete: "cascade" }),
  enabled: boolean("enabled").notNull().default(false),
  changedBy: text("changed_by").notNull(),
  changedAt: timestamp("changed_at", { withTimezone: true }).notNull(),
  /** The installed certificate the plan is for; another one installed means a new plan. */
  plannedFor: text("planned_for"),
  windowStart: timestamp("window_start", { withTimezone: true }),
  windowEnd: timestamp("window_end", { withTimezone: true }),
  windowSource: text("window_source", { enum: ["service", "default"] }),
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }),
  failures: integer("failures").notNull().default(0),
  lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
  lastOutcome: text("last_outcome", { enum: ["success", "failure"] }),
  lastDetail: text("last_detail"),
});

/**
 * Notification channels set on the Settings page (one row, id 1); a channel the environment configures takes
 * precedence. Secrets are stored only encrypted under the console's master key, like the cluster keys.
 */
export const notificationSettings = pgTable(
  "notification_settings",
  {
    id: integer("id").primaryKey().default(1),
    webhookUrl: text("webhook_url"),
    encryptedWebhookSecret: text("encrypted_webhook_secret"),
    smtpHost: text("smtp_host"),
    smtpPort: integer("smtp_port").notNull().default(587),
    smtpUser: text("smtp_user"),
    encryptedSmtpPassword: text("encrypted_smtp_password"),
    smtpCaPem: text("smtp_ca_pem"),
    emailFrom: text("email_from"),
    emailTo: text("email_to").array().notNull().default(sql`'{}'::text[]`),
    changedBy: text("changed_by").notNull(),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull(),
  },
  (t) => [check("notification_settings_one_row", sql`${t.id} = 1`)],
);

/**
 * RMS proxy settings (one row, id 1): the forward proxy this console's outbound HTTPS goes through. The password is
 * stored only encrypted under the console's master key. Without a row, or with `enabled` false, HTTPS_PROXY applies.
 */
export const proxySettings = pgTable(
  "proxy_settings",
  {
    id: integer("id").primaryKey().default(1),
    enabled: boolean("enabled").notNull().default(false),
    address: text("address"),
    port: integer("port"),
    bypassLocal: boolean("bypass_local").notNull().default(false),
    bypass: text("bypass").array().notNull().default(sql`'{}'::text[]`),
    authScheme: text("auth_scheme", { enum: ["basic"] }),
    userName: text("user_name"),
    encryptedPassword: text("encrypted_password"),
    domain: text("domain"),
    changedBy: text("changed_by").notNull(),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull(),
  },
  (t) => [check("proxy_settings_one_row", sql`${t.id} = 1`)],
);

/** Offline renewal requests; at most one pending per cluster, single use. */
export const renewalRequests = pgTable(
  "renewal_requests",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    requestId: uuid("request_id").notNull().unique(),
    document: text("document").notNull(),
    fingerprint: text("fingerprint").notNull(),
    status: text("status", { enum: ["pending", "consumed", "cancelled", "superseded"] }).notNull(),
    exportedBy: text("exported_by").notNull(),
    exportedAt: timestamp("exported_at", { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp("closed_at", { withTimezone: true }),
    /** Sent online and held by the enrollment service for its operator's approval (not exported as a file). */
    heldForApproval: boolean("held_for_approval").notNull().default(false),
    /**
     * Sent online and answered at once with a certificate that the small-gain rule kept for the administrator's
     * confirmation (not exported as a file): Yes records it as an online renewal.
     */
    answeredOnline: boolean("answered_online").notNull().default(false),
    /** When the expiry monitor's round found the held request approved (its certificate ready to check and install). */
    approvedAt: timestamp("approved_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("renewal_requests_one_pending").on(t.clusterId).where(sql`${t.status} = 'pending'`)],
);

/**
 * Re-keys: a new key pair kept beside the cluster's key as its pending key (a cluster_keys row with
 * active = false) and the enrollment request it signed, naming the certificate it replaces. At most one pending per
 * cluster; once the new SLC is installed the pending key becomes the key and the old key's row is deleted, in one
 * transaction. Cancel deletes the pending key. The row stays for history (its key_id then null).
 */
export const rekeys = pgTable(
  "rekeys",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    clusterId: uuid("cluster_id")
      .notNull()
      .references(() => clusters.id, { onDelete: "cascade" }),
    keyId: uuid("key_id").references(() => clusterKeys.id, { onDelete: "set null" }),
    newKeyFingerprint: text("new_key_fingerprint").notNull(),
    oldKeyFingerprint: text("old_key_fingerprint").notNull(),
    replacesSlcSerial: text("replaces_slc_serial").notNull(),
    replacesSlcFingerprint: text("replaces_slc_fingerprint").notNull(),
    requestId: uuid("request_id").notNull().unique(),
    document: text("document").notNull(),
    fingerprint: text("fingerprint").notNull(),
    status: text("status", { enum: ["pending", "installed", "cancelled"] }).notNull(),
    /** Sent online and held by the enrollment service for its operator (its submission ID), or null. */
    submissionId: text("submission_id"),
    /** When the request file was last downloaded for offline signing, or null. */
    exportedAt: timestamp("exported_at", { withTimezone: true }),
    startedBy: text("started_by").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
    closedBy: text("closed_by"),
    closedAt: timestamp("closed_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("rekeys_one_pending").on(t.clusterId).where(sql`${t.status} = 'pending'`)],
);

export const accounts = pgTable("accounts", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** Lower-cased for lookups; displayName keeps what the admin typed. */
  userName: text("user_name").notNull().unique(),
  displayName: text("display_name").notNull(),
  /** Null for directory accounts: their password is checked by the directory at each sign-in. */
  passwordHash: text("password_hash"),
  /** local: password here (break-glass); directory: DOMAIN\user from LDAP, groups re-read at each sign-in. */
  source: text("source", { enum: ["local", "directory"] })
    .notNull()
    .default("local"),
  createdAt: createdAt(),
});

export const groupMemberships = pgTable(
  "group_memberships",
  {
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    groupName: text("group_name").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.groupName] })],
);

/** Server-side sessions; the cookie carries a random token, the table only its SHA-256. */
export const sessions = pgTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    accountId: uuid("account_id")
      .notNull()
      .references(() => accounts.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    remoteAddress: text("remote_address"),
  },
  (t) => [index("sessions_account").on(t.accountId)],
);

/** Failed sign-in counters, per user name and per address, shared by all console processes. */
export const signInThrottles = pgTable("sign_in_throttles", {
  key: text("key").primaryKey(),
  failures: integer("failures").notNull().default(0),
  windowStartedAt: timestamp("window_started_at", { withTimezone: true }).notNull().defaultNow(),
  lockedUntil: timestamp("locked_until", { withTimezone: true }),
});

/**
 * Browsers that signed a user in before (OWASP's device cookie): their attempts count against their own bucket, so
 * failures from elsewhere cannot lock that user out of them. Keyed by user name, so directory users have them too.
 */
export const trustedDevices = pgTable(
  "trusted_devices",
  {
    tokenHash: text("token_hash").primaryKey(),
    userName: text("user_name").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("trusted_devices_user").on(t.userName)],
);

/** One-time links that create the first administrator. */
export const setupTokens = pgTable("setup_tokens", {
  tokenHash: text("token_hash").primaryKey(),
  createdAt: createdAt(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
});

/** Append-only audit trail (a trigger refuses UPDATE and DELETE). */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    actor: text("actor"),
    remoteAddress: text("remote_address"),
    action: text("action").notNull(),
    outcome: text("outcome", { enum: ["success", "failure", "denied"] }).notNull(),
    clusterId: uuid("cluster_id"),
    details: jsonb("details").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [index("audit_events_occurred").on(t.occurredAt)],
);
