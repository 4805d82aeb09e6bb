// The operator's notice after a decision ("Approved…", "Rejected…", "N held requests rejected"), shown once: the decision
// redirects to /operator (post/redirect/get) with the notice in a short-lived cookie of this site, and the page that shows
// it deletes the cookie. A reload, the language switch (which goes back to the same address) or a bookmark shows the
// list without it; the address carries no notice that could be re-shown or forged into a link.
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import type { AppContext } from "./context";

const NOTICE_COOKIE = "__Host-rms-operator-notice";

type OperatorNotice =
  | { kind: "approved" }
  | { kind: "rejected" }
  | { kind: "bulkRejected"; count: number }
  | { kind: "revoked"; serial: string };

const stored = z.union([
  z.enum(["approved", "rejected"]).transform((kind) => ({ kind })),
  z
    .string()
    .regex(/^bulkRejected-[0-9]{1,6}$/)
    .transform((value) => ({ kind: "bulkRejected" as const, count: Number(value.slice("bulkRejected-".length)) })),
  z
    .string()
    .regex(/^revoked-[0-9A-F]{32}$/)
    .transform((value) => ({ kind: "revoked" as const, serial: value.slice("revoked-".length) })),
]);

/** Sets the notice the next GET /operator shows (once). */
export function setOperatorNotice(c: AppContext, notice: OperatorNotice): void {
  const value =
    notice.kind === "bulkRejected" ? `bulkRejected-${notice.count}` : notice.kind === "revoked" ? `revoked-${notice.serial}` : notice.kind;
  setCookie(c, NOTICE_COOKIE, value, { path: "/", secure: true, httpOnly: true, sameSite: "Strict", maxAge: 60 });
}

/** The notice waiting for this page, consumed: the response deletes it. Anything else in the cookie is dropped. */
export function takeOperatorNotice(c: AppContext): OperatorNotice | null {
  const value = getCookie(c, NOTICE_COOKIE);
  if (value === undefined) return null;
  deleteCookie(c, NOTICE_COOKIE, { path: "/", secure: true });
  const parsed = stored.safeParse(value);
  return parsed.success ? (parsed.data as OperatorNotice) : null;
}
