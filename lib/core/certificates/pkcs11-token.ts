// RSA keys that never leave a PKCS#11 token (an HSM, or SoftHSM2 in tests): generate them inside it, find them by
// token label + CKA_ID, sign with C_Sign, read back what the token says of them; every failure a typed, PIN-free error.
import { createHash, createPublicKey, randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import pkcs11js from "pkcs11js";
import { CodedError } from "@/lib/platform/errors/coded-error";

export type HsmErrorCode =
  /** The module path names no loadable PKCS#11 library (unplugged driver, wrong path, not a PKCS#11 module). */
  | "module_missing"
  /** No token with the configured label or slot (token removed, not initialised, wrong label). */
  | "token_missing"
  | "pin_incorrect"
  | "pin_locked"
  /** The PIN is not configured or its file cannot be read. */
  | "pin_unavailable"
  /** The token holds no private key with the stored label and CKA_ID. */
  | "key_missing"
  /** Any other refusal of the token, with its CKR_ name. */
  | "token_error";

export class HsmError extends CodedError<HsmErrorCode> {
  override readonly name = "HsmError";
}

/** How a process reaches its token: module, which token, and where the PIN comes from. */
export interface Pkcs11Settings {
  modulePath: string;
  /** The token's label (CKA of the token info, blank padding ignored); else `slot`. */
  tokenLabel?: string;
  /** A slot ID, used when no token label is given. */
  slot?: number;
  /** The user PIN (RMS_…_PKCS11_PIN) or the file that holds it (…_PIN_FILE); read when a session opens. */
  pin?: string;
  pinFile?: string;
  /** The variable prefix the settings came from, for messages ("RMS_PKCS11" or "RMS_ENROLLMENT_PKCS11"). */
  source: string;
}

/** Where a token key is: what the database or the CA folder stores instead of the key. */
export interface TokenKeyRef {
  tokenLabel: string;
  keyLabel: string;
  /** CKA_ID, hex. */
  keyId: string;
}

/** What the token reports about a private key it holds (read with C_GetAttributeValue). */
export interface TokenKeyAttributes {
  extractable: boolean;
  sensitive: boolean;
  token: boolean;
  private: boolean;
  sign: boolean;
  alwaysSensitive: boolean;
  neverExtractable: boolean;
  modulusBits: number;
  /** For each secret component, whether the token refused to hand out its value (it must). */
  refused: { value: boolean; privateExponent: boolean; prime1: boolean };
}

interface LoadedModule {
  lib: pkcs11js.PKCS11;
}

const modules = new Map<string, LoadedModule>();
const sessions = new Map<string, { module: LoadedModule; session: Buffer; tokenLabel: string }>();

function ckrName(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0]?.split(":")[0] ?? "error") : "error";
}

function isCkr(error: unknown, code: number): boolean {
  return error instanceof pkcs11js.Pkcs11Error && error.code === code;
}

/** Loads and initialises the module once per process (and thread): a second C_Initialize is the library's own business. */
function loadModule(settings: Pkcs11Settings): LoadedModule {
  const cached = modules.get(settings.modulePath);
  if (cached) return cached;
  const variable = `${settings.source}_MODULE`;
  try {
    if (!statSync(settings.modulePath).isFile()) throw new Error("not a file");
  } catch {
    throw new HsmError(
      "module_missing",
      `The PKCS#11 module ${settings.modulePath} (${variable}) does not exist: install the HSM vendor's library (for SoftHSM2: apt-get install softhsm2) or correct ${variable}. Nothing was changed.`,
    );
  }
  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(settings.modulePath);
  } catch (error) {
    throw new HsmError(
      "module_missing",
      `The PKCS#11 module ${settings.modulePath} (${variable}) cannot be loaded (${error instanceof Error ? error.message.split("\n")[0] : "load failed"}): is it the vendor's PKCS#11 library for this machine? Nothing was changed.`,
    );
  }
  try {
    lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  } catch (error) {
    if (!isCkr(error, pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)) {
      throw new HsmError(
        "module_missing",
        `The PKCS#11 module ${settings.modulePath} refused to start (${ckrName(error)}): check its configuration (for SoftHSM2: SOFTHSM2_CONF and its tokendir). Nothing was changed.`,
      );
    }
  }
  const loaded = { lib };
  modules.set(settings.modulePath, loaded);
  return loaded;
}

function readPin(settings: Pkcs11Settings): string {
  if (settings.pin !== undefined && settings.pin !== "") return settings.pin;
  if (settings.pinFile !== undefined && settings.pinFile !== "") {
    let text: string;
    try {
      text = readFileSync(settings.pinFile, "utf8");
    } catch (error) {
      const code = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
      throw new HsmError(
        "pin_unavailable",
        `The token PIN file ${settings.pinFile} (${settings.source}_PIN_FILE) cannot be read (${code}); make it readable by the user the process runs as, mode 600. Nothing was changed.`,
      );
    }
    const pin = text.replace(/\r?\n$/, "");
    if (pin !== "") return pin;
    throw new HsmError(
      "pin_unavailable",
      `The token PIN file ${settings.pinFile} (${settings.source}_PIN_FILE) is empty. Nothing was changed.`,
    );
  }
  throw new HsmError(
    "pin_unavailable",
    `No token PIN: set ${settings.source}_PIN_FILE (a file holding the user PIN, mode 600) or ${settings.source}_PIN. Nothing was changed.`,
  );
}

const trimLabel = (label: string) => label.replace(/[\s\u0000]+$/, "");

/** The slot of the token with this label, or (no label) the configured slot; token_missing names what is there. */
function findSlot(lib: pkcs11js.PKCS11, settings: Pkcs11Settings, tokenLabel: string | undefined): { slot: Buffer; label: string } {
  const slots = lib.C_GetSlotList(true);
  const found: string[] = [];
  for (const slot of slots) {
    const label = trimLabel(lib.C_GetTokenInfo(slot).label);
    if (label !== "") found.push(label);
    if (
      tokenLabel !== undefined ? label === tokenLabel : settings.slot !== undefined && slot.readBigUInt64LE(0) === BigInt(settings.slot)
    ) {
      return { slot, label };
    }
  }
  const wanted = tokenLabel !== undefined ? `a token labelled "${tokenLabel}"` : `a token in slot ${settings.slot ?? "(none configured)"}`;
  const there = found.length === 0 ? "no initialised token" : `tokens ${found.map((l) => `"${l}"`).join(", ")}`;
  throw new HsmError(
    "token_missing",
    `The PKCS#11 module ${settings.modulePath} has ${there}, not ${wanted}: plug in or initialise the token, or correct ${settings.source}_TOKEN_LABEL / ${settings.source}_SLOT. Nothing was changed.`,
  );
}

function sessionKey(settings: Pkcs11Settings, tokenLabel: string | undefined, pin: string): string {
  const pinHash = createHash("sha256").update(pin).digest("hex");
  return JSON.stringify([settings.modulePath, tokenLabel ?? null, tokenLabel === undefined ? (settings.slot ?? null) : null, pinHash]);
}

function loginError(error: unknown, settings: Pkcs11Settings, label: string): HsmError {
  if (isCkr(error, pkcs11js.CKR_PIN_INCORRECT)) {
    return new HsmError(
      "pin_incorrect",
      `The token "${label}" refused the PIN from ${settings.source}_PIN_FILE / ${settings.source}_PIN (CKR_PIN_INCORRECT): correct it; repeated wrong PINs lock the token. Nothing was changed.`,
    );
  }
  if (isCkr(error, pkcs11js.CKR_PIN_LOCKED)) {
    return new HsmError(
      "pin_locked",
      `The token "${label}" is locked after too many wrong PINs (CKR_PIN_LOCKED): the security officer must unlock it. Nothing was changed.`,
    );
  }
  return new HsmError("token_error", `The token "${label}" refused the login (${ckrName(error)}). Nothing was changed.`);
}

/**
 * A logged-in read/write session on the token, kept for the process (login state is shared by all of a process's
 * sessions, so closing one per operation could log out another in flight). Reopened once when the token was reset.
 */
function openSession(settings: Pkcs11Settings, wantedLabel: string | undefined, fresh = false) {
  const pin = readPin(settings);
  const tokenLabel = wantedLabel ?? settings.tokenLabel;
  const key = sessionKey(settings, tokenLabel, pin);
  const cached = sessions.get(key);
  if (cached && !fresh) return cached;
  if (cached) {
    sessions.delete(key);
    try {
      cached.module.lib.C_CloseSession(cached.session);
    } catch {
      // Already gone with the token: nothing to close.
    }
  }
  const module = loadModule(settings);
  const { lib } = module;
  const { slot, label } = findSlot(lib, settings, tokenLabel);
  const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    try {
      lib.C_Login(session, pkcs11js.CKU_USER, pin);
    } catch (error) {
      if (!isCkr(error, pkcs11js.CKR_USER_ALREADY_LOGGED_IN)) throw error;
      // Logged in by another session of this process: log in again so that this PIN is checked, not assumed (the other
      // sessions notice and log in again with theirs).
      lib.C_Logout(session);
      lib.C_Login(session, pkcs11js.CKU_USER, pin);
    }
  } catch (error) {
    lib.C_CloseSession(session);
    throw loginError(error, settings, label);
  }
  const opened = { module, session, tokenLabel: label };
  sessions.set(key, opened);
  return opened;
}

// PKCS#11 2.40 §5.6 session states (pkcs11js exports no names for them).
const CKS_RO_USER_FUNCTIONS = 1;
const CKS_RW_USER_FUNCTIONS = 3;

const STALE_SESSION = [
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_USER_NOT_LOGGED_IN,
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
];

/** Runs `work` in the session, once more in a new one when the old one went stale; HsmErrors pass, others are named. */
function withSession<T>(
  settings: Pkcs11Settings,
  tokenLabel: string | undefined,
  what: string,
  work: (lib: pkcs11js.PKCS11, session: Buffer, label: string) => T,
): T {
  for (let attempt = 0; ; attempt++) {
    const { module, session, tokenLabel: label } = openSession(settings, tokenLabel, attempt > 0);
    try {
      // A session logged out meanwhile (another PIN logged in and out) would see no private objects: log in again.
      const { state } = module.lib.C_GetSessionInfo(session);
      if (state !== CKS_RW_USER_FUNCTIONS && state !== CKS_RO_USER_FUNCTIONS) {
        if (attempt === 0) continue;
        throw new HsmError("token_error", `The token "${label}" did not keep the login. Nothing was changed.`);
      }
      return work(module.lib, session, label);
    } catch (error) {
      if (error instanceof HsmError) throw error;
      if (attempt === 0 && STALE_SESSION.some((code) => isCkr(error, code))) continue;
      throw new HsmError("token_error", `The token "${label}" refused to ${what} (${ckrName(error)}). Nothing was changed.`);
    }
  }
}

function findKey(lib: pkcs11js.PKCS11, session: Buffer, ref: TokenKeyRef, keyClass: number): Buffer {
  lib.C_FindObjectsInit(session, [
    { type: pkcs11js.CKA_CLASS, value: keyClass },
    { type: pkcs11js.CKA_ID, value: Buffer.from(ref.keyId, "hex") },
  ]);
  let handles: Buffer[];
  try {
    handles = lib.C_FindObjects(session, 2);
  } finally {
    lib.C_FindObjectsFinal(session);
  }
  const [handle] = handles;
  if (handle === undefined || handles.length > 1) {
    throw new HsmError(
      "key_missing",
      `The token "${ref.tokenLabel}" holds ${handles.length === 0 ? "no" : "more than one"} ${keyClass === pkcs11js.CKO_PRIVATE_KEY ? "private" : "public"} key with label "${ref.keyLabel}" and CKA_ID ${ref.keyId}: was the key deleted, or is this another token with the same label? Nothing was changed.`,
    );
  }
  return handle;
}

function publicKeyPemOf(lib: pkcs11js.PKCS11, session: Buffer, handle: Buffer): string {
  const [modulus, exponent] = lib.C_GetAttributeValue(session, handle, [
    { type: pkcs11js.CKA_MODULUS },
    { type: pkcs11js.CKA_PUBLIC_EXPONENT },
  ]);
  if (!modulus?.value || !exponent?.value) throw new Error("CKR_ATTRIBUTE_TYPE_INVALID:18");
  return createPublicKey({
    key: { kty: "RSA", n: modulus.value.toString("base64url"), e: exponent.value.toString("base64url") },
    format: "jwk",
  })
    .export({ type: "spki", format: "pem" })
    .toString();
}

/**
 * Generates an RSA key pair inside the token: the private half sensitive, not extractable, a token object, usable only
 * to sign; the public half's SPKI is returned. `keyLabel` names it for people (CKA_LABEL); a random CKA_ID finds it.
 */
export function generateTokenRsaKeyPair(
  settings: Pkcs11Settings,
  opts: { keyLabel: string; modulusBits?: number },
): { ref: TokenKeyRef; publicKeyPem: string } {
  const bits = opts.modulusBits ?? 2048;
  if (!Number.isInteger(bits) || bits < 2048) throw new RangeError("A token key must be an RSA key of at least 2048 bits.");
  const id = randomBytes(16);
  return withSession(settings, undefined, "generate a key pair", (lib, session, tokenLabel) => {
    const common = [
      { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_LABEL, value: opts.keyLabel },
      { type: pkcs11js.CKA_ID, value: id },
    ];
    const keys = lib.C_GenerateKeyPair(
      session,
      { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
      [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
        ...common,
        { type: pkcs11js.CKA_VERIFY, value: true },
        { type: pkcs11js.CKA_ENCRYPT, value: false },
        { type: pkcs11js.CKA_WRAP, value: false },
        { type: pkcs11js.CKA_MODULUS_BITS, value: bits },
        { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      ],
      [
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        ...common,
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        { type: pkcs11js.CKA_SIGN, value: true },
        { type: pkcs11js.CKA_DECRYPT, value: false },
        { type: pkcs11js.CKA_UNWRAP, value: false },
      ],
    );
    try {
      return {
        ref: { tokenLabel, keyLabel: opts.keyLabel, keyId: id.toString("hex") },
        publicKeyPem: publicKeyPemOf(lib, session, keys.publicKey),
      };
    } catch (error) {
      // A pair we cannot describe is useless: leave nothing behind in the token.
      lib.C_DestroyObject(session, keys.privateKey);
      lib.C_DestroyObject(session, keys.publicKey);
      throw error;
    }
  });
}

// DER of DigestInfo's prefix for SHA-256 (RFC 8017 §9.2 note 1): for tokens that sign only raw CKM_RSA_PKCS.
const SHA256_DIGEST_INFO = Buffer.from("3031300d060960864801650304020105000420", "hex");

/** RSASSA-PKCS1-v1_5 with SHA-256 over `data`, computed in the token (CKM_SHA256_RSA_PKCS, else hashed here + CKM_RSA_PKCS). */
export function signWithTokenKey(settings: Pkcs11Settings, ref: TokenKeyRef, data: Buffer): Buffer {
  return withSession(settings, ref.tokenLabel, "sign", (lib, session) => {
    const key = findKey(lib, session, ref, pkcs11js.CKO_PRIVATE_KEY);
    const [modulus] = lib.C_GetAttributeValue(session, findKey(lib, session, ref, pkcs11js.CKO_PUBLIC_KEY), [
      { type: pkcs11js.CKA_MODULUS },
    ]);
    const out = Buffer.alloc(modulus?.value?.length ?? 512);
    try {
      lib.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, key);
      return Buffer.from(lib.C_Sign(session, data, out));
    } catch (error) {
      if (!isCkr(error, pkcs11js.CKR_MECHANISM_INVALID)) throw error;
      lib.C_SignInit(session, { mechanism: pkcs11js.CKM_RSA_PKCS }, key);
      const digestInfo = Buffer.concat([SHA256_DIGEST_INFO, createHash("sha256").update(data).digest()]);
      return Buffer.from(lib.C_Sign(session, digestInfo, out));
    }
  });
}

/** The public key of a token key pair, as SPKI PEM (throws key_missing when the token no longer has it). */
export function tokenPublicKeyPem(settings: Pkcs11Settings, ref: TokenKeyRef): string {
  return withSession(settings, ref.tokenLabel, "read a public key", (lib, session) =>
    publicKeyPemOf(lib, session, findKey(lib, session, ref, pkcs11js.CKO_PUBLIC_KEY)),
  );
}

function refusedValue(lib: pkcs11js.PKCS11, session: Buffer, key: Buffer, type: number): boolean {
  try {
    const [attribute] = lib.C_GetAttributeValue(session, key, [{ type }]);
    return attribute?.value === undefined || attribute.value.length === 0;
  } catch (error) {
    return isCkr(error, pkcs11js.CKR_ATTRIBUTE_SENSITIVE) || isCkr(error, pkcs11js.CKR_ATTRIBUTE_TYPE_INVALID);
  }
}

/** What the token says of a private key: its protection flags, and whether it refuses to reveal each secret part. */
export function readTokenKeyAttributes(settings: Pkcs11Settings, ref: TokenKeyRef): TokenKeyAttributes {
  return withSession(settings, ref.tokenLabel, "read key attributes", (lib, session) => {
    const key = findKey(lib, session, ref, pkcs11js.CKO_PRIVATE_KEY);
    const bool = (type: number) => {
      const [attribute] = lib.C_GetAttributeValue(session, key, [{ type }]);
      return attribute?.value?.[0] === 1;
    };
    const [modulus] = lib.C_GetAttributeValue(session, key, [{ type: pkcs11js.CKA_MODULUS }]);
    return {
      extractable: bool(pkcs11js.CKA_EXTRACTABLE),
      sensitive: bool(pkcs11js.CKA_SENSITIVE),
      token: bool(pkcs11js.CKA_TOKEN),
      private: bool(pkcs11js.CKA_PRIVATE),
      sign: bool(pkcs11js.CKA_SIGN),
      alwaysSensitive: bool(pkcs11js.CKA_ALWAYS_SENSITIVE),
      neverExtractable: bool(pkcs11js.CKA_NEVER_EXTRACTABLE),
      modulusBits: (modulus?.value?.length ?? 0) * 8,
      refused: {
        value: refusedValue(lib, session, key, pkcs11js.CKA_VALUE),
        privateExponent: refusedValue(lib, session, key, pkcs11js.CKA_PRIVATE_EXPONENT),
        prime1: refusedValue(lib, session, key, pkcs11js.CKA_PRIME_1),
      },
    };
  });
}

/** Destroys both halves of a token key pair (after the database no longer refers to it); a key already gone is fine. */
export function destroyTokenKeyPair(settings: Pkcs11Settings, ref: TokenKeyRef): void {
  withSession(settings, ref.tokenLabel, "destroy a key", (lib, session) => {
    for (const keyClass of [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY]) {
      let handle: Buffer;
      try {
        handle = findKey(lib, session, ref, keyClass);
      } catch (error) {
        if (error instanceof HsmError && error.code === "key_missing") continue;
        throw error;
      }
      lib.C_DestroyObject(session, handle);
    }
  });
}
