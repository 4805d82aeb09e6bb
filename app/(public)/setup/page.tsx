import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { SETUP_TOKEN_MESSAGES } from "@/lib/console/actions/auth/setup-messages";
import { inspectSetupToken } from "@/lib/console/auth/setup-tokens";
import { getDb } from "@/lib/console/db";
import { labelsFor } from "@/lib/platform/i18n/labels";
import { SetupForm } from "./setup-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: t("setup.title") };
}

export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const t = await getTranslations();
  // Looked at (not used up) before the form is shown: a used or expired link says so before anything is typed.
  const check = typeof token === "string" ? await inspectSetupToken(await getDb(), token, new Date()) : null;
  const problem = check === null ? "invalid_token" : check.ok ? null : check.code;
  return (
    <div className="mx-auto mt-8 max-w-md rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className={`${problem === null ? "mb-2" : "mb-6"} text-2xl font-semibold`}>{t("setup.title")}</h1>
      {problem === null && <p className="mb-6 text-sm text-slate-600">{t("setup.intro")}</p>}
      {problem === null && typeof token === "string" ? (
        <SetupForm token={token} labels={labelsFor(t, ["signIn.userName", "signIn.password", "setup.confirmPassword", "setup.submit"])} />
      ) : (
        <>
          <Alert tone="error">{t(SETUP_TOKEN_MESSAGES[problem ?? "invalid_token"])}</Alert>
          {(problem === "used" || problem === "admin_exists") && (
            <Link href="/sign-in" className={buttonClass("secondary", "mt-4")}>
              {t("setup.signIn")}
            </Link>
          )}
        </>
      )}
    </div>
  );
}
