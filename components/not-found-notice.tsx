// What a missing page or cluster shows, inside whichever layout rendered it.
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";

export async function NotFoundNotice() {
  const t = await getTranslations();
  return (
    <div className="mx-auto mt-8 max-w-xl rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="mb-3 text-2xl font-semibold">{t("notFound.title")}</h1>
      <p className="mb-6 text-slate-700">{t("notFound.body")}</p>
      <Link href="/" className={buttonClass("secondary")}>
        {t("notFound.back")}
      </Link>
    </div>
  );
}
