"use client";
import { Button } from "@/components/ui/button";
// Unexpected server errors: say that nothing was changed and offer to try again, in the page's language.
import { errorMessages } from "@/lib/i18n/catalogue/errors";

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const lang = typeof document !== "undefined" && document.documentElement.lang === "sv" ? "sv" : "en";
  const messages = errorMessages[lang];
  return (
    <div role="alert" className="mx-auto mt-8 max-w-xl rounded-lg border border-red-200 bg-white p-8 shadow-sm">
      <p className="mb-6 text-slate-800">{messages["error.generic"]}</p>
      <Button onClick={reset}>{messages["error.tryAgain"]}</Button>
    </div>
  );
}
