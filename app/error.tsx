"use client";
// Unexpected server errors: say that nothing was changed and offer to try again, in the page's language.
import { useTranslations } from "next-intl";
import { Button } from "@/components/ui/button";

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("error");
  return (
    <div role="alert" className="mx-auto mt-8 max-w-xl rounded-lg border border-red-200 bg-white p-8 shadow-sm">
      <p className="mb-6 text-slate-800">{t("generic")}</p>
      <Button onClick={reset}>{t("tryAgain")}</Button>
    </div>
  );
}
