// Who is asking: the session behind the request's cookie, and where the request came from.
import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { qualifiedUserName } from "@/lib/platform/server-identity";
import { isAdministrator } from "./accounts";
import { requestOriginOf } from "./same-origin";
import { validateSession } from "./sessions";

/**
 * The cookies' names: with the `__Host-` prefix whenever they are Secure, so the browser refuses them unless this
 * origin set them over HTTPS for the whole path (no sibling host, no plain-HTTP man in the middle can plant one).
 * The device cookie (lib/console/auth/devices.ts) marks a browser that signed a user in before; not a credential, only a
 * throttling bucket.
 */
function cookieName(base: "rms_session" | "rms_device", secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

export interface Actor {
  accountId: string;
  userName: string;
  displayName: string;
  /** SERVER\user, as shown in the header and written to the audit log. */
  qualifiedName: string;
  groups: string[];
  isAdministrator: boolean;
  remoteAddress: string | null;
  /** When the session ends if unused from now on (the idle timeout, never after the absolute one). */
  sessionEndsAt: Date;
}

/** The client's address; the console listens on loopback, so Next's forwarded header is its own. */
export async function getRemoteAddress(): Promise<string | null> {
  const forwarded = (await headers()).get("x-forwarded-for");
  const first = forwarded?.split(",")[0]?.trim();
  return first && first.length <= 64 ? first : null;
}

/** The signed-in account for this request, or null. Cached per request. */
export const getActor = cache(async (): Promise<Actor | null> => {
  const token = await getSessionToken();
  if (!token) return null;
  const session = await validateSession(await getDb(), token, {
    now: new Date(),
    idleMinutes: env().RMS_SESSION_IDLE_MINUTES,
  });
  if (!session) return null;
  const { account } = session;
  return {
    accountId: account.id,
    userName: account.userName,
    displayName: account.displayName,
    // Directory accounts are stored as DOMAIN\\user already.
    qualifiedName: account.source === "directory" ? account.displayName : qualifiedUserName(account.displayName),
    groups: account.groups,
    isAdministrator: isAdministrator(account.groups, env().RMS_ADMIN_GROUPS),
    remoteAddress: await getRemoteAddress(),
    sessionEndsAt: session.idleExpiresAt,
  };
});

async function shouldUseSecureCookies(): Promise<boolean> {
  const setting = env().RMS_SECURE_COOKIES;
  if (setting !== "auto") return setting === "true";
  // The scheme the browser used (the console's server found it: lib/platform/http/request-gate.ts).
  return requestOriginOf(await headers())?.scheme === "https";
}

/**
 * A cookie's value: the `__Host-` one on any request (a browser sends it only over HTTPS; the framework's own fetch of
 * a server action's redirect target, plain HTTP on loopback, carries the browser's cookies), the plain one only on a
 * request that did not come over HTTPS.
 */
async function cookieValue(base: "rms_session" | "rms_device"): Promise<string | undefined> {
  const jar = await cookies();
  const secure = jar.get(cookieName(base, true))?.value;
  if (secure !== undefined || (await shouldUseSecureCookies())) return secure;
  return jar.get(cookieName(base, false))?.value;
}

/** The session token this request carries, if any (plausible length only). */
export async function getSessionToken(): Promise<string | null> {
  const token = await cookieValue("rms_session");
  return token && token.length <= 128 ? token : null;
}

export async function setSessionCookie(token: string): Promise<void> {
  const secure = await shouldUseSecureCookies();
  (await cookies()).set(cookieName("rms_session", secure), token, {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    // Outlives the session by a day, so sign-in can tell "your session has ended" from "never signed in".
    maxAge: env().RMS_SESSION_MAX_HOURS * 3600 + 86_400,
  });
}

export async function getDeviceToken(): Promise<string | null> {
  return (await cookieValue("rms_device")) ?? null;
}

export async function setDeviceCookie(device: { token: string; expiresAt: Date }): Promise<void> {
  const secure = await shouldUseSecureCookies();
  (await cookies()).set(cookieName("rms_device", secure), device.token, {
    httpOnly: true,
    sameSite: "strict",
    secure,
    path: "/",
    expires: device.expiresAt,
  });
}

export async function clearSessionCookie(): Promise<void> {
  const secure = await shouldUseSecureCookies();
  // Attributes as when it was set: a browser ignores a __Host- cookie's removal that is not Secure with Path=/.
  (await cookies()).set(cookieName("rms_session", secure), "", { httpOnly: true, sameSite: "lax", secure, path: "/", maxAge: 0 });
}
