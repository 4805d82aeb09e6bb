// Trusted devices (OWASP's device cookie): a browser that signed a user in gets a long-lived random token; later
// attempts from it for that user are throttled on their own, so an attacker locking the user name cannot lock it out.
import { and, eq, gt, lt } from "drizzle-orm";
import type { Queryable } from "@/lib/platform/db/client";
import { trustedDevices } from "@/lib/platform/db/schema";
import { hashToken, newToken, TOKEN_PATTERN } from "../../core/secrets/tokens";

const DEVICE_DAYS = 90;

/** The token's hash when it is a device this user signed in from before, unexpired; else null. */
export async function trustedDeviceFor(
  db: Queryable,
  token: string | null | undefined,
  userName: string | null,
  now: Date,
): Promise<string | null> {
  if (!token || !userName || !TOKEN_PATTERN.test(token)) return null;
  const tokenHash = hashToken(token);
  const [row] = await db
    .select({ tokenHash: trustedDevices.tokenHash })
    .from(trustedDevices)
    .where(
      and(eq(trustedDevices.tokenHash, tokenHash), eq(trustedDevices.userName, userName.toLowerCase()), gt(trustedDevices.expiresAt, now)),
    )
    .limit(1);
  return row?.tokenHash ?? null;
}

/** A new device token for this user (the caller sets it as a cookie); expired ones are pruned on the way. */
export async function trustDevice(db: Queryable, userName: string, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const { token, tokenHash } = newToken();
  const expiresAt = new Date(now.getTime() + DEVICE_DAYS * 86_400_000);
  await db.delete(trustedDevices).where(lt(trustedDevices.expiresAt, now));
  await db.insert(trustedDevices).values({ tokenHash, userName: userName.toLowerCase(), expiresAt });
  return { token, expiresAt };
}
