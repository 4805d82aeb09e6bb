// The operator's session cookie: __Host- (HTTPS only, this host only, every path), HttpOnly, SameSite=Strict, 8 hours.
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { operatorForSession, SESSION_HOURS } from "../operators";
import type { AppContext, ServiceDeps } from "./context";

const OPERATOR_COOKIE = "__Host-rms-operator";

export function sessionToken(c: AppContext): string | undefined {
  return getCookie(c, OPERATOR_COOKIE);
}

export function setSession(c: AppContext, token: string): void {
  setCookie(c, OPERATOR_COOKIE, token, { path: "/", secure: true, httpOnly: true, sameSite: "Strict", maxAge: SESSION_HOURS * 3600 });
}

export function clearSession(c: AppContext): void {
  deleteCookie(c, OPERATOR_COOKIE, { path: "/", secure: true });
}

/** The signed-in operator's name, checked against the store on every request; null when signed out or expired. */
export function currentOperator(deps: ServiceDeps, c: AppContext): Promise<string | null> {
  return operatorForSession(deps.db, sessionToken(c), deps.clock());
}
