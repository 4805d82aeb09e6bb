// Named PostgreSQL advisory-lock ids, so processes sharing one database agree on them and no two uses collide.

/** Held while a console migrates and seeds at start-up. */
export const STARTUP_LOCK_ID = 7226190300;
/** Held by any change that could leave the console without an administrator (accounts, setup links). */
export const ADMINISTRATORS_LOCK_ID = 7226190301;
/**
 * Class id of the enrollment service's per-key locks (`pg_advisory_xact_lock(class, hashtext(key))`): replicas sharing one
 * PostgreSQL decide one request ID, and one cluster GUID, at a time.
 */
export const ENROLLMENT_LOCK_CLASS = 72261903;
/** Held (try-lock) by the console whose expiry monitor is checking; the others skip that round. */
export const EXPIRY_MONITOR_LOCK_ID = 7226190302;
/** Held while RMS is provisioned on, or removed from, a web site: names, URLs and databases are checked and taken at once. */
export const PROVISIONING_LOCK_ID = 7226190303;
/** Held while the master key is rotated: one rotation at a time across the consoles sharing the database. */
export const MASTER_KEY_ROTATION_LOCK_ID = 7226190310;
