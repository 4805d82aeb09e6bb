// Rendered with HTTP 401 when unauthorized() is called without a session.
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";

export default async function Unauthorized() {
  const t = await getTranslations();
  return (
    <div className="mx-auto mt-8 max-w-xl rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="mb-3 text-2xl font-semibold">{t("signIn.title")}</h1>
      <p className="mb-6 text-slate-700">{t("signIn.expired")}</p>
      <Link href="/sign-in" className={buttonClass("primary")}>
        {t("signIn.submit")}
      </Link>
    </div>
  );
}
