// Rendered with HTTP 403 when forbidden() is called: a signed-in user outside the allowed groups.
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";
import { signOutAction } from "@/lib/actions/auth/sign-out";
import { getActor } from "@/lib/auth/current";

export default async function Forbidden() {
  const t = await getTranslations();
  const actor = await getActor();
  return (
    <div className="mx-auto mt-8 max-w-xl rounded-lg border border-red-200 bg-white p-8 shadow-sm">
      <h1 className="mb-3 text-2xl font-semibold text-red-800">{t("denied.title")}</h1>
      <p className="mb-6 text-slate-700">{t("denied.body", { user: actor?.qualifiedName ?? "?" })}</p>
      {actor ? (
        <form action={signOutAction}>
          <button type="submit" className={buttonClass("secondary")}>
            {t("denied.signInOther")}
          </button>
        </form>
      ) : (
        <Link href="/sign-in" className={buttonClass("secondary")}>
          {t("denied.signInOther")}
        </Link>
      )}
    </div>
  );
}
