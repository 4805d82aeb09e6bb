// The console's trust anchors: the enrollment roots the administrator installed (a PEM bundle file). They verify both the
// SLCs and the enrollment service's TLS certificate; they are never fetched over the network.
import { X509Certificate } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parseTrustAnchors } from "@/lib/core/certificates/verify-slc";

class TrustAnchorError extends Error {}

let cache: { path: string; mtimeMs: number; anchors: string[] } | undefined;

function missingMessage(file: string): string {
  return (
    `No trust anchors at ${file}. Copy the enrollment service's root certificate there (its data folder's ca/root.pem, or ` +
    `"Download root certificate" on its web site, checked against the fingerprint its operator gives you), or set RMS_TRUST_ANCHORS.`
  );
}

/** Reads (and caches until the file changes) the trust anchors; a missing or empty file is a clear error. */
export function loadTrustAnchors(file: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new TrustAnchorError(missingMessage(file));
  }
  if (cache && cache.path === file && cache.mtimeMs === stat.mtimeMs) return cache.anchors;
  const anchors = parseTrustAnchors(fs.readFileSync(file, "utf8"));
  if (anchors.length === 0) throw new TrustAnchorError(`${file} holds no CA certificate. Install the enrollment root certificate there.`);
  cache = { path: file, mtimeMs: stat.mtimeMs, anchors };
  return anchors;
}

/** A certificate's SHA-256 fingerprint as `openssl x509 -noout -fingerprint -sha256` prints it ("AB:CD:…"). */
export function certificateFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** A pin as RMS_TRUST_ANCHOR_SHA256 holds it (64 upper-case hex digits) in the same form. */
function pinForDisplay(pin: string): string {
  return (pin.match(/.{2}/g) ?? []).join(":");
}

function pinMismatch(pin: string, where: string, fingerprints: string[]): string {
  return (
    `RMS_TRUST_ANCHOR_SHA256 pins the enrollment root ${pinForDisplay(pin)}, but ${where} ` +
    `${fingerprints.length === 1 ? "has the fingerprint" : "holds the fingerprints"} ${fingerprints.join(", ")}. ` +
    "Install the root certificate the pin names, or correct the pin."
  );
}

export type TrustAnchorCheck = { ok: true; fingerprints: string[] } | { ok: false; message: string };

/**
 * What the start checks before serving: the trust-anchor file exists and holds only CA certificates, and, when
 * RMS_TRUST_ANCHOR_SHA256 pins a root (`pin`, normalised by lib/console/env), one of them has that fingerprint.
 */
export function checkTrustAnchorFile(file: string, pin?: string): TrustAnchorCheck {
  if (!fs.existsSync(file)) return { ok: false, message: missingMessage(file) };
  let anchors: string[];
  try {
    anchors = parseTrustAnchors(fs.readFileSync(file, "utf8"));
  } catch (error) {
    return { ok: false, message: `${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (anchors.length === 0)
    return { ok: false, message: `${file} holds no CA certificate. Install the enrollment root certificate there.` };
  const fingerprints = anchors.map(certificateFingerprint);
  if (pin && !fingerprints.some((f) => f.replace(/:/g, "") === pin)) {
    return { ok: false, message: pinMismatch(pin, `the trust-anchor file ${file}`, fingerprints) };
  }
  return { ok: true, fingerprints };
}

export type BundledRootResult = { ok: true; installed: boolean; fingerprint: string } | { ok: false; message: string };

/**
 * `npm start`'s self-contained setup: copies the bundled enrollment service's root (read from its data folder on disk,
 * never over the network) to the trust-anchor file when that file does not exist yet. A pinned fingerprint it does not
 * have stops here, before anything is written. An existing file is left alone.
 */
export function installBundledRoot(opts: { rootPath: string; trustAnchorsPath: string; pin?: string }): BundledRootResult {
  let roots: string[];
  try {
    roots = parseTrustAnchors(fs.readFileSync(opts.rootPath, "utf8"));
  } catch (error) {
    return {
      ok: false,
      message: `The bundled enrollment service's root ${opts.rootPath} cannot be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const [root] = roots;
  if (!root || roots.length !== 1)
    return { ok: false, message: `${opts.rootPath} must hold exactly one CA certificate, the enrollment root.` };
  const fingerprint = certificateFingerprint(root);
  if (opts.pin && fingerprint.replace(/:/g, "") !== opts.pin) {
    return { ok: false, message: pinMismatch(opts.pin, `the bundled enrollment service's root ${opts.rootPath}`, [fingerprint]) };
  }
  if (fs.existsSync(opts.trustAnchorsPath)) return { ok: true, installed: false, fingerprint };
  fs.mkdirSync(path.dirname(opts.trustAnchorsPath), { recursive: true, mode: 0o700 });
  // Written aside, then linked into place: the file appears whole, and one that appeared meanwhile is never overwritten.
  const temporary = `${opts.trustAnchorsPath}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, root, { mode: 0o644 });
  try {
    fs.linkSync(temporary, opts.trustAnchorsPath);
    return { ok: true, installed: true, fingerprint };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return { ok: true, installed: false, fingerprint };
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}
