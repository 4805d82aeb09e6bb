// RMS proxy settings (TechNet "Så här ändrar du RMS-proxyinställningarna"): validated, stored with the password encrypted
// under the console's master key, audited by field name (never value). In force: the page's proxy when it is switched on,
// else the environment's HTTPS_PROXY/NO_PROXY, else a direct connection. Console and CLI read it the same way.
import { eq } from "drizzle-orm";
import { z } from "zod";
import { recordAudit } from "@/lib/console/audit/audit";
import type { Env } from "@/lib/console/env";
import { consoleKeyEncryptionKey, masterKeySettings } from "@/lib/console/renewal/cluster-keys";
import { decryptPrivateKey, encryptPrivateKey, type KeyEncryptionKey } from "@/lib/core/certificates/key-encryption";
import type { Database, Queryable } from "@/lib/platform/db/client";
import { proxySettings } from "@/lib/platform/db/schema";
import { type ProxyPolicy, proxyPolicyFromEnvironment, splitBypassList, validBypassEntry } from "@/lib/platform/http/forward-proxy";

/** What the stored proxy password is bound to when encrypted. */
export const PROXY_PASSWORD_CONTEXT = "proxy-setting:password";

const blankToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const checkbox = z.preprocess((value) => value === "on" || value === "true" || value === true, z.boolean());
const hostName = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;
const ipv6 = z.ipv6();

/** The form as posted. Fields of an unchecked section are ignored; a blank password keeps the stored one. */
export const proxySettingsSchema = z.object({
  enabled: checkbox,
  address: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .transform((value) => value.replace(/^\[|\]$/g, ""))
      .refine((value) => hostName.test(value) || ipv6.safeParse(value).success)
      .optional(),
  ),
  port: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(65535).optional()),
  bypassLocal: checkbox,
  bypass: z.preprocess(
    (value) => (typeof value === "string" ? splitBypassList(value) : value === undefined ? [] : value),
    z
      .array(z.string().max(253))
      .max(100)
      .refine((entries) => entries.every(validBypassEntry)),
  ),
  authRequired: checkbox,
  authScheme: z.preprocess(blankToUndefined, z.enum(["basic"]).default("basic")),
  user: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .max(256)
      .regex(/^[^:\p{Cc}]+$/u)
      .optional(),
  ),
  password: z.preprocess(blankToUndefined, z.string().max(1024).optional()),
  confirmPassword: z.preprocess(blankToUndefined, z.string().max(1024).optional()),
  domain: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .max(253)
      .regex(/^[A-Za-z0-9][A-Za-z0-9.-]*$/)
      .optional(),
  ),
});

export type ProxySettingsInput = z.infer<typeof proxySettingsSchema>;
export type ProxySettingsField = keyof ProxySettingsInput;

/** What the page shows: never the password, only whether one is stored. */
export interface StoredProxySettings {
  enabled: boolean;
  address: string | null;
  port: number | null;
  bypassLocal: boolean;
  bypass: string[];
  authRequired: boolean;
  user: string | null;
  hasPassword: boolean;
  domain: string | null;
  changedBy: string;
  changedAt: Date;
}

export async function getStoredProxySettings(db: Queryable): Promise<StoredProxySettings | null> {
  const [row] = await db.select().from(proxySettings).where(eq(proxySettings.id, 1));
  if (!row) return null;
  return {
    enabled: row.enabled,
    address: row.address,
    port: row.port,
    bypassLocal: row.bypassLocal,
    bypass: row.bypass,
    authRequired: row.authScheme !== null,
    user: row.userName,
    hasPassword: row.encryptedPassword !== null,
    domain: row.domain,
    changedBy: row.changedBy,
    changedAt: row.changedAt,
  };
}

/** The stored password's envelope, for the master-key check (lib/console/provisioning/master-key.ts). */
export async function storedProxyPassword(db: Queryable): Promise<string | null> {
  const [row] = await db.select({ envelope: proxySettings.encryptedPassword }).from(proxySettings).where(eq(proxySettings.id, 1));
  return row?.envelope ?? null;
}

export type SaveProxySettingsResult =
  | { ok: true; changed: string[] }
  | { ok: false; field: ProxySettingsField; problem: "required" | "password_required" | "mismatch" };

/**
 * Checks the combination against what is stored (a blank password keeps the stored one), then writes the row and its
 * audit event in one transaction; a refusal names the field to fix and changes nothing.
 */
export async function saveProxySettings(
  db: Database,
  kek: () => KeyEncryptionKey,
  input: ProxySettingsInput,
  by: { actor: string; remoteAddress: string | null; now: Date },
): Promise<SaveProxySettingsResult> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(proxySettings).where(eq(proxySettings.id, 1)).for("update");
    let next: Omit<typeof proxySettings.$inferInsert, "id" | "changedBy" | "changedAt">;
    if (!input.enabled) {
      // Switched off: the rest is kept for next time, so ticking the box again restores it.
      next = {
        enabled: false,
        address: current?.address ?? null,
        port: current?.port ?? null,
        bypassLocal: current?.bypassLocal ?? false,
        bypass: current?.bypass ?? [],
        authScheme: current?.authScheme ?? null,
        userName: current?.userName ?? null,
        encryptedPassword: current?.encryptedPassword ?? null,
        domain: current?.domain ?? null,
      };
    } else {
      if (!input.address) return { ok: false, field: "address", problem: "required" };
      if (!input.port) return { ok: false, field: "port", problem: "required" };
      let encryptedPassword: string | null = null;
      if (input.authRequired) {
        if (!input.user) return { ok: false, field: "user", problem: "required" };
        if ((input.password ?? "") !== (input.confirmPassword ?? "")) return { ok: false, field: "confirmPassword", problem: "mismatch" };
        encryptedPassword = input.password
          ? encryptPrivateKey(input.password, kek(), PROXY_PASSWORD_CONTEXT)
          : input.user === current?.userName
            ? (current?.encryptedPassword ?? null)
            : null;
        if (!encryptedPassword) return { ok: false, field: "password", problem: "password_required" };
      }
      next = {
        enabled: true,
        address: input.address,
        port: input.port,
        bypassLocal: input.bypassLocal,
        bypass: input.bypass,
        authScheme: input.authRequired ? input.authScheme : null,
        userName: input.authRequired ? (input.user ?? null) : null,
        encryptedPassword,
        domain: input.authRequired ? (input.domain ?? null) : null,
      };
    }
    const fields = [
      "enabled",
      "address",
      "port",
      "bypassLocal",
      "bypass",
      "authScheme",
      "userName",
      "encryptedPassword",
      "domain",
    ] as const;
    const before: Record<(typeof fields)[number], unknown> = {
      enabled: false,
      address: null,
      port: null,
      bypassLocal: false,
      bypass: [],
      authScheme: null,
      userName: null,
      encryptedPassword: null,
      domain: null,
      ...current,
    };
    const changed = fields.filter((key) => JSON.stringify(before[key]) !== JSON.stringify(next[key]));
    await tx
      .insert(proxySettings)
      .values({ ...next, id: 1, changedBy: by.actor, changedAt: by.now })
      .onConflictDoUpdate({ target: proxySettings.id, set: { ...next, changedBy: by.actor, changedAt: by.now } });
    const names = changed.map((key) => (key === "encryptedPassword" ? "password" : key));
    await recordAudit(tx, {
      actor: by.actor,
      remoteAddress: by.remoteAddress,
      action: "proxy_settings_changed",
      outcome: "success",
      occurredAt: by.now,
      details: { changed: names.length > 0 ? names.join(", ") : "nothing" },
    });
    return { ok: true, changed: names };
  });
}

/**
 * The proxy policy in force: the page's when switched on (its password decrypted here; throws KeyEncryptionError when
 * the master key cannot open it), else the environment's, else null (connect directly).
 */
export async function effectiveProxyPolicy(
  db: Queryable,
  env: { HTTPS_PROXY?: string | undefined; NO_PROXY?: string | undefined },
  kek: () => KeyEncryptionKey,
): Promise<ProxyPolicy | null> {
  const [row] = await db.select().from(proxySettings).where(eq(proxySettings.id, 1));
  if (!row?.enabled || !row.address || !row.port) return proxyPolicyFromEnvironment(env);
  const auth =
    row.authScheme && row.userName && row.encryptedPassword
      ? { user: row.userName, password: decryptPrivateKey(row.encryptedPassword, kek(), PROXY_PASSWORD_CONTEXT), domain: row.domain }
      : null;
  return { proxy: { host: row.address, port: row.port, auth }, bypassLocal: row.bypassLocal, bypass: row.bypass, source: "settings" };
}

/** Whether the console's master key opens the stored password (true when none is stored). */
export async function proxyPasswordReadable(
  db: Queryable,
  settings: Pick<Env, "dataDir" | "RMS_MASTER_KEY" | "RMS_MASTER_KEY_FILE">,
): Promise<boolean> {
  const envelope = await storedProxyPassword(db);
  if (!envelope) return true;
  try {
    decryptPrivateKey(envelope, consoleKeyEncryptionKey(masterKeySettings(settings)), PROXY_PASSWORD_CONTEXT);
    return true;
  } catch {
    return false;
  }
}
