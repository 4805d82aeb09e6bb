// The PKCS#11 variables both processes read (module, token, PIN), checked together: one place says what a complete set is.
import path from "node:path";
import { z } from "zod";
import type { Pkcs11Settings } from "./pkcs11-token";

/** The zod fields of one process's token variables (`<prefix>_MODULE`, `_TOKEN_LABEL`, `_SLOT`, `_PIN`, `_PIN_FILE`). */
export const pkcs11Fields = {
  module: z.string().trim().optional(),
  tokenLabel: z.string().trim().max(32, "a PKCS#11 token label has at most 32 characters").optional(),
  slot: z.coerce.number().int().min(0).optional(),
  // The PIN itself is never shown, logged or put in an error; a file (mode 600) keeps it out of the environment.
  pin: z.string().optional(),
  pinFile: z.string().trim().optional(),
};

interface Pkcs11Variables {
  module?: string | undefined;
  tokenLabel?: string | undefined;
  slot?: number | undefined;
  pin?: string | undefined;
  pinFile?: string | undefined;
}

/**
 * The settings, null when no module is configured, or the problem with the set (named by variable). `required` says why
 * a token must be configured (e.g. new cluster keys go to it).
 */
export function pkcs11SettingsFrom(
  vars: Pkcs11Variables,
  source: string,
  required: string | null,
): { ok: true; settings: Pkcs11Settings | null } | { ok: false; problem: string } {
  if (!vars.module) {
    const stray = (["tokenLabel", "slot", "pin", "pinFile"] as const).some((k) => vars[k] !== undefined);
    if (required) return { ok: false, problem: `${source}_MODULE: set the PKCS#11 module's path (${required})` };
    if (stray) return { ok: false, problem: `${source}_MODULE: set the PKCS#11 module's path, or unset the other ${source}_ variables` };
    return { ok: true, settings: null };
  }
  if (!path.isAbsolute(vars.module)) {
    return { ok: false, problem: `${source}_MODULE: give the PKCS#11 module's absolute path (e.g. /usr/lib/softhsm/libsofthsm2.so)` };
  }
  if (vars.tokenLabel === undefined && vars.slot === undefined) {
    return { ok: false, problem: `${source}_TOKEN_LABEL: name the token (or give ${source}_SLOT)` };
  }
  if (vars.tokenLabel !== undefined && vars.slot !== undefined) {
    return { ok: false, problem: `${source}_SLOT: set it or ${source}_TOKEN_LABEL, not both` };
  }
  if (vars.pin !== undefined && vars.pinFile !== undefined) {
    return { ok: false, problem: `${source}_PIN_FILE: set it or ${source}_PIN, not both` };
  }
  if (vars.pin === undefined && vars.pinFile === undefined) {
    return { ok: false, problem: `${source}_PIN_FILE: set a file holding the token's user PIN (mode 600), or ${source}_PIN` };
  }
  return {
    ok: true,
    settings: {
      modulePath: vars.module,
      source,
      ...(vars.tokenLabel === undefined ? {} : { tokenLabel: vars.tokenLabel }),
      ...(vars.slot === undefined ? {} : { slot: vars.slot }),
      ...(vars.pin === undefined ? {} : { pin: vars.pin }),
      ...(vars.pinFile === undefined ? {} : { pinFile: path.resolve(/*turbopackIgnore: true*/ vars.pinFile) }),
    },
  };
}
