"use server";
// Remembers the chosen language in a cookie; available signed in or not.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { LOCALES } from "@/lib/i18n/messages";
import { LOCALE_COOKIE } from "@/lib/i18n/server";
import { safeNextPath } from "@/lib/safe-next-path";

const setLocaleSchema = z.object({ locale: z.enum(LOCALES), next: z.string().max(2048).optional() });

export async function setLocaleAction(formData: FormData): Promise<void> {
  const parsed = setLocaleSchema.safeParse({
    locale: formData.get("locale"),
    next: formData.get("next") ?? undefined,
  });
  if (!parsed.success) redirect("/");
  (await cookies()).set(LOCALE_COOKIE, parsed.data.locale, {
    sameSite: "lax",
    path: "/",
    maxAge: 365 * 24 * 3600,
  });
  redirect(safeNextPath(parsed.data.next));
}
