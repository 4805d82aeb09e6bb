// The enrollment service's own schema (never the console's): registrations, submissions, issued SLCs, the event record
// and operator accounts. PGlite in the service's data folder by default, PostgreSQL (its own schema) when configured.
import { bigserial, index, integer, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

const at = (name: string) => timestamp(name, { withTimezone: true });

/** A cluster GUID bound to the public key of its first enrollment; renewals signed by that key are issued automatically. */
export const registrations = pgTable("registrations", {
  guid: text("guid").primaryKey(),
  keyFingerprint: text("key_fingerprint").notNull(),
  serverName: text("server_name").notNull(),
  clusterUrl: text("cluster_url").notNull(),
  state: text("state", { enum: ["active", "revoked"] })
    .notNull()
    .default("active"),
  registeredAt: at("registered_at").notNull(),
  updatedAt: at("updated_at").notNull(),
  revokedAt: at("revoked_at"),
  revokedBy: text("revoked_by"),
});

/**
 * One accepted renewal request (signature verified), keyed by its request ID within its cluster GUID and key: the
 * idempotency key. The same request again (same bytes, or the same signed content re-serialised) is answered from
 * here; the same ID with other signed content from the same cluster and key is a conflict; another cluster or key
 * using the ID touches nothing of this one.
 */
export const submissions = pgTable(
  "submissions",
  {
    id: text("id").primaryKey(),
    requestId: text("request_id").notNull(),
    contentSha256: text("content_sha256").notNull(),
    /** SHA-256 of the canonical content the signature covers (null for rows stored before it was kept). */
    signedSha256: text("signed_sha256"),
    channel: text("channel", { enum: ["api", "web"] }).notNull(),
    state: text("state", { enum: ["pending_approval", "issued", "rejected"] }).notNull(),
    /** Why it waited for approval (new_cluster, unknown_installed_slc, registration_expired), or why an operator rejected it. */
    reason: text("reason"),
    guid: text("guid").notNull(),
    serverName: text("server_name").notNull(),
    clusterUrl: text("cluster_url").notNull(),
    keyFingerprint: text("key_fingerprint").notNull(),
    installedSlcFingerprint: text("installed_slc_fingerprint"),
    validityDays: integer("validity_days").notNull(),
    requestXml: text("request_xml").notNull(),
    remoteAddress: text("remote_address"),
    receivedAt: at("received_at").notNull(),
    decidedAt: at("decided_at"),
    decidedBy: text("decided_by"),
    slcSerial: text("slc_serial"),
  },
  (t) => [
    uniqueIndex("submissions_request_guid_key").on(t.requestId, t.guid, t.keyFingerprint),
    index("submissions_request_id").on(t.requestId),
    index("submissions_pending_source").on(t.state, t.remoteAddress),
    index("submissions_content").on(t.contentSha256),
    index("submissions_state").on(t.state, t.receivedAt),
  ],
);

export const issuedSlcs = pgTable(
  "issued_slcs",
  {
    serial: text("serial").primaryKey(),
    submissionId: text("submission_id")
      .notNull()
      .references(() => submissions.id),
    guid: text("guid").notNull(),
    keyFingerprint: text("key_fingerprint").notNull(),
    /** SHA-256 of the SLC document as issued: what a console names as its InstalledSlcFingerprint. */
    fingerprint: text("fingerprint").notNull(),
    issuedAt: at("issued_at").notNull(),
    validFrom: at("valid_from").notNull(),
    validUntil: at("valid_until").notNull(),
    issuerName: text("issuer_name").notNull(),
    slcXml: text("slc_xml").notNull(),
  },
  (t) => [uniqueIndex("issued_slcs_submission").on(t.submissionId), index("issued_slcs_guid").on(t.guid, t.fingerprint)],
);

/**
 * An issued SLC the operator revoked (once; never undone): what the signed revocation list (GET /crl) lists, with the
 * RFC 5280 reason code. Revoking marks the SLC's registration revoked, so the cluster re-enrolls only with approval.
 */
export const revocations = pgTable(
  "revocations",
  {
    serial: text("serial")
      .primaryKey()
      .references(() => issuedSlcs.serial),
    guid: text("guid").notNull(),
    reason: text("reason", {
      enum: ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation"],
    }).notNull(),
    revokedAt: at("revoked_at").notNull(),
    revokedBy: text("revoked_by").notNull(),
  },
  (t) => [index("revocations_revoked_at").on(t.revokedAt)],
);

/** Every outcome, refusals included: what `npm run enrollment -- submissions export` writes as JSON lines. */
export const events = pgTable(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: at("at").notNull(),
    channel: text("channel", { enum: ["api", "web", "operator", "cli"] }).notNull(),
    outcome: text("outcome", {
      enum: ["issued", "replayed", "pending_approval", "approved", "rejected", "refused", "registration_revoked", "slc_revoked"],
    }).notNull(),
    status: integer("status"),
    reason: text("reason"),
    detail: text("detail"),
    bytes: integer("bytes"),
    remoteAddress: text("remote_address"),
    actor: text("actor"),
    guid: text("guid"),
    requestId: text("request_id"),
    submissionId: text("submission_id"),
    slcSerial: text("slc_serial"),
  },
  (t) => [index("events_at").on(t.at)],
);

/** Operators who approve or reject enrollments, on the operator page (the CLI needs shell access instead). */
export const operators = pgTable("operators", {
  name: text("name").primaryKey(),
  passwordHash: text("password_hash").notNull(),
  createdAt: at("created_at").notNull(),
});

export const operatorSessions = pgTable("operator_sessions", {
  tokenHash: text("token_hash").primaryKey(),
  operator: text("operator")
    .notNull()
    .references(() => operators.name, { onDelete: "cascade" }),
  expiresAt: at("expires_at").notNull(),
});
