// Directory accounts (LDAP / Active Directory) through ldapts: search-then-bind with a service account (or a bind DN
// template), TLS always (ldaps://, or ldap:// with StartTLS required) verified against the configured CA, and the
// user's groups read fresh at each sign-in, nested groups included. On Active Directory the groups are Windows' own
// answer: the user's tokenGroups (primary group and nested groups included), or where that attribute cannot be read,
// the primary group (primaryGroupID, which AD never lists in `member`) and every group reached through `member`
// from the user and from it; on OpenLDAP a breadth-first search of member / uniqueMember. A bind refused by AD
// carries a sub-code ("… AcceptSecurityContext error, data 773, …") that tells why: password must be changed,
// expired, account expired, disabled, locked out, outside logon hours or workstations.
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
  /**
   * The UPN suffixes user@suffix is accepted with (lower case). Absent: the directory's own — its domains' DNS names
   * and the forest's uPNSuffixes (read from CN=Partitions where readable) and the realm of the base DNs.
   */
  upnSuffixes?: string[];
  timeoutMs: number;
}

/** Why Active Directory refused a correct password: the bind error's "data" sub-code, as Windows words it. */
export const AD_RESTRICTIONS = {
  "773": "must_change_password",
  "532": "password_expired",
  "701": "account_expired",
  "533": "account_disabled",
  "775": "account_locked",
  "530": "logon_hours",
  "531": "workstation",
} as const;
export type AdRestriction = (typeof AD_RESTRICTIONS)[keyof typeof AD_RESTRICTIONS];

/** Why a directory refused a name and password that it could check (audited as the sign-in's reason). */
export const DIRECTORY_REFUSALS = [
  "unknown_user",
  "ambiguous_user",
  "wrong_password",
  "foreign_domain",
  "foreign_upn_suffix",
  "empty_password",
] as const;
type DirectoryRefusal = (typeof DIRECTORY_REFUSALS)[number];

export type DirectoryResult =
  /** userName: DOMAIN\sAMAccountName (or uid), the account name in the letter case the directory stores. */
  | { ok: true; userName: string; displayName: string; groups: string[] }
  /** account: the canonical name when the directory found the entry, else DOMAIN\name as typed. */
  | { ok: false; code: "invalid_credentials"; reason: DirectoryRefusal; account: string | null }
  | { ok: false; code: "restricted"; restriction: AdRestriction; account: string; detail: string }
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

/** A user name as typed, split: DOMAIN\user (null when the domain is another), user@suffix, or a bare user. */
export function parseDirectoryName(typed: string, domain: string): { login: string; upnSuffix: string | null } | null {
  const backslash = typed.indexOf("\\");
  if (backslash >= 0) {
    return typed.slice(0, backslash).toLowerCase() === domain.toLowerCase() ? { login: typed.slice(backslash + 1), upnSuffix: null } : null;
  }
  const at = typed.lastIndexOf("@");
  return at > 0 ? { login: typed.slice(0, at), upnSuffix: typed.slice(at + 1).toLowerCase() } : { login: typed, upnSuffix: null };
}

/** A user name as typed, without the domain part: DOMAIN\user, user@suffix or user. */
export function directoryLogin(typed: string, domain: string): string | null {
  return parseDirectoryName(typed, domain)?.login ?? null;
}

/** The account's name as Windows shows it: NETBIOSDOMAIN\sAMAccountName, the name in the case it is stored. */
export function canonicalDirectoryName(domain: string, account: string): string {
  return `${domain.toUpperCase()}\\${account}`;
}

/**
 * The restriction an AD bind error names, from its "data" sub-code (the Win32 error in hex: 773 must change password,
 * 532 password expired, 701 account expired, 533 disabled, 775 locked out, 530 logon hours, 531 workstation); null for
 * a wrong password (52e), an unknown user (525) or a server that sends no sub-code (OpenLDAP).
 */
export function adBindRestriction(message: string): AdRestriction | null {
  const code = /AcceptSecurityContext error, data ([0-9a-f]+)/i.exec(message)?.[1]?.toLowerCase();
  return code && Object.hasOwn(AD_RESTRICTIONS, code) ? AD_RESTRICTIONS[code as keyof typeof AD_RESTRICTIONS] : null;
}

/** The realm a DN names by its dc= parts (dc=contoso,dc=com → contoso.com), or null when it has none. */
export function realmOfDn(dn: string): string | null {
  const parts = dn
    .split(",")
    .map((rdn) => /^\s*dc\s*=\s*(.+?)\s*$/i.exec(rdn)?.[1])
    .filter((v): v is string => Boolean(v));
  return parts.length > 0 ? parts.join(".").toLowerCase() : null;
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

function allValues(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** A binary SID (MS-DTYP 2.4.2.2) as S-1-5-21-…; null when the bytes are not one. */
export function sidToString(sid: Buffer): string | null {
  if (sid.length < 8) return null;
  const count = sid.readUInt8(1);
  if (sid.length !== 8 + 4 * count) return null;
  const authority = sid.readUIntBE(2, 6);
  const subs = Array.from({ length: count }, (_, i) => sid.readUInt32LE(8 + 4 * i));
  return `S-${sid.readUInt8(0)}-${authority}${subs.map((n) => `-${n}`).join("")}`;
}

/** A group's name as Windows shows it: sAMAccountName on AD, cn elsewhere. */
function groupName(entry: Record<string, unknown>): string | undefined {
  return firstValue(entry.sAMAccountName) ?? firstValue(entry.cn);
}

/** The groups whose objectSid is one of these (string SIDs in the filter: AD and Samba accept them). */
async function groupsBySid(
  client: Client,
  config: DirectoryConfig,
  sids: readonly string[],
): Promise<Map<string, { dn: string; name: string }>> {
  const found = new Map<string, { dn: string; name: string }>();
  for (let i = 0; i < sids.length; i += 100) {
    const chunk = sids.slice(i, i + 100).filter((sid) => /^S-1(-\d+)+$/.test(sid));
    if (chunk.length === 0) continue;
    const { searchEntries } = await client.search(config.groupBase, {
      scope: "sub",
      filter: `(&(objectClass=group)(|${chunk.map((sid) => `(objectSid=${sid})`).join("")}))`,
      attributes: ["cn", "sAMAccountName", "objectSid"],
      explicitBufferAttributes: ["objectSid"],
      sizeLimit: MAX_GROUPS,
    });
    for (const entry of searchEntries) {
      const sid = allValues(entry.objectSid).find(Buffer.isBuffer);
      const name = groupName(entry);
      const key = sid ? sidToString(sid) : null;
      if (key && name) found.set(key, { dn: entry.dn, name });
    }
  }
  return found;
}

/** Breadth-first over member / uniqueMember from these DNs: the name of every group reached (the DNs' own excluded). */
async function groupsByMembership(client: Client, config: DirectoryConfig, from: readonly string[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const seen = new Set<string>(from.map((dn) => dn.toLowerCase()));
  let frontier = [...from];
  for (let depth = 0; depth < MAX_GROUP_DEPTH && frontier.length > 0 && names.size < MAX_GROUPS; depth++) {
    const members = frontier.map((dn) => `(member=${escapeFilterValue(dn)})(uniqueMember=${escapeFilterValue(dn)})`).join("");
    const { searchEntries } = await client.search(config.groupBase, {
      scope: "sub",
      filter: `(&${GROUP_CLASSES}(|${members}))`,
      attributes: ["cn", "sAMAccountName"],
      sizeLimit: MAX_GROUPS,
    });
    frontier = [];
    for (const entry of searchEntries) {
      const key = entry.dn.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const name = groupName(entry);
      if (name) names.set(key, name);
      frontier.push(entry.dn);
    }
  }
  return names;
}

/** How group membership is read: Windows' token, AD's primary group + nested member, or member alone (OpenLDAP). */
export type GroupMethod = "tokenGroups" | "primaryGroup" | "member";

function sortedNames(names: Iterable<string>): string[] {
  const unique = new Map<string, string>();
  for (const name of names) unique.set(name.toLowerCase(), name);
  return [...unique.values()].sort((a, b) => a.localeCompare(b));
}

/**
 * The name of every group the user is a member of, directly or through nested groups. On AD the user's primary group
 * counts too (Windows puts it in the token; `member` never lists it). "auto": tokenGroups when the directory
 * returns it, else the primary group and nested member when the entry has an objectSid, else member alone.
 */
export async function readDirectoryGroups(
  client: Client,
  config: DirectoryConfig,
  userDn: string,
  method: GroupMethod | "auto" = "auto",
): Promise<{ method: GroupMethod; groups: string[] }> {
  const [self] = (
    await client.search(userDn, {
      scope: "base",
      // tokenGroups is constructed: AD returns it on a base-scope read only.
      attributes: ["objectSid", "primaryGroupID", ...(method === "auto" || method === "tokenGroups" ? ["tokenGroups"] : [])],
      explicitBufferAttributes: ["objectSid", "tokenGroups"],
    })
  ).searchEntries;
  const tokenSids = allValues(self?.tokenGroups)
    .filter(Buffer.isBuffer)
    .map(sidToString)
    .filter((sid): sid is string => sid !== null);
  if (method === "tokenGroups" || (method === "auto" && tokenSids.length > 0)) {
    const groups = await groupsBySid(client, config, tokenSids);
    return { method: "tokenGroups", groups: sortedNames([...groups.values()].map((g) => g.name)) };
  }
  const userSid = allValues(self?.objectSid).find(Buffer.isBuffer);
  const primaryId = firstValue(self?.primaryGroupID);
  const domainSid = userSid ? sidToString(userSid)?.replace(/-\d+$/, "") : undefined;
  if (method === "primaryGroup" || (method === "auto" && domainSid && primaryId && /^\d+$/.test(primaryId))) {
    const primarySid = domainSid && primaryId ? `${domainSid}-${primaryId}` : null;
    const primary = primarySid ? (await groupsBySid(client, config, [primarySid])).get(primarySid) : undefined;
    const nested = await groupsByMembership(client, config, primary ? [userDn, primary.dn] : [userDn]);
    return { method: "primaryGroup", groups: sortedNames([...(primary ? [primary.name] : []), ...nested.values()]) };
  }
  return { method: "member", groups: sortedNames((await groupsByMembership(client, config, [userDn])).values()) };
}

/**
 * The UPN suffixes the directory is known by (lower case): its domains' DNS names (crossRef dnsRoot) and the forest's
 * alternative uPNSuffixes where the connection may read CN=Partitions, and always the realm of the configured base DNs
 * and of the rootDSE's defaultNamingContext.
 */
async function directoryUpnSuffixes(client: Client, config: DirectoryConfig): Promise<string[]> {
  const suffixes = new Set<string>();
  const add = (value: string | null | undefined) => {
    if (value) suffixes.add(value.trim().toLowerCase());
  };
  for (const dn of [config.userBase, config.groupBase, config.userDnTemplate ?? ""]) add(realmOfDn(dn));
  const [root] = (
    await client.search("", {
      scope: "base",
      filter: "(objectClass=*)",
      attributes: ["defaultNamingContext", "configurationNamingContext"],
    })
  ).searchEntries;
  add(realmOfDn(firstValue(root?.defaultNamingContext) ?? ""));
  const configuration = firstValue(root?.configurationNamingContext);
  if (configuration) {
    // AD: readable by any authenticated account; an anonymous connection may be refused, which leaves the realms above.
    const partitions = await client
      .search(`CN=Partitions,${configuration}`, {
        scope: "sub",
        filter: "(|(objectClass=crossRefContainer)(&(objectClass=crossRef)(nETBIOSName=*)))",
        attributes: ["uPNSuffixes", "dnsRoot"],
      })
      .catch(() => ({ searchEntries: [] }));
    for (const entry of partitions.searchEntries) {
      for (const value of [...allValues(entry.uPNSuffixes), ...allValues(entry.dnsRoot)]) add(typeof value === "string" ? value : null);
    }
  }
  return [...suffixes];
}

function explain(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}

const ENTRY_ATTRIBUTES = ["cn", "displayName", "uid", "sAMAccountName"];

/**
 * Checks a directory user's password and reads their groups. A name the directory does not know, a wrong password, a
 * foreign domain or UPN suffix and an empty password answer invalid_credentials; a correct password AD refuses with a
 * reason (must change, expired, disabled, locked out, logon hours, workstation) answers restricted with it; a
 * directory that cannot be reached, does not answer in time or whose certificate does not verify answers unavailable.
 */
export async function authenticateDirectoryUser(config: DirectoryConfig, typedName: string, password: string): Promise<DirectoryResult> {
  return directoryAttempt(config, typedName, password);
}

/**
 * The directory work of a sign-in without its password: connect, the service account's bind and the user's search,
 * no bind as the user (so no directory lockout is counted and no local password is sent anywhere). The sign-in of a
 * local account whose name could have been a directory name does this, so it costs what a directory sign-in does.
 */
export async function probeDirectoryUser(config: DirectoryConfig, typedName: string): Promise<void> {
  await directoryAttempt(config, typedName, null);
}

async function directoryAttempt(config: DirectoryConfig, typedName: string, password: string | null): Promise<DirectoryResult> {
  const parsed = parseDirectoryName(typedName, config.domain);
  if (!parsed) return { ok: false, code: "invalid_credentials", reason: "foreign_domain", account: null };
  const { login, upnSuffix } = parsed;
  const typedAccount = canonicalDirectoryName(config.domain, login);
  // An empty password would be an unauthenticated bind, which LDAP servers answer with success.
  if (password?.length === 0) return { ok: false, code: "invalid_credentials", reason: "empty_password", account: typedAccount };

  let client: Client | null = null;
  try {
    client = await connect(config);
    if (config.bindDn) await client.bind(config.bindDn, config.bindPassword ?? "");
    if (upnSuffix !== null) {
      const accepted = config.upnSuffixes ?? (await directoryUpnSuffixes(client, config));
      if (!accepted.includes(upnSuffix))
        return { ok: false, code: "invalid_credentials", reason: "foreign_upn_suffix", account: typedAccount };
    }
    let userDn: string;
    let entryName: string | undefined;
    if (config.userDnTemplate) {
      userDn = fill(config.userDnTemplate, escapeDnValue(login));
    } else {
      const { searchEntries } = await client.search(config.userBase, {
        scope: "sub",
        filter: fill(config.userFilter, escapeFilterValue(login)),
        attributes: ENTRY_ATTRIBUTES,
        sizeLimit: 2,
      });
      const [entry, second] = searchEntries;
      if (!entry || second) {
        return { ok: false, code: "invalid_credentials", reason: entry ? "ambiguous_user" : "unknown_user", account: typedAccount };
      }
      userDn = entry.dn;
      entryName = firstValue(entry.sAMAccountName) ?? firstValue(entry.uid);
    }
    const knownAccount = entryName ? canonicalDirectoryName(config.domain, entryName) : typedAccount;
    if (password === null) return { ok: false, code: "invalid_credentials", reason: "unknown_user", account: knownAccount };
    try {
      await client.bind(userDn, password);
    } catch (error) {
      if (!(error instanceof InvalidCredentialsError)) throw error;
      const restriction = adBindRestriction(error.message);
      if (restriction) return { ok: false, code: "restricted", restriction, account: knownAccount, detail: error.message };
      return { ok: false, code: "invalid_credentials", reason: "wrong_password", account: knownAccount };
    }
    // Groups are read with the service account where there is one (users often cannot read groups themselves).
    if (config.bindDn) await client.bind(config.bindDn, config.bindPassword ?? "");
    const [self] = (await client.search(userDn, { scope: "base", attributes: ENTRY_ATTRIBUTES })).searchEntries;
    const account = entryName ?? firstValue(self?.sAMAccountName) ?? firstValue(self?.uid) ?? login;
    const { groups } = await readDirectoryGroups(client, config, userDn);
    return {
      ok: true,
      userName: canonicalDirectoryName(config.domain, account),
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
  RMS_LDAP_UPN_SUFFIXES?: string[];
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
    upnSuffixes: env.RMS_LDAP_UPN_SUFFIXES,
    timeoutMs: env.RMS_LDAP_TIMEOUT_MS,
  };
}
