import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { ClientMessages } from "@/components/client-messages";
import { Alert } from "@/components/ui/alert";
import { SetupForm } from "./setup-form";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations();
  return { title: t("setup.title") };
}

export default async function SetupPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { token } = await searchParams;
  const t = await getTranslations();
  const validShape = typeof token === "string" && /^[A-Za-z0-9_-]{16,128}$/.test(token);
  return (
    <div className="mx-auto mt-8 max-w-md rounded-lg border border-slate-200 bg-white p-8 shadow-sm">
      <h1 className="mb-2 text-2xl font-semibold">{t("setup.title")}</h1>
      <p className="mb-6 text-sm text-slate-600">{t("setup.intro")}</p>
      {validShape ? (
        <ClientMessages namespaces={["signIn", "setup"]}>
          <SetupForm token={token} />
        </ClientMessages>
      ) : (
        <Alert tone="error">{t("setup.invalidToken")}</Alert>
      )}
    </div>
  );
}
