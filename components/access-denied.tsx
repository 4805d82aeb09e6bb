// What a signed-in account outside the administrators' groups sees (HTTP 403): who it is, why, and the way on.
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";
import { signOutAction } from "@/lib/console/actions/auth/sign-out";
import type { Actor } from "@/lib/console/auth/current";

export async function AccessDenied({ actor }: { actor: Actor | null }) {
  const t = await getTranslations();
  return (
    <div className="mx-auto mt-8 max-w-xl rounded-lg border border-red-200 bg-white p-8 shadow-sm">
      <h1 className="mb-3 text-2xl font-semibold text-red-800">{t("denied.title")}</h1>
      <p className="mb-6 text-slate-700">{t("denied.body", { user: actor?.qualifiedName ?? "?" })}</p>
      {actor ? (
        // Signs this account out; sign-in then takes the other one (a plain form: works without JavaScript).
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
