import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { Alert } from "@/components/ui/alert";
import { getActor } from "@/lib/console/auth/current";
import { sessionEnded } from "@/lib/console/auth/session-ended";
import { needsSetup } from "@/lib/console/auth/setup-tokens";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { safeNextPath } from "@/lib/console/safe-next-path";
import { labelsFor } from "@/lib/platform/i18n/labels";
import { SignInForm } from "./sign-in-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: t("signIn.title") };
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const next = safeNextPath(typeof params.next === "string" ? params.next : undefined);
  if (await getActor()) redirect(next);
  const t = await getTranslations();
  // Before the first administrator exists (local accounts only: with a directory, its Domain Admins may sign in).
  const setupPending = !env().RMS_LDAP_URL && (await needsSetup(await getDb()));
  return (
    <div className="mx-auto mt-8 max-w-sm rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="mb-2 text-2xl font-semibold">{t("signIn.title")}</h1>
      <p className={`${env().RMS_LDAP_URL ? "mb-2" : "mb-6"} text-sm text-slate-600`}>{t("signIn.intro")}</p>
      {env().RMS_LDAP_URL && <p className="mb-6 text-sm text-slate-600">{t("signIn.directoryHint", { domain: env().RMS_DOMAIN ?? "" })}</p>}
      {(await sessionEnded()) && (
        <Alert tone="info" className="mb-4">
          {t("signIn.expired")}
        </Alert>
      )}
      {setupPending && (
        <Alert tone="info" className="mb-4">
          {t("signIn.setupHint")}
        </Alert>
      )}
      {params.setup === "done" && (
        <Alert tone="success" className="mb-4">
          {t("setup.done")}
        </Alert>
      )}
      <SignInForm next={next} labels={labelsFor(t, ["signIn.userName", "signIn.password", "signIn.submit"])} />
    </div>
  );
}
