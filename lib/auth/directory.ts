// Directory accounts (LDAP / Active Directory) through ldapts: search-then-bind with a service account (or a bind DN
// template), TLS always (ldaps://, or ldap:// with StartTLS required) verified against the configured CA, and the
// user's groups read fresh at each sign-in, nested groups included, by a breadth-first group search that works on
// OpenLDAP (groupOfNames / groupOfUniqueNames) and Active Directory (group) alike.
import fs from "node:fs";
import { Client, InvalidCredentialsError } from "ldapts";

export interface DirectoryConfig {
  /** ldaps://host:port, or ldap://host:port on which StartTLS is required. */
  url: string;
  /** PEM trust anchors for the directory's certificate; the system's CAs when absent. */
  caPem?: string;
  /** Service account for search-then-bind. */
  bindDn?: string;
  bindPassword?: string;
  /** Instead of a search: the user's DN, with {user} replaced by the escaped name. */
  userDnTemplate?: string;
  userBase: string;
  /** With {user} replaced by the escaped name (RFC 4515). */
  userFilter: string;
  groupBase: string;
  /** The domain's short name, shown as DOMAIN\user. */
  domain: string;
  timeoutMs: number;
}

export type DirectoryResult =
  | { ok: true; userName: string; displayName: string; groups: string[] }
  | { ok: false; code: "invalid_credentials"; reason: string }
  | { ok: false; code: "unavailable"; reason: string };

export const DEFAULT_USER_FILTER = "(|(sAMAccountName={user})(uid={user}))";
/** How deep nested groups are followed, and how many groups at most are read for one user. */
const MAX_GROUP_DEPTH = 8;
const MAX_GROUPS = 500;
const GROUP_CLASSES = "(|(objectClass=group)(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))";

/** RFC 4515 escaping for a value inside a search filter. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** RFC 4514 escaping for a value inside a DN (bind DN templates). */
export function escapeDnValue(value: string): string {
  return value
    .replace(/[\\,+"<>;=\0]/g, (c) => (c === "\0" ? "\\00" : `\\${c}`))
    .replace(/^[ #]/, (c) => `\\${c}`)
    .replace(/ $/, "\\ ");
}

function fill(template: string, value: string): string {
  return template.split("{user}").join(value);
}

/** A user name as typed, without the domain part: DOMAIN\user, user@domain or user. */
export function directoryLogin(typed: string, domain: string): string | null {
  const backslash = typed.indexOf("\\");
  if (backslash >= 0) {
    return typed.slice(0, backslash).toLowerCase() === domain.toLowerCase() ? typed.slice(backslash + 1) : null;
  }
  const at = typed.lastIndexOf("@");
  return at > 0 ? typed.slice(0, at) : typed;
}

function tlsOptions(config: DirectoryConfig) {
  const host = new URL(config.url).hostname;
  return { ca: config.caPem, servername: /^[\d.]+$|:/.test(host) ? undefined : host, minVersion: "TLSv1.2" as const };
}

async function connect(config: DirectoryConfig): Promise<Client> {
  const client = new Client({
    url: config.url,
    timeout: config.timeoutMs,
    connectTimeout: config.timeoutMs,
    // ldapts opens TLS at connect whenever tlsOptions is given, so ldap:// gets them only with StartTLS.
    tlsOptions: config.url.startsWith("ldaps://") ? tlsOptions(config) : undefined,
  });
  if (config.url.startsWith("ldap://")) await client.startTLS(tlsOptions(config));
  return client;
}

function firstValue(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === "string" ? v : Buffer.isBuffer(v) ? v.toString("utf8") : undefined;
}

/** The cn of every group the DN is a member of, directly or through nested groups. */
async function readGroups(client: Client, config: DirectoryConfig, userDn: string): Promise<string[]> {
  const names = new Map<string, string>();
  const seen = new Set<string>([userDn.toLowerCase()]);
  let frontier = [userDn];
  for (let depth = 0; depth < MAX_GROUP_DEPTH && frontier.length > 0 && names.size < MAX_GROUPS; depth++) {
    const members = frontier.map((dn) => `(member=${escapeFilterValue(dn)})(uniqueMember=${escapeFilterValue(dn)})`).join("");
    const { searchEntries } = await client.search(config.groupBase, {
      scope: "sub",
      filter: `(&${GROUP_CLASSES}(|${members}))`,
      attributes: ["cn"],
      sizeLimit: MAX_GROUPS,
    });
    frontier = [];
    for (const entry of searchEntries) {
      const key = entry.dn.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const cn = firstValue(entry.cn);
      if (cn) names.set(cn.toLowerCase(), cn);
      frontier.push(entry.dn);
    }
  }
  return [...names.values()].sort((a, b) => a.localeCompare(b));
}

function explain(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

/**
 * Checks a directory user's password and reads their groups. Invalid credentials (unknown user, wrong password, a
 * disabled or locked account, an empty password) answer invalid_credentials; a directory that cannot be reached,
 * does not answer in time or whose certificate does not verify answers unavailable with the reason.
 */
export async function authenticateDirectoryUser(config: DirectoryConfig, typedName: string, password: string): Promise<DirectoryResult> {
  const login = directoryLogin(typedName, config.domain);
  // An empty password would be an unauthenticated bind, which LDAP servers answer with success.
  if (!login || password.length === 0) return { ok: false, code: "invalid_credentials", reason: "empty_or_foreign_domain" };

  let client: Client | null = null;
  try {
    client = await connect(config);
    let userDn: string;
    let entryName: string | undefined;
    if (config.userDnTemplate) {
      userDn = fill(config.userDnTemplate, escapeDnValue(login));
    } else {
      if (config.bindDn) await client.bind(config.bindDn, config.bindPassword ?? "");
      const { searchEntries } = await client.search(config.userBase, {
        scope: "sub",
        filter: fill(config.userFilter, escapeFilterValue(login)),
        attributes: ["cn", "displayName", "uid", "sAMAccountName"],
        sizeLimit: 2,
      });
      if (searchEntries.length !== 1) {
        return { ok: false, code: "invalid_credentials", reason: searchEntries.length === 0 ? "unknown_user" : "ambiguous_user" };
      }
      const [entry] = searchEntries;
      if (!entry) return { ok: false, code: "invalid_credentials", reason: "unknown_user" };
      userDn = entry.dn;
      entryName = firstValue(entry.sAMAccountName) ?? firstValue(entry.uid);
    }
    try {
      await client.bind(userDn, password);
    } catch (error) {
      if (error instanceof InvalidCredentialsError) return { ok: false, code: "invalid_credentials", reason: "wrong_password_or_disabled" };
      throw error;
    }
    // Groups are read with the service account where there is one (users often cannot read groups themselves).
    if (config.bindDn) await client.bind(config.bindDn, config.bindPassword ?? "");
    const [self] = (await client.search(userDn, { scope: "base", attributes: ["cn", "displayName", "uid", "sAMAccountName"] }))
      .searchEntries;
    const account = entryName ?? firstValue(self?.sAMAccountName) ?? firstValue(self?.uid) ?? login;
    const groups = await readGroups(client, config, userDn);
    return {
      ok: true,
      userName: `${config.domain.toUpperCase()}\\${account.toLowerCase()}`,
      displayName: firstValue(self?.displayName) ?? firstValue(self?.cn) ?? account,
      groups,
    };
  } catch (error) {
    return { ok: false, code: "unavailable", reason: explain(error) };
  } finally {
    await client?.unbind().catch(() => undefined);
  }
}

/** The directory settings of a validated environment, or null when RMS_LDAP_URL is unset. Reads the CA file. */
export function directoryConfigFrom(env: {
  RMS_LDAP_URL?: string;
  RMS_LDAP_CA_FILE?: string;
  RMS_LDAP_BIND_DN?: string;
  RMS_LDAP_BIND_PASSWORD?: string;
  RMS_LDAP_USER_DN_TEMPLATE?: string;
  RMS_LDAP_USER_BASE?: string;
  RMS_LDAP_USER_FILTER?: string;
  RMS_LDAP_GROUP_BASE?: string;
  RMS_LDAP_TIMEOUT_MS: number;
  RMS_DOMAIN?: string;
}): DirectoryConfig | null {
  if (!env.RMS_LDAP_URL) return null;
  return {
    url: env.RMS_LDAP_URL.replace(/\/+$/, ""),
    caPem: env.RMS_LDAP_CA_FILE ? fs.readFileSync(env.RMS_LDAP_CA_FILE, "utf8") : undefined,
    bindDn: env.RMS_LDAP_BIND_DN,
    bindPassword: env.RMS_LDAP_BIND_PASSWORD,
    userDnTemplate: env.RMS_LDAP_USER_DN_TEMPLATE,
    userBase: env.RMS_LDAP_USER_BASE ?? "",
    userFilter: env.RMS_LDAP_USER_FILTER ?? DEFAULT_USER_FILTER,
    groupBase: env.RMS_LDAP_GROUP_BASE ?? "",
    domain: env.RMS_DOMAIN ?? "",
    timeoutMs: env.RMS_LDAP_TIMEOUT_MS,
  };
}
