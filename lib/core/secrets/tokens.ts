// One way to make a bearer secret (sessions, setup links): 32 random bytes for the user, only a SHA-256 stored.
import { createHash, randomBytes } from "node:crypto";

/** A token as newTokenHash makes it: 32 bytes in base64url, so anything else is refused before a lookup. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function newToken(): { token: string; tokenHash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashToken(token) };
}
