"use client";
// Unexpected server errors: say that nothing was changed and offer to try again, in the page's language. A form the
// console refused as cross-site (proxy.ts; often a reverse proxy's Host header) says what to check instead.
import { useSyncExternalStore } from "react";
import { CROSS_SITE_REFUSED, errorMessagesFor } from "@/lib/platform/i18n/error-messages";

const noSubscribe = () => () => {};

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  // The root layout's <html lang> is the request's negotiated language.
  const lang = useSyncExternalStore(
    noSubscribe,
    () => document.documentElement.lang,
    () => "",
  );
  const messages = errorMessagesFor(lang);
  // This boundary replaces the console's layout, so it brings its own: the header, a main landmark with the heading,
  // what happened, and the way on (Try again, Back to Global Administration), as the server's 500 page has.
  return (
    <>
      <header className="bg-brand-800 px-6 py-3 text-lg text-white shadow">
        <a href="/" className="font-semibold text-white no-underline">
          {messages.appTitle}
        </a>
      </header>
      <main id="main" className="mx-auto mt-8 max-w-xl rounded-lg border border-red-200 bg-white p-8 shadow-sm">
        <h1 className="mb-4 text-2xl font-semibold">{messages.serverErrorTitle}</h1>
        <p role="alert" className="mb-6 text-slate-800">
          {error.message.startsWith(CROSS_SITE_REFUSED) ? messages.crossSite : messages.generic}
        </p>
        <div className="flex flex-wrap items-center gap-4">
          <button
            type="button"
            onClick={reset}
            className="inline-flex items-center justify-center gap-2 rounded-md px-4 py-2 text-sm font-semibold shadow-sm transition-colors disabled:cursor-not-allowed bg-brand-600 text-white hover:bg-brand-700 disabled:bg-slate-400"
          >
            {messages.tryAgain}
          </button>
          <a href="/" className="text-sm text-brand-700 underline">
            {messages.back}
          </a>
        </div>
      </main>
    </>
  );
}
