// The console's trust anchors: the enrollment roots the administrator installed (a PEM bundle file).
import fs from "node:fs";
import { parseTrustAnchors } from "@/lib/certificates/verify-slc";

class TrustAnchorError extends Error {}

let cache: { path: string; mtimeMs: number; anchors: string[] } | undefined;

/** Reads (and caches until the file changes) the trust anchors; a missing or empty file is a clear error. */
export function loadTrustAnchors(path: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new TrustAnchorError(
      `No trust anchors at ${path}. Download the enrollment service's root certificate ("Download root certificate") and save it there, or set RMS_TRUST_ANCHORS.`,
    );
  }
  if (cache && cache.path === path && cache.mtimeMs === stat.mtimeMs) return cache.anchors;
  const anchors = parseTrustAnchors(fs.readFileSync(path, "utf8"));
  if (anchors.length === 0) throw new TrustAnchorError(`${path} holds no CA certificate. Install the enrollment root certificate there.`);
  cache = { path, mtimeMs: stat.mtimeMs, anchors };
  return anchors;
}
