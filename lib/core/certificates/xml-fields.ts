// Zod schemas for values read from parsed, signed XML: decode character references, then validate (never cast).
import { z } from "zod";
import { unescapeXml } from "@/lib/core/xml/safe-xml";

// C0 controls other than TAB, LF, CR are not allowed in XML 1.0 text at all.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Decoded XML text; an element with attributes arrives as an object and is refused here. */
const xmlText = z
  .string()
  .max(1_000_000)
  .transform((raw, ctx) => {
    const value = unescapeXml(raw);
    if (value === null) {
      ctx.addIssue({ code: "custom", message: "contains an invalid character reference" });
      return z.NEVER;
    }
    return value;
  });

export function plainText(max: number, opts: { allowEmpty?: boolean } = {}) {
  return xmlText.pipe(
    z
      .string()
      .min(opts.allowEmpty ? 0 : 1)
      .max(max)
      .refine((v) => !CONTROL.test(v), "contains control characters"),
  );
}

export const uuidText = xmlText.pipe(z.uuid());

export const isoDateText = xmlText.pipe(z.iso.datetime({ offset: false }).transform((v) => new Date(v)));

const GUID_PATTERN = /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/;
export const guidText = xmlText.pipe(z.string().regex(GUID_PATTERN, "must be a {GUID} in upper case"));

const FINGERPRINT_PATTERN = /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/;
export const fingerprintText = xmlText.pipe(z.string().regex(FINGERPRINT_PATTERN, "must be a SHA-256 fingerprint"));

export function base64Text(max: number) {
  return xmlText.pipe(
    z
      .string()
      .max(max)
      .transform((v) => v.replace(/\s+/g, ""))
      .pipe(z.base64()),
  );
}

export const urlText = xmlText.pipe(
  z
    .string()
    .max(2048)
    .refine((v) => {
      try {
        const url = new URL(v);
        return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
      } catch {
        return false;
      }
    }, "must be an http(s) URL"),
);

export const hexText = (max: number) =>
  xmlText.pipe(
    z
      .string()
      .regex(/^[0-9A-F]+$/, "must be upper-case hex")
      .max(max),
  );
