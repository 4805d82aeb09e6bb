"use client";
// Unexpected server errors: say that nothing was changed and offer to try again, in the page's language.
import { useSyncExternalStore } from "react";
import { Button } from "@/components/ui/button";
import { errorMessagesFor } from "@/lib/i18n/error-messages";

const noSubscribe = () => () => {};

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  // The root layout's <html lang> is the request's negotiated language.
  const lang = useSyncExternalStore(
    noSubscribe,
    () => document.documentElement.lang,
    () => "",
  );
  const messages = errorMessagesFor(lang);
  return (
    <div role="alert" className="mx-auto mt-8 max-w-xl rounded-lg border border-red-200 bg-white p-8 shadow-sm">
      <p className="mb-6 text-slate-800">{messages.generic}</p>
      <Button onClick={reset}>{messages.tryAgain}</Button>
    </div>
  );
}
