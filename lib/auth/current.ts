// Who is asking: the session behind the request's cookie, and where the request came from.
import "server-only";
import { cookies, headers } from "next/headers";
import { cache } from "react";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { qualifiedUserName } from "@/lib/server-identity";
import { isAdministrator } from "./accounts";
import { validateSession } from "./sessions";

export const SESSION_COOKIE = "rms_session";
/** A browser that signed a user in before (lib/auth/devices.ts); not a credential, only a throttling bucket. */
const DEVICE_COOKIE = "rms_device";

export interface Actor {
  accountId: string;
  userName: string;
  displayName: string;
  /** SERVER\user, as shown in the header and written to the audit log. */
  qualifiedName: string;
  groups: string[];
  isAdministrator: boolean;
  remoteAddress: string | null;
}

/** The client's address; the console listens on loopback, so Next's forwarded header is its own. */
export async function getRemoteAddress(): Promise<string | null> {
  const forwarded = (await headers()).get("x-forwarded-for");
  const first = forwarded?.split(",")[0]?.trim();
  return first && first.length <= 64 ? first : null;
}

/** The signed-in account for this request, or null. Cached per request. */
export const getActor = cache(async (): Promise<Actor | null> => {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token || token.length > 128) return null;
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
  };
});

async function shouldUseSecureCookies(): Promise<boolean> {
  const setting = env().RMS_SECURE_COOKIES;
  if (setting !== "auto") return setting === "true";
  return (await headers()).get("x-forwarded-proto") === "https";
}

export async function setSessionCookie(token: string): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "lax",
    secure: await shouldUseSecureCookies(),
    path: "/",
    // Outlives the session by a day, so sign-in can tell "your session has ended" from "never signed in".
    maxAge: env().RMS_SESSION_MAX_HOURS * 3600 + 86_400,
  });
}

export async function getDeviceToken(): Promise<string | null> {
  return (await cookies()).get(DEVICE_COOKIE)?.value ?? null;
}

export async function setDeviceCookie(device: { token: string; expiresAt: Date }): Promise<void> {
  (await cookies()).set(DEVICE_COOKIE, device.token, {
    httpOnly: true,
    sameSite: "strict",
    secure: await shouldUseSecureCookies(),
    path: "/",
    expires: device.expiresAt,
  });
}

export async function clearSessionCookie(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
}
