"use server";
// Remembers the chosen language in a cookie and returns to the page it was chosen on; signed in or not.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { refererPath } from "@/lib/console/safe-next-path";
import { LOCALE_COOKIE, LOCALES } from "@/lib/platform/i18n/locales";
import { actionClient, formSchema } from "../safe-action";

// An unknown language changes nothing but still returns the user to the page.
const setLocaleSchema = z.object({ locale: z.enum(LOCALES).optional().catch(undefined) });

/** The same-origin page the form was posted from, else Global Administration. */
async function returnPath(): Promise<string> {
  const requestHeaders = await headers();
  return refererPath(requestHeaders.get("referer"), requestHeaders.get("host"));
}

const setLocale = actionClient
  .metadata({ actionName: "setLocaleAction" })
  .inputSchema(formSchema(setLocaleSchema))
  .action(async ({ parsedInput: { locale } }) => {
    if (locale) (await cookies()).set(LOCALE_COOKIE, locale, { sameSite: "lax", path: "/", maxAge: 365 * 24 * 3600 });
    redirect(await returnPath());
  });

/** The header's plain form (works without JavaScript) needs a void action; the outcome is the redirect. */
export async function setLocaleAction(formData: FormData): Promise<void> {
  await setLocale(formData);
}
