import type { Metadata } from "next";
import { getLocale, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import "./globals.css";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("app");
  // "Administration — RMS01 RMS cluster — RMS Administration": the page, what it is about, then the product.
  return { title: { default: t("title"), template: `%s — ${t("title")}` } };
}

export default async function RootLayout({ children }: { children: ReactNode }) {
  const [locale, t] = await Promise.all([getLocale(), getTranslations("app")]);
  return (
    <html lang={locale}>
      <body className="min-h-screen">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-4 focus:top-4 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-brand-800"
        >
          {t("skipToContent")}
        </a>
        {/* Header and main come from the route groups: (console) names the signed-in user, (public) never does. */}
        {children}
      </body>
    </html>
  );
}
