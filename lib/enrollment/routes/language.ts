// POST /language: the language switch in every page's header (a plain form; the pages carry no script). The choice is
// kept in a cookie of this site (HTTPS only, this host only) and the browser goes back to the page it came from.
import { setCookie } from "hono/cookie";
import { z } from "zod";
import { LOCALES } from "@/lib/platform/i18n/locales";
import { type AppContext, isSameOrigin } from "../web/context";

export const ENROLLMENT_LOCALE_COOKIE = "__Host-rms-locale";

const languageForm = z.object({ locale: z.enum(LOCALES) });

/** Back to the same-origin page the form was on (the Referer's path and query); anything else goes home. */
function returnPath(c: AppContext): string {
  const referer = c.req.header("referer");
  if (!referer) return "/";
  try {
    const url = new URL(referer);
    const own = new URL(c.req.url);
    if (url.host !== c.req.header("host") && url.host !== own.host) return "/";
    return `${url.pathname}${url.search}`.startsWith("/") ? `${url.pathname}${url.search}` : "/";
  } catch {
    return "/";
  }
}

export function language() {
  return async (c: AppContext) => {
    if (!isSameOrigin(c)) return c.redirect("/", 303);
    const parsed = languageForm.safeParse(await c.req.parseBody());
    if (parsed.success) {
      setCookie(c, ENROLLMENT_LOCALE_COOKIE, parsed.data.locale, {
        path: "/",
        secure: true,
        httpOnly: true,
        sameSite: "Lax",
        maxAge: 365 * 86_400,
      });
    }
    return c.redirect(returnPath(c), 303);
  };
}
